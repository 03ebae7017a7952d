package analyzers

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/autostart"
	"github.com/hivescan/hivescan/analyzers/deleted"
	"github.com/hivescan/hivescan/analyzers/ifeo"
	"github.com/hivescan/hivescan/analyzers/services"
	"github.com/hivescan/hivescan/analyzers/sessionmanager"
)

// all is every analyzer, in the order they run: what smss.exe reads at
// boot, then the autostart locations, services and the DLLs machine-wide
// processes load, then the analyzers of recovered (deleted) records. It is
// the one list: a new analyzer is added here and nowhere else.
var all = []*analysis.Analyzer{
	sessionmanager.BootExecute,
	sessionmanager.PendingRenames,
	sessionmanager.KnownDLLs,
	sessionmanager.Environment,
	sessionmanager.SubSystems,
	sessionmanager.DosDevices,
	sessionmanager.AppCertDlls,
	sessionmanager.PagingFiles,
	sessionmanager.SessionSwitches,
	autostart.RunKeys,
	autostart.Winlogon,
	autostart.WindowsKey,
	autostart.ShellFolders,
	services.Services,
	ifeo.IFEO,
	services.LSA,
	services.PrintMonitors,
	services.Netsh,
	services.TimeProviders,
	services.Wow64,
	services.CmdAutoRun,
	services.ActiveSetup,
	deleted.DeletedOrphans,
}

// All returns every analyzer, in the order they run (a new slice: callers
// may change it).
func All() []*analysis.Analyzer { return append([]*analysis.Analyzer(nil), all...) }

// Choose returns the analyzers of list named in only (all when empty) minus
// those named in skip. Unknown names are an error.
func Choose(list []*analysis.Analyzer, only, skip []string) ([]*analysis.Analyzer, error) {
	byName := map[string]*analysis.Analyzer{}
	for _, a := range list {
		byName[a.Name] = a
	}
	check := func(names []string) (map[string]bool, error) {
		set := map[string]bool{}
		for _, n := range names {
			n = strings.ToLower(strings.TrimSpace(n))
			if n == "" {
				continue
			}
			if byName[n] == nil {
				known := make([]string, 0, len(list))
				for _, a := range list {
					known = append(known, a.Name)
				}
				sort.Strings(known)
				return nil, fmt.Errorf("unknown analyzer \"%s\" (known: %s)", n, strings.Join(known, ", "))
			}
			set[n] = true
		}
		return set, nil
	}
	onlySet, err := check(only)
	if err != nil {
		return nil, err
	}
	skipSet, err := check(skip)
	if err != nil {
		return nil, err
	}
	var out []*analysis.Analyzer
	for _, a := range list {
		if len(onlySet) > 0 && !onlySet[a.Name] {
			continue
		}
		if skipSet[a.Name] {
			continue
		}
		out = append(out, a)
	}
	return out, nil
}
