package analyzers

import (
	"encoding/hex"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// at returns a finding located at key k of hive e.
func at(e *hive.Entry, k *hive.Key) report.Finding {
	return report.Finding{
		Hive:      e.Path,
		HiveKind:  e.Kind().String(),
		Key:       k.Path(),
		LastWrite: k.LastWrite(),
		User:      e.User,
		Deleted:   e.Deleted,
	}
}

// atValue returns a finding located at value v of key k, carrying its data
// decoded as hivescan reports it (see findingData).
func atValue(e *hive.Entry, k *hive.Key, v *hive.Value) report.Finding {
	f := at(e, k)
	f.Value = report.ValueName(v.Name())
	d, _ := v.Data()
	f.Data = findingData(d)
	return f
}

// inSet marks a finding as coming from control set cs.
func inSet(f report.Finding, cs hive.ControlSet) report.Finding {
	f.ControlSet = cs.Name
	f.ControlSetRole = cs.Roles
	if f.ControlSetRole == nil {
		f.ControlSetRole = []string{}
	}
	return f
}

// findingData converts decoded value data for a finding: binary as lower-case
// hex, everything else unchanged.
func findingData(d any) any {
	if b, ok := d.([]byte); ok {
		return hex.EncodeToString(b)
	}
	return d
}
