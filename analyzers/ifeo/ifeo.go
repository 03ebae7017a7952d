package ifeo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// IFEO reports Image File Execution Options that start another program or
// load DLLs whenever a given program runs or exits.
var IFEO = &analysis.Analyzer{
	Name: "ifeo",
	Doc: `Image File Execution Options: debuggers, verifier DLLs and silent-exit monitors
For every program named under Image File Execution Options (native and
Wow6432Node), Windows starts the Debugger value instead of the program,
loads VerifierDlls into it, and, when GlobalFlag has
FLG_MONITOR_SILENT_PROCESS_EXIT (0x200), runs SilentProcessExit\<program>
MonitorProcess when it exits. A Debugger is high (critical on smss, csrss,
winlogon, lsass, wininit, services and the accessibility tools that run on
the logon screen: sethc, utilman, osk, Magnify, Narrator, DisplaySwitch,
AtBroker); Debugger values under filter subkeys (UseFilter) count too. A
monitor process is high (critical on those programs), and a local dump of
lsass.exe on exit is credential theft. Other GlobalFlag bits (gflags
debugging options) run nothing but are reported low (medium on those
programs). Windows' placeholder key "Your Image File Name here without a
path" is skipped.`,
	Needs:  []hive.Kind{hive.KindSoftware},
	Attack: []string{"T1546.012", "T1546.008", "T1003.001"},
	Run:    runIFEO,
}

const (
	ifeoPath        = `Microsoft\Windows NT\CurrentVersion\Image File Execution Options`
	silentExitPath  = `Microsoft\Windows NT\CurrentVersion\SilentProcessExit`
	ifeoPlaceholder = "your image file name here without a path"
	flgSilentExit   = 0x200
)

// ifeoAccessibility are the programs the logon screen starts before anyone
// logs on; a debugger on them is a SYSTEM shell without credentials.
var ifeoAccessibility = map[string]bool{
	"sethc.exe": true, "utilman.exe": true, "osk.exe": true, "magnify.exe": true,
	"narrator.exe": true, "displayswitch.exe": true, "atbroker.exe": true,
}

// ifeoCore are the boot and logon processes that a debugger or monitor
// hijacks with SYSTEM rights at every boot.
var ifeoCore = map[string]bool{
	"smss.exe": true, "csrss.exe": true, "winlogon.exe": true, "lsass.exe": true,
	"wininit.exe": true, "services.exe": true,
}

func runIFEO(p *analysis.Pass) error {
	env := p.Env(nil)
	return p.EachSoftware(func(e *hive.Entry, root *hive.Key) error { return ifeoHive(p, e, root, env) })
}

// ifeoHive judges the IFEO and SilentProcessExit keys of one SOFTWARE hive.
func ifeoHive(p *analysis.Pass, e *hive.Entry, root *hive.Key, env winpath.Env) error {
	var out []report.Finding
	var errs []error
	for _, base := range analysis.SoftwareRoots(ifeoPath) {
		images, err := analysis.Subkeys(root, base)
		if err != nil {
			errs = append(errs, err)
		}
		for _, img := range images {
			if err := p.Context().Err(); err != nil {
				p.Report(out...)
				return err
			}
			if strings.EqualFold(img.Name(), ifeoPlaceholder) {
				continue
			}
			fs, err := ifeoImage(e, root, img, env)
			out = append(out, fs...)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", img.Path(), err))
			}
		}
	}
	fs, err := silentExitOrphans(e, root, env)
	p.Report(append(out, fs...)...)
	return errors.Join(append(errs, err)...)
}

// ifeoImage judges one image key and its filter subkeys.
func ifeoImage(e *hive.Entry, root, img *hive.Key, env winpath.Env) ([]report.Finding, error) {
	name := strings.ToLower(img.Name())
	var out []report.Finding
	var errs []error
	keys := []*hive.Key{img}
	if subs, err := img.Subkeys(); err == nil {
		keys = append(keys, subs...) // UseFilter: each subkey may carry its own Debugger
	} else {
		errs = append(errs, err)
	}
	for _, k := range keys {
		v, dbg, err := analysis.Text(k, "Debugger")
		if err != nil {
			errs = append(errs, err)
		}
		if dbg != "" {
			out = append(out, ifeoDebugger(e, k, v, name, dbg, env))
		}
	}
	verifier := false
	if v, dlls, err := analysis.Text(img, "VerifierDlls"); dlls != "" {
		out = append(out, ifeoVerifier(e, img, v, name, dlls, env))
		verifier = true
	} else if err != nil {
		errs = append(errs, err)
	}
	if v, ok, err := analysis.OptionalValue(img, "GlobalFlag"); !ok {
		errs = append(errs, err)
	} else if flags, err := ifeoFlags(v); err != nil {
		errs = append(errs, err)
	} else if flags&flgSilentExit != 0 {
		f, err := ifeoSilentExit(e, root, img, v, name, env)
		if f.Rule != "" {
			out = append(out, f)
		}
		errs = append(errs, err)
	} else if flags != 0 && !verifier { // with VerifierDlls, the flag is part of that finding
		out = append(out, ifeoGlobalFlag(e, img, v, name, flags))
	}
	return out, errors.Join(errs...)
}

// ifeoFlags reads GlobalFlag, stored as a DWORD or as hex ("0x200") or
// decimal text. Text that is no number sets no flag, as for the loader; data
// that does not decode as its type is an error.
func ifeoFlags(v *hive.Value) (uint64, error) {
	switch v.Type() {
	case hive.RegDWORD, hive.RegDWORDBigEndian, hive.RegQWORD:
		return v.Uint64()
	case hive.RegSZ, hive.RegExpandSZ:
	default:
		return 0, nil
	}
	s, err := v.Text()
	if err != nil {
		return 0, fmt.Errorf("GlobalFlag: %w", err)
	}
	s = strings.ToLower(strings.TrimSpace(s))
	base := 10
	if h, ok := strings.CutPrefix(s, "0x"); ok {
		s, base = h, 16
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return 0, nil // not a number: no flag set
	}
	return n, nil
}

func ifeoTarget(name string) (sev report.Severity, attack []string, what string) {
	switch {
	case ifeoAccessibility[name]:
		return report.Critical, []string{"T1546.008", "T1546.012"}, name + " is an accessibility tool the logon screen starts as SYSTEM before anyone logs on (Shift five times, Win+U ...): this is the classic sticky-keys backdoor, a SYSTEM shell without credentials, often reached over RDP."
	case ifeoCore[name]:
		return report.Critical, []string{"T1546.012"}, name + " is a core Windows process started as SYSTEM at every boot or logon."
	}
	return report.High, []string{"T1546.012"}, ""
}

func ifeoDebugger(e *hive.Entry, k *hive.Key, v *hive.Value, name, dbg string, env winpath.Env) report.Finding {
	f := analysis.AtValue(e, k, v)
	sev, attack, what := ifeoTarget(name)
	f.Rule, f.Severity = "ifeo.debugger", sev
	f.Title = fmt.Sprintf("IFEO Debugger on %s runs %s", name, dbg)
	f.Detail = fmt.Sprintf("Whenever %s is started, Windows runs \"%s\" instead, passing the original command line. %s Legitimate uses are developer debuggers and Process Explorer replacing taskmgr.exe; anything else is a hijack. Check the debugger program and when the key was written.", name, dbg, what)
	if k.Name() != "" && !strings.EqualFold(k.Name(), name) {
		f.Detail += " The value sits under a filter subkey (UseFilter/FilterFullPath), which only applies to one full path of the program and hides from tools that read the image key alone."
	}
	analysis.Assessed(&f, winpath.Assess(dbg, env), attack...)
	return f
}

func ifeoVerifier(e *hive.Entry, k *hive.Key, v *hive.Value, name, dlls string, env winpath.Env) report.Finding {
	f := analysis.AtValue(e, k, v)
	sev, attack, what := ifeoTarget(name)
	f.Rule, f.Severity = "ifeo.verifierdlls", sev
	f.Title = fmt.Sprintf("IFEO VerifierDlls load into %s", name)
	f.Detail = fmt.Sprintf("Application Verifier loads \"%s\" into %s at start, before its own code runs (with GlobalFlag 0x100). %s Outside a developer's test machine this is DLL injection; collect the DLLs.", dlls, name, what)
	for _, d := range strings.Fields(dlls) {
		p := d
		if n, bare := analysis.DLLName(d); bare {
			p = `%SystemRoot%\System32\` + n
		}
		analysis.Assessed(&f, winpath.AssessPath(p, env))
	}
	f.Attack = analysis.AppendUnique(f.Attack, attack...)
	return f
}

// globalFlagNames name the GlobalFlag bits seen on IFEO keys (gflags.exe's
// image settings; Microsoft "GFlags Flag Table").
var globalFlagNames = []struct {
	bit  uint64
	name string
}{
	{0x2, "FLG_SHOW_LDR_SNAPS"},
	{0x10, "FLG_HEAP_ENABLE_TAIL_CHECK"},
	{0x20, "FLG_HEAP_ENABLE_FREE_CHECK"},
	{0x40, "FLG_HEAP_VALIDATE_PARAMETERS"},
	{0x100, "FLG_APPLICATION_VERIFIER"},
	{0x1000, "FLG_USER_STACK_TRACE_DB"},
	{0x800, "FLG_HEAP_ENABLE_TAGGING"},
	{0x8000, "FLG_HEAP_ENABLE_TAG_BY_DLL"},
	{0x200000, "FLG_DISABLE_STACK_EXTENSION"},
	{0x2000000, "FLG_HEAP_PAGE_ALLOCS"},
}

// ifeoGlobalFlag reports a GlobalFlag without the silent-exit bit: debugging
// settings that run nothing by themselves, but that no production system
// needs and that ready a program for VerifierDlls (0x100).
func ifeoGlobalFlag(e *hive.Entry, img *hive.Key, v *hive.Value, name string, flags uint64) report.Finding {
	var names []string
	rest := flags
	for _, g := range globalFlagNames {
		if flags&g.bit != 0 {
			names, rest = append(names, g.name), rest&^g.bit
		}
	}
	if rest != 0 {
		names = append(names, fmt.Sprintf("0x%x", rest))
	}
	f := analysis.AtValue(e, img, v)
	f.Rule, f.Severity = "ifeo.globalflag", report.Low
	f.Attack = []string{"T1546.012"}
	f.Title = fmt.Sprintf("IFEO GlobalFlag 0x%x set on %s", flags, name)
	f.Detail = fmt.Sprintf("GlobalFlag on the IFEO key of %s sets %s: debugging options (gflags.exe) the loader applies each time %s starts. They run no program by themselves; ", name, strings.Join(names, ", "), name)
	if flags&0x100 != 0 {
		f.Detail += "FLG_APPLICATION_VERIFIER makes the loader read VerifierDlls, the DLL-injection half of this technique, which is absent now. "
	} else {
		f.Detail += "on a machine that is not a developer's they are left-overs of debugging or preparation for the GlobalFlag persistence techniques. "
	}
	if _, _, what := ifeoTarget(name); what != "" {
		f.Severity = report.Medium
		f.Detail += what + " "
	}
	f.Detail += "Check when the key was written and by whom."
	return f
}

// ifeoSilentExit judges an image whose GlobalFlag asks for silent-exit
// monitoring, with its SilentProcessExit key.
func ifeoSilentExit(e *hive.Entry, root, img *hive.Key, flag *hive.Value, name string, env winpath.Env) (report.Finding, error) {
	sk, ok, err := analysis.OptionalKey(root, silentExitPath+`\`+img.Name())
	if ok {
		f, err := silentExitFinding(e, sk, name, true, env)
		if f.Rule != "" || err != nil {
			return f, err
		}
	}
	f := analysis.AtValue(e, img, flag)
	f.Rule, f.Severity = "ifeo.silent-exit-flag", report.Low
	if _, _, what := ifeoTarget(name); what != "" {
		f.Severity = report.Medium // half of the LSASS-dump or SYSTEM-process monitor set-up
	}
	f.Title = fmt.Sprintf("GlobalFlag on %s enables silent process exit monitoring", name)
	f.Detail = fmt.Sprintf("GlobalFlag has FLG_MONITOR_SILENT_PROCESS_EXIT (0x200) for %s, but SilentProcessExit names no monitor process or dump for it, so nothing runs. The flag is half of a persistence set-up; check whether the other half was removed.", name)
	f.Attack = []string{"T1546.012"}
	return f, err
}

// silentExitFinding judges SilentProcessExit\<image>; armed says whether
// the image's GlobalFlag enables it.
func silentExitFinding(e *hive.Entry, sk *hive.Key, name string, armed bool, env winpath.Env) (report.Finding, error) {
	mv, mon, err := analysis.Text(sk, "MonitorProcess")
	mode, rv, _, rerr := analysis.Uint(sk, "ReportingMode")
	_, dumpDir, derr := analysis.Text(sk, "LocalDumpFolder")
	err = errors.Join(err, rerr, derr)
	sev, attack, what := ifeoTarget(name)
	f := analysis.At(e, sk)
	if mv != nil {
		f = analysis.AtValue(e, sk, mv)
	}
	f.Attack = attack
	state := "GlobalFlag 0x200 on its IFEO key arms it"
	if !armed {
		state = "but its IFEO GlobalFlag lacks 0x200, so it is not armed now"
		sev = report.Medium
	}
	switch {
	case mon != "" && mode&1 != 0:
		f.Rule, f.Severity = "ifeo.silent-exit-monitor", sev
		f.Title = fmt.Sprintf("SilentProcessExit runs %s when %s exits", mon, name)
		f.Detail = fmt.Sprintf("When %s exits, WerFault starts \"%s\" as the monitor process (%s). %s It is a persistence trigger that fires without touching Run keys or services.", name, mon, state, what)
		analysis.Assessed(&f, winpath.Assess(mon, env))
	case mode&2 != 0 && name == "lsass.exe":
		f = analysis.AtValue(e, sk, rv)
		f.Rule, f.Severity = "ifeo.silent-exit-dump", report.Critical
		if !armed {
			f.Severity = report.High
		}
		f.Title = "SilentProcessExit dumps lsass.exe memory"
		f.Detail = fmt.Sprintf("ReportingMode asks WerFault to write a full memory dump of lsass.exe to \"%s\" when it exits or is made to exit silently (%s): a known way to dump credentials without touching lsass with a dumping tool. Look for .dmp files in that folder.", dumpDir, state)
		f.Attack = []string{"T1003.001", "T1546.012"}
	default:
		return f, err
	}
	return f, err
}

// silentExitOrphans reports SilentProcessExit keys whose image has no IFEO
// GlobalFlag 0x200: planted but not (or no longer) armed.
func silentExitOrphans(e *hive.Entry, root *hive.Key, env winpath.Env) ([]report.Finding, error) {
	keys, err := analysis.Subkeys(root, silentExitPath)
	var out []report.Finding
	for _, sk := range keys {
		armed := false
		for _, base := range analysis.SoftwareRoots(ifeoPath) {
			img, ok, kerr := analysis.OptionalKey(root, base+`\`+sk.Name())
			err = errors.Join(err, kerr)
			if !ok {
				continue
			}
			v, ok, verr := analysis.OptionalValue(img, "GlobalFlag")
			err = errors.Join(err, verr)
			if !ok {
				continue
			}
			flags, ferr := ifeoFlags(v)
			err = errors.Join(err, ferr)
			if flags&flgSilentExit != 0 {
				armed = true
			}
		}
		if armed {
			continue // reported with its IFEO key
		}
		f, ferr := silentExitFinding(e, sk, strings.ToLower(sk.Name()), false, env)
		if f.Rule != "" {
			out = append(out, f)
		}
		err = errors.Join(err, ferr)
	}
	return out, err
}
