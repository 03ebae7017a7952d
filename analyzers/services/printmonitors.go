package services

import (
	"fmt"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// PrintMonitors reports port monitors that the spooler loads beyond Windows' own.
var PrintMonitors = &analysis.Analyzer{
	Name: "printmonitors",
	Doc: `Print monitors: DLLs the spooler loads as SYSTEM
spoolsv.exe loads the Driver DLL of every Control\Print\Monitors\* key at
start, as SYSTEM. Windows' own monitors (localspl, tcpmon, usbmon, WSDMon,
APMon, AppMon, FXSMON, IPPMon, pjlmon, winprint) are quiet; another bare DLL
name (loaded from System32, as printer vendors' language monitors are) is
low, a DLL given by a path outside System32 is high, and the path assessor
can raise either. Every control set is read.`,
	Needs:  []hive.Kind{hive.KindSystem},
	Attack: []string{"T1547.010"},
	Run:    runPrintMonitors,
}

var printMonitorDefaults = map[string]bool{
	"localspl.dll": true, "tcpmon.dll": true, "usbmon.dll": true, "wsdmon.dll": true,
	"apmon.dll": true, "appmon.dll": true, "fxsmon.dll": true, "ippmon.dll": true,
	"pjlmon.dll": true, "winprint.dll": true,
}

func runPrintMonitors(p *analysis.Pass) error {
	env := p.Env(nil)
	var out []report.Finding
	err := p.EachControlSet(func(e *hive.Entry, cs hive.ControlSet) error {
		mons, err := analysis.Subkeys(cs.Key, `Control\Print\Monitors`)
		for _, m := range mons {
			v, dll, verr := analysis.Text(m, "Driver")
			if verr != nil {
				err = verr
			}
			if dll == "" {
				continue
			}
			f := analysis.InSet(analysis.AtValue(e, m, v), cs)
			if !analysis.DLLEntry(&f, dll, printMonitorDefaults, report.Low, env, "T1547.010") {
				continue
			}
			f.Rule = "printmonitor.driver"
			f.Title = fmt.Sprintf("Print monitor \"%s\" loads %s", m.Name(), dll)
			f.Detail = "The print spooler loads this port monitor as SYSTEM at every start. " + f.Detail
			out = append(out, f)
		}
		return err
	})
	p.Report(out...)
	return err
}
