package analysis

import (
	"encoding/hex"
	"strings"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// at returns a finding located at key k of hive e.
func At(e *hive.Entry, k *hive.Key) report.Finding {
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
func AtValue(e *hive.Entry, k *hive.Key, v *hive.Value) report.Finding {
	f := At(e, k)
	f.Value = report.ValueName(v.Name())
	d, _ := v.Data() // undecodable data is shown as what could be read; the analyzer reports the error
	f.Data = findingData(d)
	return f
}

// inSet marks a finding as coming from control set cs.
func InSet(f report.Finding, cs hive.ControlSet) report.Finding {
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

// assessed folds a path assessment into a finding, the one way every
// analyzer does it: the severity rises to the assessment's, the risk to its
// location prior, attack and the reasons' ATT&CK IDs join the finding's, and
// the detail gains the verdict and each reason's plain-words explanation.
// An assessment without reasons changes only the ATT&CK IDs.
func Assessed(f *report.Finding, a winpath.Assessment, attack ...string) {
	f.Attack = AppendUnique(f.Attack, attack...)
	if len(a.Reasons) == 0 {
		return
	}
	f.Severity = report.Max(f.Severity, a.Severity)
	f.Risk = max(f.Risk, a.Risk)
	texts := make([]string, 0, len(a.Reasons))
	for _, r := range a.Reasons {
		f.Attack = AppendUnique(f.Attack, r.Attack...)
		texts = append(texts, r.Text)
	}
	f.Detail = strings.TrimSpace(f.Detail + " Path check: " + a.Summary() + ". " + strings.Join(texts, " "))
}

// appendUnique appends to list the items of add it lacks.
func AppendUnique(list []string, add ...string) []string {
	for _, a := range add {
		found := false
		for _, x := range list {
			if x == a {
				found = true
				break
			}
		}
		if !found {
			list = append(list, a)
		}
	}
	return list
}
