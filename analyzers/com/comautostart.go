package com

import (
	"errors"
	"fmt"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// COMAutostart reports the COM objects explorer and Internet Explorer load
// by themselves, resolved to the file that runs.
var COMAutostart = &analysis.Analyzer{
	Name: "comautostart",
	Doc: `COM autostarts: shell extensions and objects explorer loads by itself
ShellServiceObjects, ShellServiceObjectDelayLoad, SharedTaskScheduler,
ShellExecuteHooks, ShellIconOverlayIdentifiers, Browser Helper Objects and
the ContextMenuHandlers of files, folders, folder backgrounds and drives
(SOFTWARE native and Wow6432Node, each user's hives) name CLSIDs that
explorer or Internet Explorer create without anyone asking. Each CLSID is
resolved as Windows resolves it (the user's classes first, then the
machine's) to its InprocServer32 or LocalServer32, and the file judged:
Windows' own files in System32 are quiet, Microsoft and Program Files
servers are info (inventory), a per-user server in the user's own profile
is low, anything else medium, and the path assessor can raise each.`,
	Needs:  []hive.Kind{hive.KindSoftware, hive.KindNTUser, hive.KindUsrClass, hive.KindDefault},
	Attack: []string{"T1546.015", "T1547"},
	Run:    runCOMAutostart,
}

func runCOMAutostart(p *analysis.Pass) error {
	c, err := readClasses(p)
	errs := []error{err}
	ents, err := readEntries(p, c)
	errs = append(errs, err)
	for _, e := range ents {
		if err := p.Context().Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		r, found, err := c.resolve(e.u, e.clsid, e.wow)
		errs = append(errs, err)
		if f, ok := judgeEntry(p, c, e, r, found); ok {
			if e.e.Kind() == hive.KindDefault {
				f.Detail += " " + analysis.DefaultProfileNote
			}
			p.Report(f)
		}
	}
	return errors.Join(errs...)
}

// judgeEntry judges one autostart entry resolved to registration r (found
// false: no registration).
func judgeEntry(p *analysis.Pass, c *classes, e entry, r registration, found bool) (report.Finding, bool) {
	var f report.Finding
	if e.val != nil {
		f = analysis.AtValue(e.e, e.key, e.val)
	} else {
		f = analysis.At(e.e, e.key)
		f.Data = e.clsid
	}
	f.Attack = []string{"T1546.015"}
	env := p.Env(nil)
	if e.u != nil {
		env = e.u.env
		if e.u.name != "" {
			f.User = e.u.name
		}
	}
	where := fmt.Sprintf("%s entry \"%s\" (%s) names CLSID %s, which %s creates by itself.", e.loc.Label, e.name, e.key.Path(), e.clsid, e.loc.LoadedBy)
	if !found {
		f.Rule, f.Severity = "comautostart.unregistered", report.Info
		f.Title = fmt.Sprintf("%s entry \"%s\" names an unregistered CLSID", e.loc.Label, e.name)
		f.Detail = where + " No registration of it is in the evidence, so nothing loads"
		if !c.machineKnown() {
			f.Detail += " (the host's SOFTWARE\\Classes\\CLSID is not in the evidence, so the machine's registration cannot be told)"
		}
		f.Detail += "; a registration added later would be loaded."
		return f, true
	}
	if r.scriptlet.data != "" {
		f.Rule, f.Severity = "comautostart.scriptlet", report.High
		f.Title = fmt.Sprintf("%s entry \"%s\" runs the scriptlet %s", e.loc.Label, e.name, r.scriptlet.data)
		f.Detail = fmt.Sprintf("%s Its registration %s is a scriptlet (ScriptletURL \"%s\"), a script run through scrobj.dll. Collect it.", where, r.view(), r.scriptlet.data)
		return f, true
	}
	which, data := "InprocServer32", r.inproc.data
	var a winpath.Assessment
	if data == "" && r.local.data != "" {
		which, data = "LocalServer32", r.local.data
		a = winpath.Assess(data, env)
	} else {
		a = winpath.AssessPath(data, env)
	}
	userReg := r.e.Kind() == hive.KindNTUser || r.e.Kind() == hive.KindUsrClass
	if data == "" {
		f.Rule, f.Severity = "comautostart.no-server", report.Info
		f.Title = fmt.Sprintf("%s entry \"%s\": CLSID registered without a server", e.loc.Label, e.name)
		f.Detail = fmt.Sprintf("%s Its registration %s names no InprocServer32 or LocalServer32", where, r.view())
		if r.treatAs.data != "" {
			f.Detail += fmt.Sprintf("; it is redirected (TreatAs) to %s", r.treatAs.data)
			f.Severity = report.Medium
		}
		f.Detail += "."
		return f, true
	}
	f.Title = fmt.Sprintf("%s entry \"%s\" loads %s", e.loc.Label, e.name, a.Path.Base)
	f.Detail = fmt.Sprintf("%s It resolves to %s, whose %s is \"%s\".", where, r.view(), which, data)
	var caps map[string]analysis.Cap
	var base report.Severity
	switch {
	case analysis.InSystem32(a.Path) && a.Severity == report.Info:
		return report.Finding{}, false // Windows' own
	case (analysis.MicrosoftPath(a.Path) || analysis.InProgramFiles(a.Path)) && a.Severity == report.Info:
		f.Rule, base = "comautostart.installed", report.Info
		f.Detail += " The server belongs to an installed product; listed for inventory."
	case userReg && perUserInstall(a.Path, env) && capAssessment(a, userCaps) <= report.Low:
		f.Rule, base = "comautostart.user-server", report.Info
		caps = map[string]analysis.Cap{"location.user-writable": {UpTo: report.Medium, To: report.Info}}
		f.Detail += " The user registered the class with a server where Microsoft's per-user OneDrive or Teams install keeps its shell extensions: expected, listed for inventory."
	case userReg && inOwnProfile(a.Path, env):
		f.Rule, base = "comautostart.user-server", report.Low
		caps = userCaps
		f.Detail += " The user registered the class with a server in their own profile, as per-user installs do; check the file's signer."
	default:
		f.Rule, base = "comautostart.server", report.Medium
		f.Detail += " The server is outside Windows and Program Files folders, where shell extensions are not installed."
	}
	if userReg && r.e != e.e {
		f.Detail += " The registration is the user's own, which Windows reads before the machine's."
	}
	f.Detail += " Collect the file and check its signer and hash."
	analysis.JudgeCapped(&f, base, "T1546.015", a, caps)
	return f, true
}
