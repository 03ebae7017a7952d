package analysis

import (
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
)

// systemEnv builds, once, the system environment the path assessor expands
// variables with: Session Manager\Environment of the current control set
// (the first one when Select names none), SOFTWARE's SystemRoot when the
// environment lacks one, and the version's layout and genuine files. The
// maps are shared by every Pass and must not be written to.
func (h *Host) systemEnv() winpath.Env {
	h.mu.Lock()
	if h.baseEnv != nil {
		env := *h.baseEnv
		h.mu.Unlock()
		return env
	}
	h.mu.Unlock()
	env := winpath.Env{System: map[string]string{}, User: map[string]string{}, Carved: carvedSet(h.set)}
	if cs := h.CurrentControlSet(); cs != nil {
		readEnv(cs.Key, `Control\Session Manager\Environment`, env.System)
	}
	if sw := h.set.Software(); sw != nil {
		if k, err := sw.Key(`Microsoft\Windows NT\CurrentVersion`); err == nil {
			if v, err := k.Value("SystemRoot"); err == nil {
				if s, err := v.Text(); err == nil && s != "" {
					if _, ok := env.System["SystemRoot"]; !ok {
						env.System["SystemRoot"] = s
					}
				}
			}
		}
	}
	ver := h.Version()
	env.XP = ver.Family == FamXP || ver.Family == Fam2000 // Documents and Settings
	env.Genuine = ver.GenuineFiles()
	h.mu.Lock()
	h.baseEnv = &env
	h.mu.Unlock()
	return env
}

// readEnv copies the string values of k\path into into; an absent key
// leaves it empty, and unreadable values are left out (the environment is
// a best effort: a variable it lacks stays unexpanded in a finding).
func readEnv(k *hive.Key, path string, into map[string]string) {
	ek, err := k.Key(path)
	if err != nil {
		return
	}
	vals, _ := ek.Values() // best effort, as documented above
	for _, v := range vals {
		if s, err := v.Text(); err == nil {
			into[v.Name()] = s
		}
	}
}

// LabelCarved is the hive.Entry label of a view of recovered records that
// are not intact (partly overwritten, cut or in reused cells). Analyzers
// judge such a set as carved: the path assessor skips the name and folder
// checks a truncated path would mislead (winpath.Env.Carved).
const LabelCarved = "carved"

// carvedSet reports whether set is a view of carved records.
func carvedSet(set *hive.Set) bool {
	for _, e := range set.Entries {
		if e.Deleted && e.Label == LabelCarved {
			return true
		}
	}
	return false
}
