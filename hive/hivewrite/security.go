package hivewrite

import "encoding/binary"

// Well-known SIDs and registry access masks used by the default security
// descriptor.
var (
	sidSystem         = sid(5, 18)
	sidAdministrators = sid(5, 32, 544)
	sidEveryone       = sid(1, 0)
)

const (
	keyAllAccess = 0x000F003F
	keyRead      = 0x00020019
)

// sid encodes a SID with the given identifier authority and sub-authorities.
func sid(authority uint64, sub ...uint32) []byte {
	b := []byte{1, byte(len(sub)), 0, 0, 0, 0, 0, 0}
	for i := 0; i < 6; i++ {
		b[2+i] = byte(authority >> (8 * (5 - i)))
	}
	for _, s := range sub {
		b = binary.LittleEndian.AppendUint32(b, s)
	}
	return b
}

// defaultSecurityDescriptor returns a self-relative security descriptor:
// owner Administrators, group SYSTEM, a DACL granting full control to SYSTEM
// and Administrators and read access to Everyone, each ACE inheritable by
// subkeys.
func defaultSecurityDescriptor() []byte {
	type ace struct {
		mask uint32
		sid  []byte
	}
	aces := []ace{{keyAllAccess, sidSystem}, {keyAllAccess, sidAdministrators}, {keyRead, sidEveryone}}
	var acl []byte
	for _, a := range aces {
		acl = append(acl, 0x00, 0x02) // ACCESS_ALLOWED_ACE_TYPE, CONTAINER_INHERIT_ACE
		acl = binary.LittleEndian.AppendUint16(acl, uint16(8+len(a.sid)))
		acl = binary.LittleEndian.AppendUint32(acl, a.mask)
		acl = append(acl, a.sid...)
	}
	hdr := []byte{2, 0} // ACL_REVISION
	hdr = binary.LittleEndian.AppendUint16(hdr, uint16(8+len(acl)))
	hdr = binary.LittleEndian.AppendUint16(hdr, uint16(len(aces)))
	hdr = append(hdr, 0, 0)
	acl = append(hdr, acl...)

	const headerSize = 20
	owner := headerSize
	group := owner + len(sidAdministrators)
	dacl := group + len(sidSystem)
	sd := []byte{1, 0}                                // SECURITY_DESCRIPTOR_REVISION
	sd = binary.LittleEndian.AppendUint16(sd, 0x8004) // SE_SELF_RELATIVE | SE_DACL_PRESENT
	sd = binary.LittleEndian.AppendUint32(sd, uint32(owner))
	sd = binary.LittleEndian.AppendUint32(sd, uint32(group))
	sd = binary.LittleEndian.AppendUint32(sd, 0) // no SACL
	sd = binary.LittleEndian.AppendUint32(sd, uint32(dacl))
	sd = append(sd, sidAdministrators...)
	sd = append(sd, sidSystem...)
	return append(sd, acl...)
}
