package autostart

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// Winlogon judges the programs and DLLs Winlogon starts at logon.
var Winlogon = &analysis.Analyzer{
	Name: "winlogon",
	Doc: `Winlogon: shell, Userinit and helper programs started at logon
Winlogon (SOFTWARE and its Wow6432Node view, and the user's own Winlogon key)
names the programs every logon starts: Shell (explorer.exe), Userinit
(System32's userinit.exe, anything after it runs too), Taskman, AppSetup,
System, VmApplet, UIHost, mpnotify and GinaDLL, the XP Notify packages and the
Group Policy client-side extensions. Anything but the defaults of the host's
Windows version is reported high, with the path assessor's verdict on each
program. Also: accounts hidden from the logon screen (SpecialAccounts\UserList),
Server Core's AlternateShells and SYSTEM's SafeBoot AlternateShell.`,
	Needs:  []hive.Kind{hive.KindSoftware, hive.KindNTUser, hive.KindDefault, hive.KindSystem},
	Attack: []string{"T1547.004", "T1564.002", "T1562.009"},
	Run:    runWinlogon,
}

// winlogonValue is one program-valued setting of the Winlogon key.
type winlogonValue struct {
	name string
	// defaults are the command lines Windows ships, by CurrentVersion prefix
	// ("" for every version). An item equal to one of them is not reported.
	defaults map[string][]string
	list     bool // a comma-separated list of programs, each started
	dll      bool // a DLL loaded into winlogon.exe
	what     string
}

var winlogonValues = []winlogonValue{
	// The "3." rows are Windows NT 3.x's defaults, as the NT 3.1 SOFTWARE hive
	// of the corpus (msuhanov regf-samples 3.1) holds them: Program Manager
	// and the 16-bit WOW host as the shell, NetDDE's agent after userinit,
	// the spooler started by Winlogon, and Control Panel's System applet for
	// the page file.
	{name: "Shell", list: true, defaults: map[string][]string{"": {"explorer.exe"}, "3.": {"progman", "wowexec"}},
		what: "Userinit starts the Shell value as the user's desktop after logon; Windows ships explorer.exe. Anything else runs at every logon instead of, or next to, Explorer."},
	{name: "Userinit", list: true, defaults: map[string][]string{"": {`%SystemRoot%\system32\userinit.exe`}, "4.": {"nddeagnt.exe"}, "3.": {"userinit", "nddeagnt.exe"}},
		what: "Winlogon starts every comma-separated program of Userinit in the new session at each logon, with the user's rights; Windows ships only System32's userinit.exe (with a trailing comma). Each further item runs at every logon."},
	{name: "Taskman", what: "Taskman names the program started as task manager when the user presses Ctrl+Shift+Esc (and, on old Windows, at logon); Windows ships no Taskman value."},
	{name: "AppSetup", defaults: map[string][]string{"": {"UsrLogon.Cmd"}},
		what: "Winlogon runs AppSetup at logon on Terminal Servers (UsrLogon.Cmd, the application compatibility script); a client ships no AppSetup value."},
	{name: "System", list: true, defaults: map[string][]string{"": {"lsass.exe"}, "3.": {"spoolss.exe"}},
		what: "Winlogon starts the System value's programs in the SYSTEM context during startup; current Windows leaves it empty."},
	{name: "VmApplet", defaults: map[string][]string{"": {"SystemPropertiesPerformance.exe /pagefile", `rundll32 shell32,Control_RunDLL "sysdm.cpl"`}, "3.": {"control main.cpl system"}},
		what: "Winlogon starts VmApplet at logon to let the user fix a missing page file; Windows ships SystemPropertiesPerformance.exe /pagefile (before Vista: rundll32 shell32,Control_RunDLL \"sysdm.cpl\")."},
	{name: "UIHost", defaults: map[string][]string{"": {"logonui.exe"}},
		what: "Winlogon starts UIHost as the logon screen program (XP and 2003); Windows ships logonui.exe. It runs as SYSTEM before anyone logs on."},
	{name: "mpnotify", what: "Winlogon starts mpnotify to tell network providers about logons, passing them the user's credentials; Windows ships no mpnotify value, and a custom one is a credential-theft method."},
	{name: "GinaDLL", dll: true, defaults: map[string][]string{"": {"msgina.dll"}},
		what: "Winlogon (NT4 to 2003) loads GinaDLL as the logon user interface, which receives every password typed at logon; Windows ships msgina.dll. Vista and later ignore the value."},
}

// notifyPackages are the Winlogon\Notify subkeys Windows XP and 2003 ship.
var notifyPackages = map[string]bool{
	"crypt32chain": true, "cryptnet": true, "cscdll": true, "dimsntfy": true,
	"scardsvr": true, "sccertprop": true, "schedule": true, "sclgntfy": true,
	"senslogn": true, "termsrv": true, "wlballoon": true, "wgalogon": true,
}

// hiddenAccountNames are accounts Windows and common products hide from the
// logon screen themselves.
var hiddenAccountNames = map[string]bool{
	"homegroupuser$": true, "aspnet": true, "helpassistant": true, "tsinternetuser": true,
	"sqlagentcmdexec": true, "netshowservices": true, "defaultaccount": true,
	"wdagutilityaccount": true, "__vmware_user__": true, "support_388945a0": true,
	"defaultuser0": true, "administrator": true,
}

const winlogonCollect = "Collect the file it names, hash it, check its signer, and look for other copies of it."

func runWinlogon(p *analysis.Pass) error {
	var out []report.Finding
	var errs []error
	ver := analysis.WindowsVersion(p.Set)
	type place struct {
		e    *hive.Entry
		path string
	}
	var places []place
	for _, e := range p.Set.ByKind(hive.KindSoftware) {
		places = append(places, place{e, `Microsoft\Windows NT\CurrentVersion\Winlogon`}, place{e, `Wow6432Node\Microsoft\Windows NT\CurrentVersion\Winlogon`})
	}
	for _, e := range analysis.UserHives(p.Set) {
		places = append(places, place{e, `Software\Microsoft\Windows NT\CurrentVersion\Winlogon`})
	}
	for _, pl := range places {
		if err := p.Context().Err(); err != nil {
			p.Report(out...)
			return err
		}
		root, err := pl.e.Root()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", pl.e.Path, err))
			continue
		}
		k, ok, err := analysis.OptionalKey(root, pl.path)
		if !ok {
			if err != nil {
				errs = append(errs, fmt.Errorf("%s\\%s: %w", pl.e.Path, pl.path, err))
			}
			continue
		}
		env := p.Env(pl.e)
		fs, err := winlogonKey(pl.e, k, env, ver)
		out = append(out, fs...)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s\\%s: %w", pl.e.Path, pl.path, err))
		}
	}
	fs, err := safeBootShells(p)
	out = append(out, fs...)
	p.Report(out...)
	return errors.Join(append(errs, err)...)
}

// winlogonKey reports one Winlogon key. In user hives only Shell and
// Userinit are read: the other values are machine settings.
func winlogonKey(e *hive.Entry, k *hive.Key, env winpath.Env, ver string) ([]report.Finding, error) {
	var out []report.Finding
	var errs []error
	machine := e.Kind() == hive.KindSoftware
	for _, wv := range winlogonValues {
		if !machine && wv.name != "Shell" && wv.name != "Userinit" {
			continue
		}
		v, ok, err := analysis.OptionalValue(k, wv.name)
		if !ok {
			errs = append(errs, err)
			continue
		}
		fs, err := winlogonSetting(e, k, v, wv, env, ver)
		out = append(out, fs...)
		errs = append(errs, err)
	}
	if !machine {
		return out, errors.Join(errs...)
	}
	for _, fn := range []func(*hive.Entry, *hive.Key, winpath.Env) ([]report.Finding, error){notifyDLLs, gpExtensions, hiddenAccounts, alternateShells} {
		fs, err := fn(e, k, env)
		out = append(out, fs...)
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// isDefault reports whether item is one of wv's defaults for version ver.
func (wv winlogonValue) isDefault(item, ver string, env winpath.Env) bool {
	for prefix, list := range wv.defaults {
		if prefix != "" && ver != "" && !strings.HasPrefix(ver, prefix) {
			continue
		}
		for _, d := range list {
			if analysis.SameCommand(item, d, env) {
				return true
			}
		}
	}
	return false
}

// winlogonSetting reports the non-default items of one Winlogon value.
func winlogonSetting(e *hive.Entry, k *hive.Key, v *hive.Value, wv winlogonValue, env winpath.Env, ver string) ([]report.Finding, error) {
	s, isText, err := analysis.ValueText(v)
	s = strings.TrimSpace(s)
	if !isText || s == "" {
		return nil, err
	}
	items := []string{s}
	if wv.list {
		items = analysis.SplitList(s)
	}
	machine := e.Kind() == hive.KindSoftware
	var out []report.Finding
	for _, item := range items {
		def := wv.isDefault(item, ver, env)
		if def && machine {
			continue
		}
		f := analysis.AtValue(e, k, v)
		f.Rule = "winlogon." + strings.ToLower(wv.name)
		var a winpath.Assessment
		if wv.dll {
			a = winpath.AssessPath(item, env)
		} else {
			a = winpath.Assess(item, env)
		}
		prog := a.Path.Base
		if prog == "" {
			prog = item
		}
		f.Title = fmt.Sprintf("Winlogon %s starts %s", wv.name, prog)
		if wv.dll {
			f.Title = fmt.Sprintf("Winlogon %s loads %s", wv.name, prog)
		}
		f.Data = item
		f.Detail = wv.what
		if len(items) > 1 {
			f.Detail += " This item: " + item + "; the whole value is " + s + "."
		}
		base := report.High
		if !machine {
			if wv.name == "Shell" {
				f.Detail += " This value is in " + analysis.Whose(e) + "'s own Winlogon key, which overrides the machine's Shell for that account only; Windows never writes it there."
			} else {
				f.Detail += " This value is in " + analysis.Whose(e) + "'s own Winlogon key. Windows documents " + wv.name + " under HKLM only and never writes it per user; whether a per-user value is honoured depends on the Windows version, so it was written on purpose, by malware expecting it to run at that user's logon or by a tool that copied the machine's settings."
			}
			if def {
				base = report.Low
				f.Title = "Winlogon " + wv.name + " set per user to " + prog
			}
			if e.Kind() == hive.KindDefault {
				f.Detail += " " + analysis.DefaultProfileNote
			}
		}
		f.Detail += " " + winlogonCollect
		analysis.Judge(&f, base, "T1547.004", a)
		out = append(out, f)
	}
	return out, nil
}

// notifyDLLs reports Winlogon\Notify packages (XP, 2003) that Windows does
// not ship, or whose DLL is not a bare or System32 name.
func notifyDLLs(e *hive.Entry, wl *hive.Key, env winpath.Env) ([]report.Finding, error) {
	dlls, err := subkeyDLLs(wl, "Notify", env)
	var out []report.Finding
	for _, d := range dlls {
		sub, v, dll, a := d.sub, d.v, d.dll, d.a
		if notifyPackages[strings.ToLower(sub.Name())] && winpath.IsSystemDir(a.Path) && a.Severity == report.Info {
			continue
		}
		f := analysis.AtValue(e, sub, v)
		f.Rule = "winlogon.notify"
		f.Data = dll
		f.Title = fmt.Sprintf("Winlogon Notify package %s loads %s", sub.Name(), a.Path.Base)
		f.Detail = "Winlogon (Windows 2000 to 2003) loads every Notify package's DllName into winlogon.exe, as SYSTEM, and calls it on logon, logoff, lock and startup events; Windows ships a dozen Microsoft packages (crypt32chain, cscdll, sclgntfy, termsrv, wlballoon ...). This package is not one of them. " + winlogonCollect
		analysis.Judge(&f, report.High, "T1547.004", a)
		out = append(out, f)
	}
	return out, err
}

// gpExtensions reports Group Policy client-side extensions whose DLL lies
// outside the Windows system folders (Microsoft's all live in System32).
func gpExtensions(e *hive.Entry, wl *hive.Key, env winpath.Env) ([]report.Finding, error) {
	dlls, err := subkeyDLLs(wl, "GPExtensions", env)
	var out []report.Finding
	for _, d := range dlls {
		sub, v, dll, a := d.sub, d.v, d.dll, d.a
		if winpath.IsSystemDir(a.Path) && a.Severity == report.Info {
			continue
		}
		name := sub.Name()
		// The default value is the extension's display name, a label only:
		// a damaged one costs the label, not the finding.
		if dv, ok, _ := analysis.OptionalValue(sub, ""); ok {
			if s, _, _ := analysis.ValueText(dv); s != "" {
				name += " (" + s + ")"
			}
		}
		f := analysis.AtValue(e, sub, v)
		f.Rule = "winlogon.gpextension"
		f.Data = dll
		f.Title = fmt.Sprintf("Group Policy extension %s loads %s", sub.Name(), a.Path.Base)
		f.Detail = "The Group Policy client loads the DllName of every client-side extension " + name + " into a SYSTEM process at boot and at each policy refresh. Microsoft's extensions all live in System32; this one does not, so it belongs to a third-party management product or to an attacker. Confirm the product, collect the DLL and check its signer."
		analysis.Judge(&f, report.Low, "T1547.004", a)
		out = append(out, f)
	}
	return out, err
}

// subkeyDLL is a subkey of a Winlogon list key, its DllName value, and the
// DLL that value names, assessed.
type subkeyDLL struct {
	sub *hive.Key
	v   *hive.Value
	dll string
	a   winpath.Assessment
}

// subkeyDLLs returns the subkeys of wl\name whose DllName names a DLL (not
// blank once trimmed), in the order Subkeys gives them. A missing key gives
// none and no error; errors reading the subkeys or a DllName are returned
// (joined) with the subkeys that could be read.
func subkeyDLLs(wl *hive.Key, name string, env winpath.Env) ([]subkeyDLL, error) {
	k, ok, err := analysis.OptionalKey(wl, name)
	if !ok {
		return nil, err
	}
	subs, err := k.Subkeys()
	var out []subkeyDLL
	for _, sub := range subs {
		v, ok, verr := analysis.OptionalValue(sub, "DllName")
		err = errors.Join(err, verr)
		if !ok {
			continue
		}
		dll, _, verr := analysis.ValueText(v)
		err = errors.Join(err, verr)
		if dll = strings.TrimSpace(dll); dll == "" {
			continue
		}
		out = append(out, subkeyDLL{sub: sub, v: v, dll: dll, a: winpath.AssessPath(dll, env)})
	}
	return out, err
}

// hiddenAccounts reports accounts hidden from the logon screen.
func hiddenAccounts(e *hive.Entry, wl *hive.Key, _ winpath.Env) ([]report.Finding, error) {
	uk, ok, err := analysis.OptionalKey(wl, `SpecialAccounts\UserList`)
	if !ok {
		return nil, err
	}
	vals, err := uk.Values()
	var out []report.Finding
	for _, v := range vals {
		n, nerr := v.Uint64()
		if nerr != nil || n != 0 {
			continue
		}
		f := analysis.AtValue(e, uk, v)
		f.Rule = "winlogon.hiddenaccount"
		f.Attack = []string{"T1564.002"}
		f.Title = fmt.Sprintf("Account %s is hidden from the logon screen", v.Name())
		f.Detail = "A DWORD 0 under Winlogon\\SpecialAccounts\\UserList hides the account " + v.Name() + " from the Welcome screen and the Users control panel; it can still log on (remote desktop, runas). "
		if hiddenAccountNames[strings.ToLower(v.Name())] {
			f.Severity = report.Info
			f.Detail += "Windows or a common product hides this account itself."
		} else {
			f.Severity = report.Medium
			f.Detail += "Windows does not hide this name itself: check in the SAM hive whether the account exists, when it was created and whether it is an administrator."
		}
		out = append(out, f)
	}
	return out, err
}

// shellImages are the programs Server Core offers as AlternateShells.
var shellImages = []string{"explorer.exe", "cmd.exe", `%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe`, "sconfig.cmd", `%SystemRoot%\System32\sconfig.cmd`}

// alternateShells reports Winlogon\AlternateShells\AvailableShells entries
// that start another program than Windows' shells.
func alternateShells(e *hive.Entry, wl *hive.Key, env winpath.Env) ([]report.Finding, error) {
	ak, ok, err := analysis.OptionalKey(wl, `AlternateShells\AvailableShells`)
	if !ok {
		return nil, err
	}
	vals, err := ak.Values()
	var out []report.Finding
	for _, v := range vals {
		s, isText, verr := analysis.ValueText(v)
		err = errors.Join(err, verr)
		if s = strings.TrimSpace(s); !isText || s == "" || asAnyImage(s, shellImages, env) {
			continue
		}
		a := winpath.Assess(s, env)
		f := analysis.AtValue(e, ak, v)
		f.Rule = "winlogon.alternateshell"
		f.Title = "Winlogon AvailableShells starts " + a.Path.Base
		f.Detail = "On Server Core and shell-launcher systems Winlogon starts the highest-numbered entry of AlternateShells\\AvailableShells as the user's shell at logon; Windows ships cmd.exe, PowerShell and explorer.exe there. " + winlogonCollect
		analysis.Judge(&f, report.High, "T1547.004", a)
		out = append(out, f)
	}
	return out, err
}

func asAnyImage(cmd string, images []string, env winpath.Env) bool {
	for _, img := range images {
		if analysis.SameImage(cmd, img, env) {
			return true
		}
	}
	return false
}

// safeBootShells reports a SafeBoot AlternateShell other than cmd.exe, in
// every control set.
func safeBootShells(p *analysis.Pass) ([]report.Finding, error) {
	env := p.Env(nil)
	var out []report.Finding
	err := p.EachControlSet(func(e *hive.Entry, cs hive.ControlSet) error {
		k, ok, err := analysis.OptionalKey(cs.Key, `Control\SafeBoot`)
		if !ok {
			return err
		}
		v, ok, err := analysis.OptionalValue(k, "AlternateShell")
		if !ok {
			return err
		}
		s, _, err := analysis.ValueText(v)
		if s = strings.TrimSpace(s); s == "" || analysis.SameCommand(s, "cmd.exe", env) {
			return err
		}
		a := winpath.Assess(s, env)
		f := analysis.InSet(analysis.AtValue(e, k, v), cs)
		f.Rule = "winlogon.safeboot-alternateshell"
		f.Title = "SafeBoot AlternateShell starts " + a.Path.Base
		f.Detail = "When Windows boots into \"Safe Mode with Command Prompt\", Winlogon starts SafeBoot\\AlternateShell instead of Explorer; Windows ships cmd.exe. Safe Mode loads few drivers and services, so security software is usually not running: a replaced AlternateShell is persistence that wakes up exactly when defenders are blind. " + winlogonCollect
		analysis.Judge(&f, report.High, "T1562.009", a)
		out = append(out, f)
		return nil
	})
	return out, err
}
