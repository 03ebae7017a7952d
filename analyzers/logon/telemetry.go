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

// Telemetry reports commands of the Windows telemetry controller that are
// not Windows' own.
var Telemetry = &analysis.Analyzer{
	Name: "telemetry",
	Doc: `Telemetry controller: commands the Compatibility Appraiser task runs as SYSTEM
The Microsoft Compatibility Appraiser scheduled task (CompatTelRunner.exe)
runs the Command of every subkey of AppCompatFlags\TelemetryController in
SOFTWARE, as SYSTEM, on its schedule. Windows' own commands run
CompatTelRunner.exe or rundll32.exe with a Windows DLL from System32; any
other command is high, the persistence TrustedSec described in 2020.`,
	Needs:  []hive.Kind{hive.KindSoftware},
	Attack: []string{"T1053.005", "T1546"},
	Run:    runTelemetry,
}

// telemetryPrograms are the programs Windows' own controller commands run,
// from System32.
var telemetryPrograms = map[string]bool{"compattelrunner.exe": true, "rundll32.exe": true}

func runTelemetry(p *analysis.Pass) error {
	var out []report.Finding
	err := p.EachSoftware(func(e *hive.Entry, root *hive.Key) error {
		subs, err := analysis.Subkeys(root, `Microsoft\Windows NT\CurrentVersion\AppCompatFlags\TelemetryController`)
		errs := []error{err}
		env := p.Env(e)
		for _, k := range subs {
			v, cmd, err := analysis.Text(k, "Command")
			if v == nil || cmd == "" {
				errs = append(errs, err)
				continue
			}
			a := winpath.Assess(cmd, env)
			cl := winpath.ParseCommandLine(cmd)
			prog := winpath.Resolve(cl.Image, env)
			own := telemetryPrograms[strings.ToLower(prog.Base)] && analysis.SamePath(prog.Full, `%SystemRoot%\System32\`+prog.Base, env) && len(a.Reasons) == 0
			if own {
				continue
			}
			f := analysis.AtValue(e, k, v)
			f.Analyzer, f.Rule, f.Severity = "telemetry", "telemetry.command", report.High
			f.Attack = []string{"T1053.005", "T1546"}
			f.Title = "The telemetry controller runs " + cl.Image + " as SYSTEM"
			f.Detail = fmt.Sprintf("The Microsoft Compatibility Appraiser task (CompatTelRunner.exe) runs the Command of each subkey of AppCompatFlags\\TelemetryController as SYSTEM on its schedule; %q here is %q. Windows' own commands run CompatTelRunner.exe or rundll32.exe from System32. Collect the program and check the task's history (Microsoft-Windows-TaskScheduler/Operational).", k.Name(), cmd)
			analysis.Assessed(&f, a)
			out = append(out, f)
		}
		return errors.Join(errs...)
	})
	p.Report(out...)
	return err
}
