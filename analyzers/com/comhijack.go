package com

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// COMHijack reports per-user COM registrations that take the place of the
// machine's, and machine registrations of Windows classes moved out of
// System32.
var COMHijack = &analysis.Analyzer{
	Name: "comhijack",
	Doc: `COM hijacking: per-user CLSIDs that shadow or redirect the machine's
HKEY_CLASSES_ROOT reads a user's Software\Classes (UsrClass.dat, and
NTUSER.DAT's own Software\Classes; the DEFAULT hive's for LocalSystem) before
SOFTWARE\Classes, so a per-user
CLSID\{...}\InprocServer32 or LocalServer32 takes the place of the machine's
registration in every program the user runs, without admin rights. Each
per-user CLSID that runs code is judged: shadowing a CLSID the machine
registers is medium; a class Windows programs create by themselves (a
table of known hijack targets with sources, the COR_PROFILER CLSID, and the
CLSIDs the COM autostart locations load) is high, as is a server the path
assessor finds suspicious; a CLSID only the user registers is low (per-user
installs such as OneDrive and Teams keep their COM servers there). TreatAs
redirections are medium, ScriptletURL registrations high, and a machine
registration of a known Windows class whose server is outside System32 is
high. Per-user servers that are Windows' own files stay quiet.`,
	Needs:  []hive.Kind{hive.KindNTUser, hive.KindUsrClass, hive.KindSoftware, hive.KindDefault},
	Attack: []string{"T1546.015"},
	Run:    runCOMHijack,
}

// userCaps lower assessor rules that mean little for a user's own
// registration: the user can write the key, so a server in the user's own
// profile adds no access; an unquoted path gives an interceptor only the
// user's rights.
var userCaps = map[string]analysis.Cap{
	"location.user-writable": {UpTo: report.Medium, To: report.Low},
	"path.unquoted":          {UpTo: report.Medium, To: report.Low},
}

func runCOMHijack(p *analysis.Pass) error {
	c, err := readClasses(p)
	errs := []error{err}
	ents, err := readEntries(p, c)
	errs = append(errs, err)
	for _, u := range c.users {
		if err := p.Context().Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		errs = append(errs, hijackUser(p, c, u, loadedTargets(u, ents), corProfiler(u.env)))
	}
	errs = append(errs, machineServers(p, c))
	return errors.Join(errs...)
}

// loadedTargets returns the CLSIDs that COM autostart locations make
// Windows load for user u (the machine's locations and the user's own),
// with a description of the location. A user's registration of one of them
// is a hijack when the machine registers it too (per-user shell extensions,
// such as OneDrive's, register only per user).
func loadedTargets(u *user, ents []entry) map[string]string {
	m := map[string]string{}
	for _, e := range ents {
		if e.u != nil && e.u != u {
			continue
		}
		id := strings.ToLower(e.clsid)
		if _, ok := m[id]; !ok {
			m[id] = fmt.Sprintf("%s loads it as a %s entry (%s)", e.loc.LoadedBy, e.loc.Label, e.key.Path())
		}
	}
	return m
}

// corProfiler returns the lower-case CLSID the environment's COR_PROFILER
// names, the user's before the system's; "" when none.
func corProfiler(env winpath.Env) string {
	for _, m := range []map[string]string{env.User, env.System} {
		for k, v := range m {
			if strings.EqualFold(k, "COR_PROFILER") && isCLSID(strings.TrimSpace(v)) {
				return strings.ToLower(strings.TrimSpace(v))
			}
		}
	}
	return ""
}

// corProfilerNote says why the COR_PROFILER CLSID is loaded.
const corProfilerNote = "every .NET Framework program of the user loads it as the profiler the environment's COR_PROFILER names (when COR_ENABLE_PROFILING is 1), whoever registers it"

// hijackUser judges every per-user CLSID of u that runs code; loaded are
// the CLSIDs autostart locations load, profiler the COR_PROFILER CLSID.
func hijackUser(p *analysis.Pass, c *classes, u *user, loaded map[string]string, profiler string) error {
	var errs []error
	for _, d := range u.dirs {
		subs, err := d.key.Subkeys()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s\\%s: %w", d.e.Path, strings.TrimPrefix(d.key.Path(), `\`), err))
		}
		for _, k := range subs {
			if err := p.Context().Err(); err != nil {
				return errors.Join(append(errs, err)...)
			}
			r, err := readRegistration(d, k)
			errs = append(errs, err)
			if !r.runsCode() {
				continue
			}
			var machine *registration
			if md, mk, err := lookup(c.machineDirs, k.Name(), d.wow); md != nil {
				errs = append(errs, err)
				mr, err := readRegistration(md, mk)
				errs = append(errs, err)
				machine = &mr
			} else {
				errs = append(errs, err)
			}
			j := hijackJudge{c: c, u: u, r: r, machine: machine, target: targetIndex[strings.ToLower(k.Name())]}
			switch id := strings.ToLower(k.Name()); {
			case id == profiler:
				j.loadedBy, j.profiler = corProfilerNote, true
			case machine != nil:
				j.loadedBy = loaded[id]
			}
			p.Report(j.findings()...)
		}
	}
	return errors.Join(errs...)
}

// hijackJudge judges one per-user registration r.
type hijackJudge struct {
	c        *classes
	u        *user
	r        registration
	machine  *registration // the machine's registration of the same CLSID; nil when none
	target   *target       // the known-target row of the CLSID; nil when none
	loadedBy string        // why Windows loads it by itself (a shadowed autostart CLSID); "" when not
	profiler bool          // the CLSID is the one COR_PROFILER names
}

func (j hijackJudge) findings() []report.Finding {
	var out []report.Finding
	if s := j.r.scriptlet; s.data != "" {
		f := j.at(s.key, s.val)
		f.Rule, f.Severity = "comhijack.scriptlet", report.High
		f.Title = fmt.Sprintf("Per-user CLSID %s runs the scriptlet %s", j.r.key.Name(), s.data)
		f.Detail = fmt.Sprintf("%s registers a scriptlet (ScriptletURL %q): whoever creates the class runs that script through scrobj.dll, which can be fetched from a URL. Legitimate software does not register scriptlets; collect the script. %s", j.r.view(), s.data, j.context())
		out = append(out, f)
	}
	if t := j.r.treatAs; t.data != "" && !strings.EqualFold(t.data, j.r.key.Name()) && !j.sameAsMachineTreatAs() && !windowsTreatAs[strings.ToLower(j.r.key.Name())] {
		f := j.at(t.key, t.val)
		f.Rule, f.Severity = "comhijack.treatas", report.Medium
		f.Title = fmt.Sprintf("Per-user CLSID %s is redirected to %s (TreatAs)", j.r.key.Name(), t.data)
		f.Detail = fmt.Sprintf("%s has TreatAs %s: COM creates that class instead whenever %s is asked for, so its server runs in the caller. TreatAs is how an attacker reuses a class it registered elsewhere (and is rare in per-user classes). Resolve %s in the user's and the machine's CLSID keys. %s", j.r.view(), t.data, j.r.key.Name(), t.data, j.context())
		if j.target != nil || j.loadedBy != "" {
			f.Severity = report.High
		}
		out = append(out, f)
	}
	for _, s := range []struct {
		name string
		srv  server
	}{{"InprocServer32", j.r.inproc}, {"LocalServer32", j.r.local}} {
		if s.srv.data == "" {
			continue
		}
		if f, ok := j.server(s.name, s.srv); ok {
			out = append(out, f)
		}
	}
	if j.r.e.Kind() == hive.KindDefault {
		for i := range out {
			out[i].Detail += " " + analysis.DefaultProfileNote
		}
	}
	return out
}

// windowsTreatAs are CLSIDs Windows itself redirects per user: the OLE
// class of Paintbrush pictures, which the Paint app package sets in the
// user's classes (SigmaHQ registry_set_treatas_persistence.yml and
// registry_set_persistence_com_key_linking.yml filter it as svchost's
// write: HKU\<SID>_Classes\CLSID\{0003000A-0000-0000-C000-000000000046}\TreatAs).
var windowsTreatAs = map[string]bool{"{0003000a-0000-0000-c000-000000000046}": true}

// sameAsMachineTreatAs reports whether the machine redirects the CLSID to
// the same class (Windows writes some TreatAs per user as it does per
// machine, such as OLE 1 classes).
func (j hijackJudge) sameAsMachineTreatAs() bool {
	return j.machine != nil && strings.EqualFold(j.machine.treatAs.data, j.r.treatAs.data)
}

func (j hijackJudge) at(k *hive.Key, v *hive.Value) report.Finding {
	var f report.Finding
	if v != nil {
		f = analysis.AtValue(j.r.e, k, v)
	} else {
		f = analysis.At(j.r.e, k)
	}
	if j.u.name != "" {
		f.User = j.u.name
	}
	f.Attack = []string{"T1546.015"}
	return f
}

// context says what the CLSID is machine-wide and who loads it.
func (j hijackJudge) context() string {
	var b strings.Builder
	if j.target != nil {
		fmt.Fprintf(&b, "%s is %s, which %s create by themselves: a known COM hijack target (%s). ", j.r.key.Name(), j.target.Name, j.target.LoadedBy, j.target.Source)
	}
	if j.loadedBy != "" {
		fmt.Fprintf(&b, "Windows loads this class by itself: %s. ", j.loadedBy)
	}
	switch {
	case j.machine != nil:
		m := "registers it"
		switch {
		case j.machine.inproc.data != "":
			m = "registers it with InprocServer32 " + j.machine.inproc.data
		case j.machine.local.data != "":
			m = "registers it with LocalServer32 " + j.machine.local.data
		}
		fmt.Fprintf(&b, "The machine %s (%s); for this user the per-user registration wins.", m, j.machine.view())
	case !j.c.machineKnown():
		b.WriteString("The host's SOFTWARE\\Classes\\CLSID is not in the evidence, so whether the machine registers the class too cannot be told.")
	default:
		b.WriteString("The machine does not register this CLSID: only this user's programs can create it.")
	}
	return strings.TrimSpace(b.String())
}

// server judges one server (InprocServer32 or LocalServer32) of the
// per-user registration.
func (j hijackJudge) server(which string, s server) (report.Finding, bool) {
	var a winpath.Assessment
	if which == "LocalServer32" {
		a = winpath.Assess(s.data, j.u.env)
	} else {
		a = winpath.AssessPath(s.data, j.u.env)
	}
	windows := analysis.MicrosoftPath(a.Path) && a.Severity == report.Info
	expected := j.target == nil || j.target.DLL == "" || strings.EqualFold(a.Path.Base, j.target.DLL)
	if windows && expected {
		return report.Finding{}, false // Windows' own file: a per-user copy of a registration
	}
	if j.machine != nil && sameServer(j.machine, which, s.data, j.u.env) {
		return report.Finding{}, false // the same server as the machine's
	}
	f := j.at(s.key, s.val)
	f.Data = s.data
	var base report.Severity
	switch {
	case j.target != nil:
		f.Rule, base = "comhijack.known-target", report.High
		f.Title = fmt.Sprintf("Per-user %s hijacks %s (%s) with %s", which, j.r.key.Name(), j.target.Name, a.Path.Base)
	case j.profiler:
		f.Rule, base = "comhijack.profiler", report.High
		f.Title = fmt.Sprintf("Per-user %s of the .NET profiler %s is %s", which, j.r.key.Name(), a.Path.Base)
	case j.machine != nil && j.loadedBy != "":
		f.Rule, base = "comhijack.loaded-class", report.High
		f.Title = fmt.Sprintf("Per-user %s replaces the server of %s, which Windows loads by itself, with %s", which, j.r.key.Name(), a.Path.Base)
	case j.machine != nil:
		f.Rule, base = "comhijack.shadow", report.Medium
		f.Title = fmt.Sprintf("Per-user %s shadows the machine's CLSID %s with %s", which, j.r.key.Name(), a.Path.Base)
	case !j.c.machineKnown():
		f.Rule, base = "comhijack.user-class", report.Low
		f.Title = fmt.Sprintf("Per-user %s of CLSID %s is %s", which, j.r.key.Name(), a.Path.Base)
	default:
		f.Rule, base = "comhijack.user-only", report.Low
		f.Title = fmt.Sprintf("Per-user CLSID %s (%s) only this user registers", j.r.key.Name(), a.Path.Base)
	}
	kind := "the DLL loaded into every program of the user that creates the class"
	if which == "LocalServer32" {
		kind = "the program started whenever a program of the user creates the class"
	}
	f.Detail = fmt.Sprintf("%s\\%s names %s: \"%s\". %s", j.r.view(), which, kind, s.data, j.context())
	if !expected {
		f.Detail += fmt.Sprintf(" Windows registers %s for this class.", j.target.DLL)
	}
	if j.r.progID != "" {
		f.Detail += fmt.Sprintf(" The registration's ProgID is %s.", j.r.progID)
	}
	f.Detail += " Collect the file, check its signer and hash, and when the key was written (its last-write time)."
	caps := map[string]analysis.Cap{"path.unquoted": userCaps["path.unquoted"]}
	if inOwnProfile(a.Path, j.u.env) {
		caps["location.user-writable"] = userCaps["location.user-writable"]
	}
	capped := capAssessment(a, caps)
	userOnly := f.Rule == "comhijack.user-only" || f.Rule == "comhijack.user-class"
	switch {
	case userOnly && perUserInstall(a.Path, j.u.env) && capped <= report.Low:
		base = report.Info
		caps["location.user-writable"] = analysis.Cap{UpTo: report.Medium, To: report.Info}
		f.Detail += " The server sits where Microsoft's per-user OneDrive or Teams install keeps its COM servers: expected, listed for inventory."
	case userOnly && (analysis.MicrosoftPath(a.Path) || analysis.InProgramFiles(a.Path)) && a.Severity == report.Info:
		base = report.Info
		f.Detail += " The server belongs to a product installed in a folder only administrators can write; a per-user registration of it adds no access. Listed for inventory."
	}
	analysis.JudgeCapped(&f, base, "T1546.015", a, caps)
	if f.Rule == "comhijack.shadow" && capped >= report.Medium {
		f.Severity = report.Max(f.Severity, report.High) // a shadow the assessor dislikes
	}
	return f, true
}

// capAssessment returns a's severity once caps are applied.
func capAssessment(a winpath.Assessment, caps map[string]analysis.Cap) report.Severity {
	s := report.Info
	for _, r := range a.Reasons {
		sev := r.Severity
		if c, ok := caps[r.Rule]; ok && sev <= c.UpTo && sev > c.To {
			sev = c.To
		}
		s = report.Max(s, sev)
	}
	return s
}

// sameServer reports whether machine registration m names the same server
// file as data.
func sameServer(m *registration, which, data string, env winpath.Env) bool {
	other := m.inproc.data
	if which == "LocalServer32" {
		return m.local.data != "" && analysis.SameCommand(m.local.data, data, env)
	}
	return other != "" && (strings.EqualFold(other, data) || analysis.SamePath(other, data, env))
}

// inOwnProfile reports whether p lies in the profile folder of env's user.
// For a user hive whose user is unknown (a loose UsrClass.dat), any
// personal profile folder counts: the hive belongs to one of them, and a
// per-user registration names its own profile. Shared profiles (Public,
// Default, All Users) never count.
func inOwnProfile(p winpath.Path, env winpath.Env) bool {
	full := strings.ToLower(p.Full)
	if env.UserName != "" {
		prof := strings.ToLower(winpath.Resolve(`%USERPROFILE%`, env).Full)
		return prof != "" && strings.HasPrefix(full, prof+`\`)
	}
	elems := strings.Split(full, `\`)
	if p.UNC || p.GlobalRoot || len(elems) < 4 || len(elems[0]) != 2 || elems[0][1] != ':' {
		return false
	}
	if elems[1] != "users" && elems[1] != "documents and settings" {
		return false
	}
	switch elems[2] {
	case "public", "default", "default user", "all users", "":
		return false
	}
	return true
}

// perUserMicrosoft are the folders below a profile where Microsoft's
// per-user installs keep their COM servers: OneDrive installs per user
// into %LOCALAPPDATA%\Microsoft\OneDrive
// (https://learn.microsoft.com/sharepoint/per-machine-installation, "by
// default, the OneDrive sync app installs per user"), classic Teams into
// %LOCALAPPDATA%\Microsoft\Teams
// (https://learn.microsoft.com/microsoftteams/msi-deployment).
var perUserMicrosoft = []string{`\appdata\local\microsoft\onedrive\`, `\appdata\local\microsoft\teams\`}

// perUserInstall reports whether p is in one of the perUserMicrosoft
// folders of the user's own profile.
func perUserInstall(p winpath.Path, env winpath.Env) bool {
	if !inOwnProfile(p, env) {
		return false
	}
	full := strings.ToLower(p.Full)
	for _, d := range perUserMicrosoft {
		if strings.Contains(full, d) {
			return true
		}
	}
	return false
}

// machineServers reports machine registrations of known Windows classes
// whose InprocServer32 is outside System32.
func machineServers(p *analysis.Pass, c *classes) error {
	var errs []error
	env := p.Env(nil)
	for _, t := range targets {
		if t.DLL == "" {
			continue
		}
		for _, d := range c.machineDirs {
			k, ok, err := d.find(t.CLSID)
			errs = append(errs, err)
			if !ok {
				continue
			}
			r, err := readRegistration(d, k)
			errs = append(errs, err)
			if r.inproc.data == "" {
				continue
			}
			a := winpath.AssessPath(r.inproc.data, env)
			if inSystemTree(a.Path) {
				continue
			}
			f := analysis.AtValue(r.e, r.inproc.key, r.inproc.val)
			f.Rule, f.Severity = "comhijack.machine-server", report.High
			f.Attack = []string{"T1546.015"}
			f.Title = fmt.Sprintf("%s (%s) is served from %s, outside System32", t.CLSID, t.Name, a.Path.Full)
			f.Detail = fmt.Sprintf("The machine registration %s names InprocServer32 \"%s\". Windows registers %s from System32 for this class, which %s create by themselves, so every such program of every user loads this file instead (%s). Changing it needs admin rights. Collect the file, check its signer and hash, and restore the registration.", r.view(), r.inproc.data, t.DLL, t.LoadedBy, t.Source)
			analysis.Assessed(&f, a, "T1546.015")
			p.Report(f)
		}
	}
	return errors.Join(errs...)
}

// inSystemTree reports whether p lies in System32 or SysWOW64 or a folder
// below them.
func inSystemTree(p winpath.Path) bool {
	if p.Full == "" || p.UNC || p.GlobalRoot || p.Stream != "" || p.SystemRoot == "" {
		return false
	}
	d, root := strings.ToLower(p.Dir)+`\`, strings.ToLower(p.SystemRoot)
	return strings.HasPrefix(d, root+`\system32\`) || strings.HasPrefix(d, root+`\syswow64\`)
}
