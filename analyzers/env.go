package analyzers

import (
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
)

// hostEnv builds the environment the path assessor expands variables with:
// the system environment of the current control set (the first one when
// Select names none) and, for user hives, that user's Environment key.
func hostEnv(set *hive.Set, user *hive.Entry) winpath.Env {
	env := winpath.Env{System: map[string]string{}, User: map[string]string{}, Carved: carvedSet(set)}
	if sys := set.System(); sys != nil {
		sets, _ := sys.ControlSets()
		var pick *hive.ControlSet
		for i := range sets {
			if sets[i].IsCurrent() {
				pick = &sets[i]
				break
			}
		}
		if pick == nil && len(sets) > 0 {
			pick = &sets[0]
		}
		if pick != nil {
			readEnv(pick.Key, `Control\Session Manager\Environment`, env.System)
		}
	}
	if sw := set.Software(); sw != nil {
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
	ver := hostVersion(set)
	env.XP = ver.Family == famXP || ver.Family == fam2000 // Documents and Settings
	env.Genuine = ver.genuineFiles()
	if user != nil {
		env.UserName = user.User
		if root, err := user.Root(); err == nil {
			readEnv(root, "Environment", env.User)
		}
	}
	return env
}

func readEnv(k *hive.Key, path string, into map[string]string) {
	ek, err := k.Key(path)
	if err != nil {
		return
	}
	vals, _ := ek.Values()
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
