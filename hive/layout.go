package hive

import "www.velocidex.com/golang/regparser"

// layout holds the offsets of the record fields this package reads, taken
// once from regparser's structure profile (offsets are from the start of a
// cell's payload). Reading fields through these offsets straight from the
// hive bytes avoids an allocation per field.
type layout struct {
	nkSig, nkFlags, nkLastWrite, nkParent, nkSubCount, nkSubList  int64
	nkValCount, nkValList, nkClass, nkNameLen, nkClassLen, nkName int64
	vkSig, vkNameLen, vkDataLen, vkData, vkType, vkFlags, vkName  int64
	dbCount, dbList                                               int64
}

var fields = func() layout {
	p := regparser.NewRegistryProfile()
	return layout{
		nkSig:       p.Off_CM_KEY_NODE_Signature,
		nkFlags:     p.Off_CM_KEY_NODE_Flags,
		nkLastWrite: p.Off_CM_KEY_NODE_LastWriteTime,
		nkParent:    p.Off_CM_KEY_NODE_Parent,
		nkSubCount:  p.Off_CM_KEY_NODE_SubKeyCounts,
		nkSubList:   p.Off_CM_KEY_NODE_SubKeyLists,
		nkValCount:  p.Off_CM_KEY_NODE_ValueList + p.Off_CHILD_LIST_Count,
		nkValList:   p.Off_CM_KEY_NODE_ValueList + p.Off_CHILD_LIST_List,
		nkClass:     p.Off_CM_KEY_NODE_Class,
		nkNameLen:   p.Off_CM_KEY_NODE_NameLength,
		nkClassLen:  p.Off_CM_KEY_NODE_ClassLength,
		nkName:      p.Off_CM_KEY_NODE__Name,
		vkSig:       p.Off_CM_KEY_VALUE_Signature,
		vkNameLen:   p.Off_CM_KEY_VALUE_NameLength,
		vkDataLen:   p.Off_CM_KEY_VALUE_DataLength,
		vkData:      p.Off_CM_KEY_VALUE_Data,
		vkType:      p.Off_CM_KEY_VALUE_Type,
		vkFlags:     p.Off_CM_KEY_VALUE_Flags,
		vkName:      p.Off_CM_KEY_VALUE_Name,
		dbCount:     p.Off_CM_BIG_DATA_Count,
		dbList:      p.Off_CM_BIG_DATA_List,
	}
}()
