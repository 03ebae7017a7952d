package sessionmanager

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// Environment judges the system and per-user environment variables.
var Environment = &analysis.Analyzer{
	Name: "environment",
	Doc: `Environment: system and user variables that redirect programs
smss.exe builds the system environment from Session Manager\Environment at
boot; each user's Environment key (NTUSER.DAT) is added at logon. Every
process inherits them. Path entries that users can write to, or that come
before System32, let a planted program or DLL be found first; ComSpec names
the command interpreter; windir or SystemRoot set per user redirects
auto-elevating tasks (a known UAC bypass); COR_PROFILER and friends load a DLL
into every .NET process; DOTNET_STARTUP_HOOKS runs an assembly in every .NET
Core process; UserInitMprLogonScript runs a script at each logon; PATHEXT
additions make more file types run as programs.`,
	Needs:  []hive.Kind{hive.KindSystem, hive.KindNTUser, hive.KindDefault},
	Attack: []string{"T1574.007", "T1574.012", "T1037.001", "T1548.002", "T1574"},
	Run:    runEnvironment,
}

// envScope is one environment block: the system one of a control set, or a
// user's.
type envScope struct {
	e      *hive.Entry
	cs     *hive.ControlSet // nil for user hives
	key    *hive.Key
	env    winpath.Env
	system bool
	who    string // "the system environment", "alice's environment"
}

func runEnvironment(p *analysis.Pass) error {
	var out []report.Finding
	sysEnv := p.Env(nil)
	err := p.EachSessionManager(func(e *hive.Entry, cs hive.ControlSet, sm *hive.Key) error {
		k, ok, err := analysis.OptionalKey(sm, "Environment")
		if !ok {
			return err
		}
		fs, err := judgeEnvironment(envScope{e: e, cs: &cs, key: k, env: sysEnv, system: true, who: "the system environment"})
		out = append(out, fs...)
		return err
	})
	users := p.Set.Users()
	if d := p.Set.Default(); d != nil {
		users = append(users, d)
	}
	for _, u := range users {
		root, err := u.Root()
		if err != nil {
			p.Problem(fmt.Errorf("%s: %w", u.Path, err))
			continue
		}
		k, ok, err := analysis.OptionalKey(root, "Environment")
		if !ok {
			p.Problem(err)
			continue
		}
		who := "the environment of user " + u.User
		if u.Kind() == hive.KindDefault {
			who = "the .DEFAULT profile's environment (used by the logon screen and some SYSTEM processes)"
		} else if u.User == "" {
			who = "a user's environment"
		}
		fs, err := judgeEnvironment(envScope{e: u, key: k, env: p.Env(u), who: who})
		out = append(out, fs...)
		p.Problem(err)
	}
	p.Report(out...)
	return err
}

// finding returns a finding at value v of the scope's key.
func (s envScope) finding(v *hive.Value) report.Finding {
	f := analysis.AtValue(s.e, s.key, v)
	if s.cs != nil {
		f = analysis.InSet(f, *s.cs)
	}
	f.Attack = []string{}
	return f
}

func judgeEnvironment(s envScope) ([]report.Finding, error) {
	vals, err := s.key.Values()
	errs := []error{err}
	byName := map[string]*hive.Value{}
	for _, v := range vals {
		byName[strings.ToLower(v.Name())] = v
	}
	text := func(name string) (string, *hive.Value) {
		v := byName[strings.ToLower(name)]
		if v == nil {
			return "", nil
		}
		t, ok, err := analysis.ValueText(v)
		errs = append(errs, err)
		if !ok {
			return "", v // another type: reported with its data, judged as ""
		}
		return strings.TrimSpace(t), v
	}
	var out []report.Finding
	if p, v := text("Path"); v != nil {
		out = append(out, judgePath(s, v, p)...)
	}
	if c, v := text("ComSpec"); v != nil && c != "" && !analysis.SamePath(c, `%SystemRoot%\system32\cmd.exe`, s.env) {
		f := s.finding(v)
		f.Rule, f.Severity = "environment.comspec", report.High
		f.Attack = []string{"T1574.007"}
		f.Title = "ComSpec in " + s.who + " names " + c
		f.Detail = fmt.Sprintf("ComSpec is the command interpreter programs start for shell commands (system(), batch files, many installers and services). Here it is \"%s\" instead of %%SystemRoot%%\\system32\\cmd.exe, so that program runs whenever anything asks for a command shell. Collect it and check its signature.", c)
		analysis.Assessed(&f, winpath.Assess(c, s.env))
		out = append(out, f)
	}
	if !s.system {
		for _, name := range []string{"windir", "SystemRoot"} {
			if val, v := text(name); v != nil {
				f := s.finding(v)
				f.Rule, f.Severity = "environment.user-windir", report.High
				f.Attack = []string{"T1548.002"}
				f.Title = name + " is redefined in " + s.who
				f.Detail = fmt.Sprintf("Windows defines %%%s%% system-wide; a per-user value (\"%s\") overrides it for that user's processes. Auto-elevating scheduled tasks such as SilentCleanup start %%windir%%\\system32\\... with high integrity, so this redirect runs the attacker's program elevated without a UAC prompt (a documented UAC bypass). Look in %s for a fake system32 folder and remove the value.", name, val, s.env.Expand(val))
				out = append(out, f)
			}
		}
	}
	if pe, v := text("PATHEXT"); v != nil {
		if added := pathextAdded(pe); len(added) > 0 {
			f := s.finding(v)
			f.Rule, f.Severity = "environment.pathext", report.Low
			f.Title = "PATHEXT in " + s.who + " adds " + strings.Join(added, ", ")
			f.Detail = "PATHEXT lists the extensions the command prompt runs when a command is typed without one. Windows ships .COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC; with " + strings.Join(added, ", ") + " added, files of those types found on the Path run as commands. Language runtimes (Python) add their own; anything else deserves a look at what installed it."
			out = append(out, f)
		}
	}
	out = append(out, judgeProfiler(s, text)...)
	if cmd, v := text("UserInitMprLogonScript"); v != nil && cmd != "" {
		f := s.finding(v)
		f.Rule, f.Severity = "environment.logon-script", report.High
		f.Attack = []string{"T1037.001"}
		f.Title = "UserInitMprLogonScript in " + s.who + " runs " + cmd
		f.Detail = fmt.Sprintf("userinit.exe runs UserInitMprLogonScript (\"%s\") at every logon of this user, before the desktop appears. Administrators rarely set it by hand; collect the script or program it names.", cmd)
		analysis.Assessed(&f, winpath.Assess(cmd, s.env))
		out = append(out, f)
	}
	if hooks, v := text("DOTNET_STARTUP_HOOKS"); v != nil && hooks != "" {
		f := s.finding(v)
		f.Rule, f.Severity = "environment.dotnet-startup-hooks", report.High
		f.Attack = []string{"T1574"}
		f.Title = "DOTNET_STARTUP_HOOKS in " + s.who + " loads " + hooks
		f.Detail = fmt.Sprintf("Every .NET (Core) process started with this environment runs the startup hook assemblies \"%s\" before its own Main. Collect the assemblies and check what set the variable.", hooks)
		for _, h := range strings.Split(hooks, ";") {
			if h = strings.TrimSpace(h); h != "" {
				analysis.Assessed(&f, winpath.AssessPath(h, s.env))
			}
		}
		out = append(out, f)
	}
	return out, errors.Join(errs...)
}

// defaultPathext are the extensions Windows puts in PATHEXT.
var defaultPathext = map[string]bool{".com": true, ".exe": true, ".bat": true, ".cmd": true, ".vbs": true, ".vbe": true, ".js": true, ".jse": true, ".wsf": true, ".wsh": true, ".msc": true, ".cpl": true}

func pathextAdded(pe string) []string {
	var out []string
	for _, x := range strings.Split(pe, ";") {
		x = strings.TrimSpace(x)
		if x != "" && !defaultPathext[strings.ToLower(x)] && !strings.Contains(x, "%") {
			out = append(out, x)
		}
	}
	return out
}

// judgeProfiler reports the .NET profiler variables (COR_ for the .NET
// Framework, CORECLR_ for .NET Core).
func judgeProfiler(s envScope, text func(string) (string, *hive.Value)) []report.Finding {
	var out []report.Finding
	for _, pre := range []string{"COR_", "CORECLR_"} {
		enable, ev := text(pre + "ENABLE_PROFILING")
		clsid, cv := text(pre + "PROFILER")
		var path string
		var pv *hive.Value
		for _, n := range []string{"PROFILER_PATH", "PROFILER_PATH_64", "PROFILER_PATH_32"} {
			if p, v := text(pre + n); v != nil && p != "" {
				path, pv = p, v
				break
			}
		}
		at := pv
		for _, v := range []*hive.Value{cv, ev} {
			if at == nil {
				at = v
			}
		}
		if at == nil || (clsid == "" && path == "") {
			continue
		}
		f := s.finding(at)
		f.Attack = []string{"T1574.012"}
		f.Rule, f.Severity = "environment.cor-profiler", report.High
		what := path
		if what == "" {
			what = "the COM class " + clsid
		}
		f.Title = fmt.Sprintf("%s loads a .NET profiler (%s) into every .NET process", s.who, what)
		f.Detail = fmt.Sprintf("With %sENABLE_PROFILING=1 the .NET runtime loads the profiler DLL named by %sPROFILER (%s) and %sPROFILER_PATH (%s) into every managed process started with this environment, a way to run code inside trusted programs. Collect the DLL (or the InprocServer32 of the CLSID) and check its signer.", pre, pre, orNone(clsid), pre, orNone(path))
		if enable != "1" {
			f.Severity = report.Medium
			f.Title = fmt.Sprintf("%s names a .NET profiler (%s) that is not enabled", s.who, what)
			f.Detail += fmt.Sprintf(" %sENABLE_PROFILING is \"%s\", so the profiler is dormant until it is set to 1.", pre, enable)
		}
		if path != "" {
			analysis.Assessed(&f, winpath.AssessPath(path, s.env))
		}
		out = append(out, f)
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "not set"
	}
	return s
}

// judgePath reports Path entries that are relative, user-writable or placed
// before System32 (system Path only: user entries come after it).
func judgePath(s envScope, v *hive.Value, path string) []report.Finding {
	var out []report.Finding
	entries := strings.Split(path, ";")
	sys32 := -1
	for i, ent := range entries {
		if strings.TrimSpace(ent) != "" && analysis.SamePath(strings.TrimSpace(ent), `%SystemRoot%\system32`, s.env) {
			sys32 = i
			break
		}
	}
	for i, ent := range entries {
		ent = strings.TrimSpace(strings.Trim(strings.TrimSpace(ent), `"`))
		if ent == "" {
			continue
		}
		exp := s.env.Expand(ent)
		if strings.Contains(exp, "%") {
			continue // an unknown variable: nothing to judge
		}
		before := s.system && (sys32 < 0 || i < sys32)
		f := s.finding(v)
		f.Data = ent
		f.Attack = []string{"T1574.007"}
		if !isAbsolutePath(exp) {
			f.Rule, f.Severity = "environment.path-relative", report.Medium
			f.Title = fmt.Sprintf("Path in %s holds the relative entry \"%s\"", s.who, ent)
			f.Detail = fmt.Sprintf("A relative Path entry is resolved against each program's current directory, so any folder a program is started from (a download or share) is searched for commands and DLLs. Remove \"%s\" and look for programs and DLLs with system names in user folders.", ent)
			out = append(out, f)
			continue
		}
		probe := winpath.Resolve(strings.TrimRight(exp, `\`)+`\probe.dll`, s.env)
		if winpath.IsSystemDir(probe) {
			continue
		}
		writable := winpath.IsUserWritable(probe)
		where := ""
		if before {
			where = " It comes before System32, so cmd.exe and PowerShell find a program placed there before the Windows one of the same name."
		}
		switch {
		case writable && s.system:
			f.Rule, f.Severity = "environment.path-user-writable", report.Medium
			f.Title = fmt.Sprintf("The system Path includes the user-writable folder %s", probe.Dir)
			f.Detail = fmt.Sprintf("Every process, including services running as SYSTEM, searches %s for commands and for DLLs that are not found in the usual places (phantom DLLs); standard users can usually create files there, which turns it into a privilege escalation path.%s Software installed under ProgramData does this; check the folder's permissions and look for DLLs and programs with system names in it.", probe.Dir, where)
		case before:
			f.Rule, f.Severity = "environment.path-before-system32", report.Low
			f.Title = fmt.Sprintf("The system Path searches %s before System32", probe.Dir)
			f.Detail = fmt.Sprintf("%s is listed before %%SystemRoot%%\\system32.%s Installers sometimes prepend their folder; make sure it holds no copies of Windows commands (net.exe, cmd.exe, powershell.exe ...).", probe.Dir, where)
		default:
			f.Rule = "environment.path-location"
		}
		a := winpath.AssessPath(probe.Full, s.env)
		if a.Severity >= report.High {
			if f.Rule == "environment.path-location" {
				f.Rule = "environment.path-user-writable"
				f.Title = fmt.Sprintf("Path in %s includes %s", s.who, probe.Dir)
				f.Detail = fmt.Sprintf("Programs started with this environment search %s for commands and DLLs.%s", probe.Dir, where)
			}
			for _, r := range a.Reasons {
				if r.Severity >= report.High {
					f.Severity = report.Max(f.Severity, r.Severity)
					f.Detail += " " + strings.Replace(r.Text, "The program", "The folder", 1)
				}
			}
		}
		if f.Rule != "environment.path-location" {
			out = append(out, f)
		}
	}
	return out
}

// isAbsolutePath reports a drive-rooted or UNC path.
func isAbsolutePath(p string) bool {
	return strings.HasPrefix(p, `\\`) || (len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/'))
}
