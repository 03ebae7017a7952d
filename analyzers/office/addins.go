package office

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// addInRoots are the keys below which Office applications list their
// add-ins (<root>\<application>\Addins\<ProgID>): in a user's hive, and in
// SOFTWARE with its 32-bit view and Click-to-Run's virtual registry.
var (
	userAddInRoots    = []string{`Software\Microsoft\Office`, `Software\Wow6432Node\Microsoft\Office`}
	machineAddInRoots = []string{
		`Microsoft\Office`,
		`Wow6432Node\Microsoft\Office`,
		`Microsoft\Office\ClickToRun\REGISTRY\MACHINE\Software\Microsoft\Office`,
		`Microsoft\Office\ClickToRun\REGISTRY\MACHINE\Software\Wow6432Node\Microsoft\Office`,
	}
)

// perUserAddIns are add-ins their vendor installs per user, in the user's
// AppData: a DLL there is expected for that ProgID only.
var perUserAddIns = []struct {
	progID string
	folder string // lower case, below a profile
	source string
}{
	{"TeamsAddin.FastConnect", `\appdata\local\microsoft\teamsmeetingaddin\`, "https://learn.microsoft.com/microsoftteams/teams-meeting-addin-security-with-outlook (classic Teams installs the Outlook meeting add-in per user)"},
	{"TeamsAddin.FastConnect", `\appdata\local\microsoft\teamsmeetingadd-in\`, "https://learn.microsoft.com/microsoftteams/teams-meeting-addin-security-with-outlook (the new Teams' per-user meeting add-in folder)"},
}

// addIns reports the add-ins of every user hive and of SOFTWARE.
func addIns(p *analysis.Pass, c *classes) error {
	var errs []error
	visit := func(e *hive.Entry, roots []string) {
		root, err := e.Root()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
			return
		}
		for _, path := range roots {
			apps, err := analysis.Subkeys(root, path)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s\\%s: %w", e.Path, path, err))
			}
			for _, app := range apps {
				list, err := analysis.Subkeys(app, "Addins")
				if err != nil {
					errs = append(errs, fmt.Errorf("%s\\%s\\%s\\Addins: %w", e.Path, path, app.Name(), err))
				}
				for _, k := range list {
					fs, err := addIn(p, c, e, app.Name(), k)
					p.Report(fs...)
					if err != nil {
						errs = append(errs, fmt.Errorf("%s%s: %w", e.Path, k.Path(), err))
					}
				}
			}
		}
	}
	for _, e := range analysis.UserHives(p.Set) {
		visit(e, userAddInRoots)
	}
	for _, e := range p.Set.ByKind(hive.KindSoftware) {
		visit(e, machineAddInRoots)
	}
	return errors.Join(errs...)
}

// loadBehavior is an add-in's LoadBehavior, read as Office does.
type loadBehavior struct {
	n    uint64
	have bool
}

// atStart reports whether Office loads the add-in when it starts (bit 2,
// or 16: at the next start, then on demand).
func (l loadBehavior) atStart() bool { return l.have && (l.n&2 != 0 || l.n&16 != 0) }

// active reports whether Office loads the add-in at all without the user
// enabling it first: at start or on demand.
func (l loadBehavior) active() bool { return l.have && l.n&(2|8|16) != 0 }

func (l loadBehavior) String() string {
	switch {
	case !l.have:
		return "there is no LoadBehavior, so Office does not load it until the user enables it"
	case l.atStart():
		return fmt.Sprintf("LoadBehavior %d loads it each time the application starts", l.n)
	case l.active():
		return fmt.Sprintf("LoadBehavior %d loads it on demand, the first time one of its commands is used", l.n)
	}
	return fmt.Sprintf("LoadBehavior %d means it is not loaded now (disconnected by the user, or disabled by Office after a crash); one value change loads it again", l.n)
}

// addIn judges one add-in key of application app.
func addIn(p *analysis.Pass, c *classes, e *hive.Entry, app string, k *hive.Key) ([]report.Finding, error) {
	var errs []error
	n, lbVal, have, err := analysis.Uint(k, "LoadBehavior")
	errs = append(errs, err)
	lb := loadBehavior{n, have}
	_, friendly, err := analysis.Text(k, "FriendlyName")
	errs = append(errs, err)
	manVal, manifest, err := analysis.Text(k, "Manifest")
	errs = append(errs, err)
	env := p.Env(e)
	progID := k.Name()
	label := progID
	if friendly != "" && !strings.EqualFold(friendly, progID) {
		label = fmt.Sprintf("%s (%s)", friendly, progID)
	}
	base := func(v *hive.Value) report.Finding {
		if v != nil {
			return analysis.AtValue(e, k, v)
		}
		return analysis.At(e, k)
	}
	if manifest != "" {
		f := vstoAddIn(base(manVal), app, label, manifest, lb, env, e)
		noteProfile(&f, e)
		return []report.Finding{f}, errors.Join(errs...)
	}
	roots := c.rootsFor(e)
	clsid, found, err := resolveProgID(roots, progID)
	errs = append(errs, err)
	if !found && isCLSID(progID) {
		clsid, found = progID, true // some add-ins are registered by CLSID
	}
	var srv server
	if found {
		srv, found, err = serverOf(roots, clsid)
		errs = append(errs, err)
	}
	f := base(lbVal)
	f.Attack = []string{"T1137.006"}
	if !found {
		f.Rule = "office.addin-unresolved"
		f.Severity = report.Info
		why := "no Classes hive of the machine is in the evidence, so its DLL could not be told"
		if len(c.machine) > 0 {
			why = "neither the user's classes nor the machine's register its class, so Office cannot load it: a leftover of an uninstalled product, or a class kept in a hive missing from the evidence (the user's UsrClass.dat)"
			if lb.active() {
				f.Severity = report.Low
			}
		}
		f.Title = fmt.Sprintf("%s add-in %s has no COM class", app, label)
		f.Detail = fmt.Sprintf("%s lists the COM add-in %s for %s, and %s. Its ProgID %s: %s. Collect the user's UsrClass.dat and SOFTWARE if missing, and look for the DLL of that name on disk.", app, label, analysis.Whose(e), lb, progID, why)
		noteProfile(&f, e)
		return []report.Finding{f}, errors.Join(errs...)
	}
	target := srv.data
	if srv.native != "" {
		target = srv.native
	}
	var a winpath.Assessment
	if srv.kind == "LocalServer32" {
		a = winpath.Assess(target, env)
	} else {
		a = winpath.AssessPath(target, env)
	}
	f.Rule = "office.addin"
	f.Data = target
	risky := winpath.IsUserWritable(a.Path) || a.Path.UNC
	known := knownPerUser(progID, a.Path)
	sev := report.Info
	var caps map[string]analysis.Cap
	switch {
	case known != "":
		sev = report.Info
		caps = map[string]analysis.Cap{"location.user-writable": {UpTo: report.Medium, To: report.Info}}
	case risky:
		sev = report.High
		if !lb.atStart() {
			sev = report.Medium
		}
	}
	if !lb.active() {
		sev = min(sev, report.Low)
		caps = locationCaps(report.Low)
	}
	how := fmt.Sprintf("its ProgID %s resolves to CLSID %s, whose %s in %s is %s", progID, srv.clsid, srv.kind, srv.e.Path, srv.data)
	if srv.native != "" {
		how += fmt.Sprintf(" (the .NET runtime), which loads the assembly %s", srv.native)
	}
	f.Title = fmt.Sprintf("%s add-in %s loads %s", app, label, a.Path.Base)
	where := "The DLL is in an installed-software folder: an inventory entry (vendors install many add-ins)."
	switch {
	case known != "":
		where = "The DLL is where its vendor installs it per user (" + known + "); confirm its signer."
	case risky:
		where = "The DLL is in a folder the user can write to, where add-ins installed by a product rarely live and where malware that runs as the user can plant or replace one (T1137.006)."
	}
	f.Detail = fmt.Sprintf("%s loads COM add-in %s into its own process for %s, and %s; %s. %s Collect the file, hash it, check its signer and compare its path with the vendor's; the add-in key's last-write time says when it was registered. Resiliency\\DisabledItems and DoNotDisableAddinList of the same application show whether Office disabled it or was told never to.", app, label, analysis.Whose(e), lb, how, where)
	noteProfile(&f, e)
	analysis.JudgeCapped(&f, sev, "T1137.006", a, caps)
	return []report.Finding{f}, errors.Join(errs...)
}

// vstoAddIn judges a VSTO add-in's manifest (path|vstolocal, file:///
// URL or http(s) URL of a .vsto deployment manifest).
func vstoAddIn(f report.Finding, app, label, manifest string, lb loadBehavior, env winpath.Env, e *hive.Entry) report.Finding {
	f.Rule = "office.addin-vsto"
	f.Attack = []string{"T1137.006"}
	where, _, _ := strings.Cut(manifest, "|")
	where = strings.TrimSpace(where)
	f.Data = where
	lower := strings.ToLower(where)
	f.Title = fmt.Sprintf("%s VSTO add-in %s loads %s", app, label, baseName(strings.ReplaceAll(fileURLPath(where), "/", `\`)))
	detail := fmt.Sprintf("%s loads the VSTO (.NET) add-in %s for %s through the Visual Studio Tools for Office runtime, which reads the deployment manifest %s and loads the assemblies it lists; %s.", app, label, analysis.Whose(e), where, lb)
	sev := report.Info
	var a winpath.Assessment
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		sev = report.Medium
		detail += " The manifest is fetched from the web, so whoever controls that server decides what Office runs (ClickOnce). Fetch the manifest and the assemblies it names."
	} else {
		path := fileURLPath(where)
		a = winpath.AssessPath(path, env)
		if winpath.IsUserWritable(a.Path) || a.Path.UNC {
			sev = report.Medium
			detail += " The manifest is in a folder the user can write to or on a share; per-user ClickOnce installs live in AppData too, so check that a product put it there."
		}
		detail += " Collect the .vsto and .manifest files and the assemblies beside them; check their signature (the manifest's publisher certificate) and the Inclusion List of trusted publishers (Software\\Microsoft\\VSTO\\Security\\Inclusion)."
	}
	if !lb.active() {
		sev = min(sev, report.Low)
	}
	f.Detail = detail
	var caps map[string]analysis.Cap
	if !lb.active() {
		caps = locationCaps(report.Low)
	}
	analysis.JudgeCapped(&f, sev, "T1137.006", a, caps)
	return f
}

// knownPerUser returns the source when path is where progID's vendor
// installs it per user, else "".
func knownPerUser(progID string, p winpath.Path) string {
	full := strings.ToLower(p.Full)
	for _, k := range perUserAddIns {
		if strings.EqualFold(k.progID, progID) && strings.Contains(full, k.folder) && strings.Contains(full, `\users\`) {
			return k.source
		}
	}
	return ""
}

// locationCaps lowers the path assessor's location rules to at most to:
// for an entry Office does not act on now, where it points tells less.
func locationCaps(to report.Severity) map[string]analysis.Cap {
	caps := map[string]analysis.Cap{}
	for _, r := range []string{"location.temp", "location.user-writable", "location.unc", "location.windows-writable", "location.perflogs", "location.drive-root", "location.recycle-bin"} {
		caps[r] = analysis.Cap{UpTo: report.High, To: to}
	}
	return caps
}

// isCLSID reports whether s is written like a CLSID: {8-4-4-4-12 hex}.
func isCLSID(s string) bool {
	if len(s) != 38 || s[0] != '{' || s[37] != '}' {
		return false
	}
	for i := 1; i < 37; i++ {
		c := s[i]
		switch i {
		case 9, 14, 19, 24:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
