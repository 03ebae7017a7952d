package analysis

import (
	"errors"
	"strings"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// EachSessionManager calls fn with the Session Manager key of every control
// set of every SYSTEM hive of the host; control sets without one are
// skipped.
func (p *Pass) EachSessionManager(fn func(e *hive.Entry, cs hive.ControlSet, sm *hive.Key) error) error {
	return p.EachControlSet(func(e *hive.Entry, cs hive.ControlSet) error {
		sm, ok, err := sessionManager(cs)
		if !ok {
			return err
		}
		return fn(e, cs, sm)
	})
}

// smValue returns a finding at value v of key k in control set cs, with no
// ATT&CK ids yet (so the driver does not fill in the analyzer's whole list).
func SMValue(e *hive.Entry, cs hive.ControlSet, k *hive.Key, v *hive.Value) report.Finding {
	f := InSet(AtValue(e, k, v), cs)
	f.Attack = []string{}
	return f
}

// samePath reports whether two paths name the same file once resolved in env.
func SamePath(a, b string, env winpath.Env) bool {
	pa, pb := winpath.Resolve(a, env), winpath.Resolve(b, env)
	return pa.Full != "" && strings.EqualFold(pa.Full, pb.Full)
}

// executableExt are the extensions of files Windows loads as code.
var executableExt = map[string]bool{
	".exe": true, ".dll": true, ".sys": true, ".scr": true, ".cpl": true, ".ocx": true,
	".drv": true, ".com": true, ".efi": true, ".ax": true, ".tsp": true,
}

// isExecutable reports whether p names a file Windows loads as code.
func IsExecutable(p winpath.Path) bool { return executableExt[p.Ext] }

// joinErrs is errors.Join for a slice.
func JoinErrs(errs []error) error { return errors.Join(errs...) }
