package services

import (
	"errors"
	"fmt"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// ActiveSetup reports Active Setup stubs that run outside Windows' folders.
var ActiveSetup = &analysis.Analyzer{
	Name: "activesetup",
	Doc: `Active Setup: commands run once per user at logon
At logon Windows runs the StubPath of every Active Setup\Installed
Components\* key (SOFTWARE, native and Wow6432Node) whose version the user
has not run yet, before the desktop appears. Windows and Microsoft
components are many: a stub whose program (and the DLL or script a launcher
such as rundll32 runs) lies in Windows or Microsoft folders and that the path
assessor finds nothing wrong with is quiet. Other stubs are listed: info
under Program Files, medium elsewhere, raised by the assessor. Components
marked IsInstalled=0 do not run and are skipped.`,
	Needs:  []hive.Kind{hive.KindSoftware},
	Attack: []string{"T1547.014"},
	Run:    runActiveSetup,
}

func runActiveSetup(p *analysis.Pass) error {
	env := p.Env(nil)
	return p.EachSoftware(func(e *hive.Entry, root *hive.Key) error { return activeSetupHive(p, e, root, env) })
}

// activeSetupHive judges the Active Setup components of one SOFTWARE hive.
func activeSetupHive(p *analysis.Pass, e *hive.Entry, root *hive.Key, env winpath.Env) error {
	var out []report.Finding
	var errs []error
	for _, base := range analysis.SoftwareRoots(`Microsoft\Active Setup\Installed Components`) {
		comps, err := analysis.Subkeys(root, base)
		errs = append(errs, err)
		for _, c := range comps {
			if err := p.Context().Err(); err != nil {
				p.Report(out...)
				return err
			}
			installed, _, ok, err := analysis.Uint(c, "IsInstalled")
			errs = append(errs, err)
			if ok && installed == 0 {
				continue
			}
			v, stub, err := analysis.Text(c, "StubPath")
			errs = append(errs, err)
			if stub == "" {
				continue
			}
			if f, ok := activeSetupStub(e, c, v, stub, env); ok {
				out = append(out, f)
			}
		}
	}
	p.Report(out...)
	return errors.Join(errs...)
}

func activeSetupStub(e *hive.Entry, c *hive.Key, v *hive.Value, stub string, env winpath.Env) (report.Finding, bool) {
	a := analysis.TrustMicrosoft(winpath.Assess(stub, env))
	ms := analysis.MicrosoftPath(a.Path) && (a.Payload.Full == "" || analysis.MicrosoftPath(a.Payload))
	if ms && a.Severity == report.Info {
		return report.Finding{}, false
	}
	f := analysis.AtValue(e, c, v)
	f.Rule = "activesetup.stubpath"
	_, name, _ := analysis.Text(c, "") // the display name, a label only: a damaged one costs the label
	if name == "" {
		name = c.Name()
	}
	f.Title = fmt.Sprintf("Active Setup \"%s\" runs %s at logon", name, a.Path.Base)
	f.Detail = fmt.Sprintf("Component %s (%s) runs \"%s\" once for each user at their next logon, before the desktop appears, with that user's rights; deleting the user's Active Setup record re-runs it.", c.Name(), name, stub)
	switch {
	case ms:
	case analysis.InProgramFiles(a.Path) && (a.Payload.Full == "" || analysis.InProgramFiles(a.Payload) || analysis.MicrosoftPath(a.Payload)):
		f.Detail += " The program belongs to an installed product; listed for inventory."
	default:
		f.Severity = report.Medium
		f.Detail += " The program is outside Windows and Program Files folders, where installers do not put Active Setup stubs."
	}
	analysis.Assessed(&f, a, "T1547.014")
	return f, true
}
