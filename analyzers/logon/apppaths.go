package logon

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// AppPaths reports App Paths entries of Windows' own program names that
// point elsewhere.
var AppPaths = &analysis.Analyzer{
	Name: "apppaths",
	Doc: `App Paths: Windows' own program names sent to another file
ShellExecute (the Run dialog, "start notepad", Explorer's address bar, many
programs) looks a bare program name up in Software\Microsoft\Windows\
CurrentVersion\App Paths before the search path, in the user's hive first,
then in SOFTWARE. An App Paths entry named after one of Windows' own programs
(cmd.exe, powershell.exe, notepad.exe, sethc.exe...) whose file is not in the
Windows folder or Windows' own Program Files folders makes that name start
another program: high. Entries of other names are installers' and are not
reported.`,
	Needs:  []hive.Kind{hive.KindSoftware, hive.KindNTUser},
	Attack: []string{"T1574", "T1546"},
	Run:    runAppPaths,
}

// windowsPrograms are program names Windows itself provides, with the
// folders below Program Files (besides the Windows folder) where Windows'
// own App Paths entries put them; Microsoft Store packages count too (storeApp).
var windowsPrograms = map[string][]string{
	"cmd.exe": nil, "powershell.exe": nil, "notepad.exe": nil, "regedit.exe": nil, "taskmgr.exe": nil,
	"mmc.exe": nil, "explorer.exe": nil, "calc.exe": nil, "control.exe": nil, "msconfig.exe": nil,
	"sethc.exe": nil, "utilman.exe": nil, "osk.exe": nil, "magnify.exe": nil, "narrator.exe": nil,
	"mspaint.exe": nil, "pbrush.exe": nil, "snippingtool.exe": nil, "mstsc.exe": nil, "rundll32.exe": nil,
	"wordpad.exe": {`Windows NT\Accessories`}, "write.exe": {`Windows NT\Accessories`},
	"iexplore.exe": {`Internet Explorer`}, "wmplayer.exe": {`Windows Media Player`},
	"tabtip.exe": {`Common Files\microsoft shared\ink`},
}

func runAppPaths(p *analysis.Pass) error {
	var out []report.Finding
	var errs []error
	judge := func(e *hive.Entry, root *hive.Key, path string) {
		subs, err := analysis.Subkeys(root, path)
		errs = append(errs, err)
		env := p.Env(e)
		for _, k := range subs {
			folders, own := windowsPrograms[strings.ToLower(k.Name())]
			if !own {
				continue
			}
			v, file, err := analysis.Text(k, "")
			errs = append(errs, err)
			if v == nil || file == "" {
				continue
			}
			if f, ok := appPath(e, k, v, file, folders, env); ok {
				out = append(out, f)
			}
		}
	}
	errs = append(errs, p.EachSoftware(func(e *hive.Entry, root *hive.Key) error {
		judge(e, root, `Microsoft\Windows\CurrentVersion\App Paths`)
		judge(e, root, `Wow6432Node\Microsoft\Windows\CurrentVersion\App Paths`)
		return nil
	}))
	for _, e := range p.Set.ByKind(hive.KindNTUser) {
		root, err := e.Root()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
			continue
		}
		judge(e, root, `Software\Microsoft\Windows\CurrentVersion\App Paths`)
	}
	p.Report(out...)
	return errors.Join(errs...)
}

// storeApp reports whether dir (lower case, ending in `\`) is a folder of
// a Microsoft Store package: Windows 11's Notepad and Paint register their
// per-user App Paths in Program Files\WindowsApps\Microsoft.<app>_<version>_
// <arch>__8wekyb3d8bbwe (seen in the corpus's Windows 11 NTUSER.DAT;
// 8wekyb3d8bbwe is Microsoft's publisher id).
func storeApp(dir string, env winpath.Env) bool {
	base := strings.ToLower(strings.TrimRight(env.Expand(`%ProgramFiles%\WindowsApps`), `\`)) + `\`
	rest, ok := strings.CutPrefix(dir, base)
	if !ok {
		return false
	}
	pkg, _, _ := strings.Cut(rest, `\`)
	return strings.HasPrefix(pkg, "microsoft.") && strings.HasSuffix(pkg, "__8wekyb3d8bbwe") && !strings.Contains(pkg, "..")
}

// appPath judges one entry named after a Windows program: quiet when its
// file is in the Windows folder or one of Windows' own Program Files
// folders for that program.
func appPath(e *hive.Entry, k *hive.Key, v *hive.Value, file string, folders []string, env winpath.Env) (report.Finding, bool) {
	img := strings.Trim(file, `" `) // a path, not a command line: spaces need no quotes here
	res := winpath.Resolve(img, env)
	dir := strings.ToLower(res.Dir) + `\`
	inside := func(base string) bool {
		b := strings.ToLower(strings.TrimRight(env.Expand(base), `\`)) + `\`
		return strings.HasPrefix(dir, b)
	}
	ok := inside(`%SystemRoot%`) || storeApp(dir, env)
	for _, f := range folders {
		ok = ok || inside(`%ProgramFiles%\`+f) || inside(`%ProgramFiles(x86)%\`+f) || inside(`%ProgramW6432%\`+f)
	}
	a := winpath.Assess(`"`+img+`"`, env)
	if ok && len(a.Reasons) == 0 {
		return report.Finding{}, false
	}
	f := analysis.AtValue(e, k, v)
	f.Analyzer, f.Rule, f.Severity = "apppaths", "apppaths.windows-name", report.High
	f.Attack = []string{"T1574", "T1546"}
	whose := "every user's"
	if e.Kind() == hive.KindNTUser {
		whose = e.User + "'s"
	}
	f.Title = fmt.Sprintf("App Paths sends %s to %s", k.Name(), res.Full)
	f.Detail = fmt.Sprintf("ShellExecute looks %s up in App Paths before the search path, so when %s programs, the Run dialog or Explorer start %q by name, Windows starts %s instead of its own %s. Windows' own entry, when there is one, points into the Windows folder or Windows' own Program Files folder. Collect the file and check who wrote the key (its last-write time).", k.Name(), whose, strings.TrimSuffix(k.Name(), ".exe"), res.Full, k.Name())
	analysis.Assessed(&f, a)
	return f, true
}
