package analyzers

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/appcompat"
	"github.com/hivescan/hivescan/analyzers/autostart"
	"github.com/hivescan/hivescan/analyzers/checks"
	"github.com/hivescan/hivescan/analyzers/com"
	"github.com/hivescan/hivescan/analyzers/deleted"
	"github.com/hivescan/hivescan/analyzers/ifeo"
	"github.com/hivescan/hivescan/analyzers/inproc"
	"github.com/hivescan/hivescan/analyzers/logon"
	"github.com/hivescan/hivescan/analyzers/office"
	"github.com/hivescan/hivescan/analyzers/posture"
	"github.com/hivescan/hivescan/analyzers/services"
	"github.com/hivescan/hivescan/analyzers/sessionmanager"
	"github.com/hivescan/hivescan/analyzers/targets"
	"github.com/hivescan/hivescan/analyzers/tasks"
)

// all is every analyzer, in the order they run: what smss.exe reads at
// boot, then the autostart locations, services and the DLLs machine-wide
// processes load, the security settings (posture), then the analyzers of recovered (deleted) records. It is
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
	autostart.IniFiles,
	autostart.ShellFolders,
	logon.Logon,
	logon.SafeBoot,
	logon.Telemetry,
	logon.AppPaths,
	services.Services,
	ifeo.IFEO,
	services.LSA,
	services.PrintMonitors,
	services.Netsh,
	services.TimeProviders,
	services.Wow64,
	services.CmdAutoRun,
	appcompat.Shims,
	services.Svchost,
	services.Provisioning,
	services.ActiveSetup,
	inproc.InProc,
	inproc.Winsock,
	com.COMHijack,
	com.COMAutostart,
	com.UACBypass,
	com.CredProviders,
	office.Office,
	posture.Defender,
	posture.UAC,
	posture.Credentials,
	posture.RemoteAccess,
	posture.Logging,
	posture.Hardening,
	tasks.Tasks,
	targets.Sweep,
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

// WithRules returns list followed by the analyzers of the check files at
// paths (scan --rules: YAML tables, or folders of them, in the format of
// docs/rules.md). A file that does not load, or that declares an analyzer
// name already in list or in an earlier file, is an error naming the file.
func WithRules(list []*analysis.Analyzer, paths []string) ([]*analysis.Analyzer, error) {
	out := append([]*analysis.Analyzer(nil), list...)
	names := map[string]string{}
	for _, a := range list {
		names[a.Name] = "a built-in analyzer"
	}
	var errs []error
	for _, p := range paths {
		files, err := checks.Load(p)
		if err != nil {
			errs = append(errs, err)
		}
		for _, f := range files {
			if other, taken := names[f.Analyzer]; taken {
				errs = append(errs, fmt.Errorf("%s: analyzer %q is already %s", f.Name, f.Analyzer, other))
				continue
			}
			names[f.Analyzer] = "declared by " + f.Name
			out = append(out, checks.New(f))
		}
	}
	return out, errors.Join(errs...)
}
