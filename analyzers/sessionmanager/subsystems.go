package sessionmanager

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// SubSystems checks what smss.exe starts as the Windows subsystem.
var SubSystems = &analysis.Analyzer{
	Name: "subsystems",
	Doc: `SubSystems: csrss.exe, its server DLLs and win32k, as smss.exe starts them
smss.exe starts every subsystem named in Session Manager\SubSystems\Required
(Debug, Windows) from the value of the same name: "Windows" is the csrss.exe
command line, whose ServerDll= entries csrss loads (basesrv, winsrv, sxssrv,
and consrv on older versions); Kmode names the kernel part, win32k.sys,
loaded by smss itself. A csrss path other than System32\csrss.exe is a fake
csrss started by smss in every session; an extra ServerDll runs inside csrss
as SYSTEM; a changed Kmode loads another kernel driver. Optional subsystems
(Posix, Os2) are checked against their System32 programs.`,
	Needs:  []hive.Kind{hive.KindSystem},
	Attack: []string{"T1547", "T1036.005", "T1014"},
	Run:    runSubSystems,
}

// names lists a set's names, sorted and joined with commas.
func names(set map[string]bool) string {
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// windowsOwn returns the csrss server DLLs and the optional subsystems
// (name -> program) of the host's Windows version (baselines/windows.tsv),
// and a note for findings when the version is not read directly.
func windowsOwn(ver analysis.WinVersion) (serverDLLs map[string]bool, subsystems map[string]string, note string) {
	serverDLLs, subsystems = map[string]bool{}, map[string]string{}
	for _, r := range ver.Baseline("serverdll") {
		serverDLLs[r.Name] = true
	}
	for _, r := range ver.Baseline("subsystem") {
		subsystems[r.Name] = r.Value
	}
	switch {
	case ver.Family == "":
		note = " The Windows version could not be read, so what every version ships is taken as Windows' own."
	case ver.Guessed:
		note = " Windows' own entries are those of " + ver.Family.Name() + ", the nearest known version."
	}
	return serverDLLs, subsystems, note
}

func runSubSystems(p *analysis.Pass) error {
	env := p.Env(nil)
	knownServerDLLs, knownSubsystems, versionNote := windowsOwn(p.Version())
	var out []report.Finding
	err := p.EachSessionManager(func(e *hive.Entry, cs hive.ControlSet, sm *hive.Key) error {
		k, ok, err := analysis.OptionalKey(sm, "SubSystems")
		if !ok {
			return err
		}
		var errs []error
		// text reads a subsystem's command line; a value of another type
		// reads as "" (it is still reported, with its data).
		text := func(name string) (string, *hive.Value) {
			v, ok, err := analysis.OptionalValue(k, name)
			if !ok {
				errs = append(errs, err)
				return "", nil
			}
			if t := v.Type(); t != hive.RegSZ && t != hive.RegExpandSZ {
				return "", v
			}
			s, err := v.Text()
			errs = append(errs, err)
			return strings.TrimSpace(s), v
		}
		if line, v := text("Windows"); v != nil {
			out = append(out, judgeCsrssLine(analysis.SMValue(e, cs, k, v), line, env, knownServerDLLs, versionNote)...)
		}
		if km, v := text("Kmode"); v != nil && !analysis.SamePath(km, `\SystemRoot\System32\win32k.sys`, env) {
			f := analysis.SMValue(e, cs, k, v)
			f.Rule, f.Severity = "subsystems.kmode", report.Critical
			f.Attack = []string{"T1014"}
			f.Title = "SubSystems Kmode loads " + km + " instead of win32k.sys"
			f.Detail = fmt.Sprintf("smss.exe loads the kernel driver named by Kmode (%s) as the kernel half of the Windows subsystem at every boot; Windows ships \\SystemRoot\\System32\\win32k.sys. Collect the file: it runs in the kernel before any security product.", km)
			analysis.Assessed(&f, winpath.AssessPath(km, env))
			out = append(out, f)
		}
		for _, list := range []string{"Required", "Optional"} {
			v, ok, err := analysis.OptionalValue(k, list)
			if !ok {
				errs = append(errs, err)
				continue
			}
			names, err := analysis.ValueLines(v)
			errs = append(errs, err)
			for _, n := range names {
				l := strings.ToLower(n)
				if l == "windows" || l == "debug" || (list == "Optional" && knownSubsystems[l] != "") {
					continue
				}
				f := analysis.SMValue(e, cs, k, v)
				f.Data = n
				f.Rule, f.Severity = "subsystems.extra", report.High
				f.Attack = []string{"T1547"}
				cmd, _ := text(n)
				f.Title = fmt.Sprintf("SubSystems %s names an extra subsystem \"%s\"", list, n)
				f.Detail = fmt.Sprintf("smss.exe starts the program in the SubSystems value \"%s\" (\"%s\") as a subsystem at boot (%s ones in every session). Windows only names Debug and Windows (and Posix or Os2 as optional). Collect the program.", n, cmd, strings.ToLower(list))
				if cmd != "" {
					analysis.Assessed(&f, winpath.Assess(cmd, env))
				}
				out = append(out, f)
			}
		}
		if dbg, v := text("Debug"); v != nil && dbg != "" {
			f := analysis.SMValue(e, cs, k, v)
			f.Rule, f.Severity = "subsystems.debug", report.High
			f.Attack = []string{"T1547"}
			f.Title = "SubSystems Debug starts " + dbg
			f.Detail = fmt.Sprintf("Debug is a required subsystem: smss.exe starts \"%s\" at boot. Windows leaves it empty. Collect the program.", dbg)
			analysis.Assessed(&f, winpath.Assess(dbg, env))
			out = append(out, f)
		}
		for name, want := range knownSubsystems {
			if cmd, v := text(name); v != nil && cmd != "" {
				img := winpath.ParseCommandLine(cmd).Image
				if analysis.SamePath(img, want, env) {
					continue
				}
				f := analysis.SMValue(e, cs, k, v)
				f.Rule, f.Severity = "subsystems.optional-path", report.High
				f.Attack = []string{"T1547"}
				f.Title = fmt.Sprintf("SubSystems %s starts %s", v.Name(), img)
				f.Detail = fmt.Sprintf("smss.exe starts the %s subsystem from \"%s\" when a program needs it; Windows ships %s. Collect the program.", v.Name(), cmd, want)
				analysis.Assessed(&f, winpath.Assess(cmd, env))
				out = append(out, f)
			}
		}
		return errors.Join(errs...)
	})
	p.Report(out...)
	return err
}

// judgeCsrssLine checks the csrss.exe command line of the Windows value.
func judgeCsrssLine(base report.Finding, line string, env winpath.Env, knownServerDLLs map[string]bool, versionNote string) []report.Finding {
	var out []report.Finding
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil
	}
	img := fields[0]
	if !analysis.SamePath(img, `%SystemRoot%\system32\csrss.exe`, env) {
		f := base
		f.Attack = []string{"T1036.005"}
		f.Rule, f.Severity = "subsystems.csrss-path", report.Critical
		f.Title = "SubSystems starts csrss from " + winpath.Resolve(img, env).Full
		f.Detail = fmt.Sprintf("smss.exe starts the Windows subsystem process from the first word of the Windows value, in session 0 and in every logon session, as SYSTEM and as a critical process. Here it is %s instead of %%SystemRoot%%\\system32\\csrss.exe: smss itself would start the fake. Collect that file and the real System32\\csrss.exe.", img)
		analysis.Assessed(&f, winpath.AssessPath(img, env))
		out = append(out, f)
	}
	for _, arg := range fields[1:] {
		key, val, ok := strings.Cut(arg, "=")
		if !ok {
			continue
		}
		switch strings.ToLower(key) {
		case "objectdirectory":
			if !strings.EqualFold(val, `\Windows`) {
				f := base
				f.Attack = []string{"T1014"}
				f.Rule, f.Severity = "subsystems.objectdirectory", report.High
				f.Title = "csrss.exe is told to use the object directory " + val
				f.Detail = fmt.Sprintf("ObjectDirectory names where the Windows subsystem creates its objects; Windows uses \\Windows. %s moves them, which breaks or intercepts the subsystem. Compare with a clean host and find what changed the value.", val)
				out = append(out, f)
			}
		case "serverdll":
			name := val
			if i := strings.IndexAny(name, ":,"); i >= 0 {
				name = name[:i]
			}
			if knownServerDLLs[strings.ToLower(name)] {
				continue
			}
			f := base
			f.Attack = []string{"T1547"}
			f.Data = arg
			f.Rule, f.Severity = "subsystems.serverdll", report.High
			dll := winpath.Resolve(name, env)
			if dll.Ext == ".exe" || dll.Ext == "" {
				dll = winpath.Resolve(strings.TrimSuffix(name, ".exe")+".dll", env)
			}
			f.Title = "csrss.exe loads the unknown server DLL " + name
			f.Detail = fmt.Sprintf("csrss.exe loads every ServerDll= of its command line at start, inside the critical SYSTEM process of every session. This version of Windows ships %s; \"%s\" is none of them. Collect %s.%s", names(knownServerDLLs), arg, dll.Full, versionNote)
			analysis.Assessed(&f, winpath.AssessPath(dll.Full, env))
			out = append(out, f)
		}
	}
	return out
}
