package services

import (
	"fmt"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// TimeProviders reports W32Time providers beyond Windows' own.
var TimeProviders = &analysis.Analyzer{
	Name: "timeproviders",
	Doc: `W32Time time providers: DLLs the time service loads
The Windows Time service (svchost, LocalService) loads the DllName of every
Services\W32Time\TimeProviders\* key. Windows ships w32time.dll (NtpClient,
NtpServer) and vmictimeprovider.dll (Hyper-V); another DLL in System32 is
medium, one elsewhere high, and the path assessor can raise either. Every
control set is read.`,
	Needs:  []hive.Kind{hive.KindSystem},
	Attack: []string{"T1547.003"},
	Run:    runTimeProviders,
}

var timeProviderDefaults = map[string]bool{"w32time.dll": true, "vmictimeprovider.dll": true}

func runTimeProviders(p *analysis.Pass) error {
	env := p.Env(nil)
	var out []report.Finding
	err := p.EachControlSet(func(e *hive.Entry, cs hive.ControlSet) error {
		provs, err := analysis.Subkeys(cs.Key, `Services\W32Time\TimeProviders`)
		for _, p := range provs {
			v, dll, verr := analysis.Text(p, "DllName")
			if verr != nil {
				err = verr
			}
			if dll == "" {
				continue
			}
			f := analysis.InSet(analysis.AtValue(e, p, v), cs)
			if !analysis.DLLEntry(&f, dll, timeProviderDefaults, report.Medium, env, "T1547.003") {
				continue
			}
			f.Rule = "timeprovider.dll"
			f.Title = fmt.Sprintf("Time provider \"%s\" loads %s", p.Name(), dll)
			f.Detail = "The Windows Time service loads this provider DLL whenever it starts. " + f.Detail
			out = append(out, f)
		}
		return err
	})
	p.Report(out...)
	return err
}
