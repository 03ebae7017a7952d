package sessionmanager

import (
	"fmt"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// AppCertDlls reports DLLs loaded into every process that creates processes.
var AppCertDlls = &analysis.Analyzer{
	Name: "appcertdlls",
	Doc: `AppCertDlls: DLLs loaded into every process that starts another
Every DLL named in the Session Manager\AppCertDlls key is loaded into each
process that calls CreateProcess and its relatives (explorer, cmd, services,
most programs), to approve or refuse the new process. Windows ships the key
empty or absent, so every entry is reported.`,
	Needs:  []hive.Kind{hive.KindSystem},
	Attack: []string{"T1546.009"},
	Run:    runAppCertDlls,
}

func runAppCertDlls(p *analysis.Pass) error {
	env := p.Env(nil)
	var out []report.Finding
	err := p.EachSessionManager(func(e *hive.Entry, cs hive.ControlSet, sm *hive.Key) error {
		k, ok, err := analysis.OptionalKey(sm, "AppCertDlls")
		if !ok {
			return err
		}
		vals, err := k.Values()
		for _, v := range vals {
			s, terr := v.Text()
			if terr != nil || s == "" {
				continue
			}
			f := analysis.SMValue(e, cs, k, v)
			f.Rule, f.Severity = "appcertdlls.entry", report.High
			f.Attack = []string{"T1546.009"}
			a := winpath.AssessPath(s, env)
			f.Title = "AppCertDlls loads " + a.Path.Full + " into every process that starts programs"
			f.Detail = fmt.Sprintf("Windows loads %s into every process that calls CreateProcess, CreateProcessAsUser, WinExec and their relatives, from the next process start on: a persistence and injection point that needs no reboot. Windows ships no AppCertDlls entry; some application-control products add one. Collect the DLL, check its signer and its export CreateProcessNotify.", a.Path.Full)
			analysis.Assessed(&f, a)
			out = append(out, f)
		}
		return err
	})
	p.Report(out...)
	return err
}
