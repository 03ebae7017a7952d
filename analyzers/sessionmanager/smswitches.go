package sessionmanager

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/checks"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// SessionSwitches reports the other Session Manager switches and the Setup
// command line.
var SessionSwitches = &analysis.Analyzer{
	Name: "smswitches",
	Doc: `Session Manager switches and the Setup command line
GlobalFlag turns on system-wide debugging behaviour at boot (a debugger for
winlogon, loader snaps, page heap ...); ProtectionMode = 0 weakens the
security of shared kernel objects so standard users can change them;
ObjectDirectories lists the object directories smss.exe creates;
DisableWpbtExecution says whether the program the firmware plants through the
WPBT ACPI table runs at boot. SYSTEM\Setup CmdLine is run as SYSTEM before
logon whenever SetupType is not 0: Windows uses it during installation, and
attackers set SetupType 2 to run their program at every boot.`,
	Needs:  []hive.Kind{hive.KindSystem},
	Attack: []string{"T1112", "T1547", "T1542.001"},
	Run:    runSessionSwitches,
}

//go:embed smswitches.yaml
var sessionSwitchesYAML []byte

// sessionSwitchesTable holds ProtectionMode and DisableWpbtExecution.
var sessionSwitchesTable = checks.MustParsePart("smswitches", "analyzers/sessionmanager/smswitches.yaml", sessionSwitchesYAML)

// globalFlags names the GlobalFlag bits (the gflags.exe abbreviations).
var globalFlags = []struct {
	bit  uint64
	name string
}{
	{0x1, "FLG_STOP_ON_EXCEPTION"}, {0x2, "FLG_SHOW_LDR_SNAPS"}, {0x4, "FLG_DEBUG_INITIAL_COMMAND"},
	{0x8, "FLG_STOP_ON_HUNG_GUI"}, {0x10, "FLG_HEAP_ENABLE_TAIL_CHECK"}, {0x20, "FLG_HEAP_ENABLE_FREE_CHECK"},
	{0x40, "FLG_HEAP_VALIDATE_PARAMETERS"}, {0x80, "FLG_HEAP_VALIDATE_ALL"}, {0x100, "FLG_APPLICATION_VERIFIER"},
	{0x200, "FLG_MONITOR_SILENT_PROCESS_EXIT"}, {0x400, "FLG_POOL_ENABLE_TAGGING"}, {0x800, "FLG_HEAP_ENABLE_TAGGING"},
	{0x1000, "FLG_USER_STACK_TRACE_DB"}, {0x2000, "FLG_KERNEL_STACK_TRACE_DB"}, {0x4000, "FLG_MAINTAIN_OBJECT_TYPELIST"},
	{0x8000, "FLG_HEAP_ENABLE_TAG_BY_DLL"}, {0x10000, "FLG_DISABLE_STACK_EXTENSION"}, {0x20000, "FLG_ENABLE_CSRDEBUG"},
	{0x40000, "FLG_ENABLE_KDEBUG_SYMBOL_LOAD"}, {0x80000, "FLG_DISABLE_PAGE_KERNEL_STACKS"}, {0x100000, "FLG_ENABLE_SYSTEM_CRIT_BREAKS"},
	{0x200000, "FLG_HEAP_DISABLE_COALESCING"}, {0x400000, "FLG_ENABLE_CLOSE_EXCEPTIONS"}, {0x800000, "FLG_ENABLE_EXCEPTION_LOGGING"},
	{0x1000000, "FLG_ENABLE_HANDLE_TYPE_TAGGING"}, {0x2000000, "FLG_HEAP_PAGE_ALLOCS"}, {0x4000000, "FLG_DEBUG_INITIAL_COMMAND_EX"},
	{0x8000000, "FLG_DISABLE_DBGPRINT"}, {0x10000000, "FLG_CRITSEC_EVENT_CREATION"}, {0x20000000, "FLG_LDR_TOP_DOWN"},
	{0x40000000, "FLG_ENABLE_HANDLE_EXCEPTIONS"}, {0x80000000, "FLG_DISABLE_PROTDLLS"},
}

// debuggerFlags start a debugger at boot (winlogon or csrss under ntsd) or
// disable protected DLL checks: the flags an attacker would use.
const debuggerFlags = 0x4 | 0x20000 | 0x4000000 | 0x80000000

func flagNames(n uint64) []string {
	var out []string
	for _, f := range globalFlags {
		if n&f.bit != 0 {
			out = append(out, f.name)
		}
	}
	return out
}

func runSessionSwitches(p *analysis.Pass) error {
	env := p.Env(nil)
	var out []report.Finding
	err := p.EachSessionManager(func(e *hive.Entry, cs hive.ControlSet, sm *hive.Key) error {
		var errs []error
		n, v, ok, err := analysis.Uint(sm, "GlobalFlag")
		errs = append(errs, err)
		if ok && n != 0 {
			f := analysis.SMValue(e, cs, sm, v)
			f.Rule, f.Severity = "smswitches.globalflag", report.Medium
			f.Attack = []string{"T1112"}
			names := flagNames(n)
			f.Title = fmt.Sprintf("GlobalFlag %#x sets %s", n, strings.Join(names, ", "))
			f.Detail = fmt.Sprintf("The kernel applies GlobalFlag (%s) to the whole system at boot. Windows ships 0; developers set heap and tracing flags with gflags.exe.", strings.Join(names, ", "))
			if n&debuggerFlags != 0 {
				f.Severity = report.High
				f.Detail += " Some of these start a debugger for the first processes (winlogon, csrss) or disable protected-DLL checks: a debugger named there runs as SYSTEM at every boot. Look for ntsd/cdb settings and debugger programs, and find what set the flag."
			} else {
				f.Detail += " Check whether it matches a developer or support task on this host."
			}
			out = append(out, f)
		}
		if v, ok, err := analysis.OptionalValue(sm, "ObjectDirectories"); !ok {
			errs = append(errs, err)
		} else if dirs, err := analysis.ValueLines(v); err != nil {
			errs = append(errs, err)
		} else {
			want := []string{`\Windows`, `\RPC Control`}
			if !equalFoldLists(dirs, want) {
				f := analysis.SMValue(e, cs, sm, v)
				f.Rule, f.Severity = "smswitches.objectdirectories", report.Medium
				f.Attack = []string{"T1112"}
				f.Title = "ObjectDirectories is " + strings.Join(dirs, ", ")
				f.Detail = "smss.exe creates these object-manager directories at boot; Windows ships \\Windows and \\RPC Control. A changed list moves or adds places where subsystems create their objects; compare with a clean host of the same version."
				out = append(out, f)
			}
		}
		return errors.Join(errs...)
	})
	errs := []error{err, checks.Run(p, sessionSwitchesTable)}
	for _, e := range p.Set.ByKind(hive.KindSystem) {
		fs, err := setupCmdLine(e, env)
		out = append(out, fs...)
		errs = append(errs, err)
	}
	p.Report(out...)
	return errors.Join(errs...)
}

func equalFoldLists(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

// setupPrograms are the programs Windows itself puts in Setup\CmdLine.
var setupPrograms = []string{
	`%SystemRoot%\system32\oobe\windeploy.exe`, `%SystemRoot%\system32\oobe\msoobe.exe`,
	`%SystemRoot%\system32\oobe\setup.exe`, `%SystemRoot%\system32\sysprep\sysprep.exe`,
	`%SystemRoot%\system32\setup.exe`,
}

// setupCmdLine reports SYSTEM\Setup CmdLine.
func setupCmdLine(e *hive.Entry, env winpath.Env) ([]report.Finding, error) {
	root, err := e.Root()
	if err != nil {
		return nil, err
	}
	k, ok, err := analysis.OptionalKey(root, "Setup")
	if !ok {
		return nil, err
	}
	v, ok, err := analysis.OptionalValue(k, "CmdLine")
	if !ok {
		return nil, err
	}
	lines, err := analysis.ValueLines(v)
	if len(lines) == 0 {
		return nil, err
	}
	errs := []error{err}
	cmd := strings.Join(lines, " ")
	typ, _, _, err := analysis.Uint(k, "SetupType")
	errs = append(errs, err)
	inProgress, _, _, err := analysis.Uint(k, "SystemSetupInProgress")
	errs = append(errs, err)
	a := winpath.Assess(cmd, env)
	windows := false
	img := a.Command.Image
	if winpath.Resolve(img, env).Relative {
		img = `%SystemRoot%\system32\` + img // winlogon runs it from System32
		a = winpath.Assess(`"`+env.Expand(img)+`" `+a.Command.ArgString, env)
	}
	for _, p := range setupPrograms {
		if analysis.SamePath(img, p, env) {
			windows = true
		}
	}
	f := analysis.AtValue(e, k, v)
	f.Data = cmd
	f.Attack = []string{"T1547"}
	f.Rule = "setup.cmdline"
	switch {
	case typ != 0 && !windows:
		f.Severity = report.High
		f.Title = fmt.Sprintf("Setup CmdLine runs %s at boot as SYSTEM (SetupType %d)", a.Path.Base, typ)
		f.Detail = fmt.Sprintf("With SetupType %d, Windows runs Setup\\CmdLine (\"%s\") as SYSTEM before the logon screen appears, at every boot until SetupType is reset: a known persistence trick. Windows only uses it during installation (oobe\\windeploy.exe, setup). Collect %s.", typ, cmd, a.Path.Full)
	case typ != 0:
		f.Severity = report.Low
		f.Title = fmt.Sprintf("Windows setup is pending: CmdLine runs %s (SetupType %d)", a.Path.Base, typ)
		f.Detail = fmt.Sprintf("SetupType %d makes Windows run \"%s\" before logon; this is Windows' own setup program (SystemSetupInProgress = %d). Expected only during installation or an upgrade.", typ, cmd, inProgress)
	case windows:
		f.Severity = report.Info
		f.Title = "Setup CmdLine holds Windows' own setup command (not run: SetupType 0)"
		f.Detail = fmt.Sprintf("\"%s\" is left from installation; with SetupType 0 Windows does not run it. Nothing to collect.", cmd)
	default:
		f.Severity = report.Low
		f.Title = "Setup CmdLine holds " + cmd + " (not run while SetupType is 0)"
		f.Detail = fmt.Sprintf("Windows runs Setup\\CmdLine as SYSTEM at boot only when SetupType is not 0; \"%s\" is dormant, one change away from running at every boot. Find out what wrote it and collect %s.", cmd, a.Path.Full)
	}
	if f.Severity >= report.Low && !windows {
		analysis.Assessed(&f, a)
	}
	return []report.Finding{f}, errors.Join(errs...)
}
