package posture

import (
	_ "embed"
	"errors"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/checks"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// Logging reports event logging, ETW, AMSI and PowerShell logging turned off.
var Logging = &analysis.Analyzer{
	Name: "logging",
	Doc: `Event logging, ETW, AMSI and PowerShell logging turned off
Event log channels disabled (Security, System, Application, PowerShell,
Sysmon, Defender ...), the EventLog and Sysmon services disabled, autologger
sessions that feed the event logs and Defender stopped, COMPlus_ETWEnabled in
the system and user environments and .NET's ETWEnabled (which blind .NET
tracing), AMSI turned off for Windows Script Host or left without a provider
(Defender's provider unregistered), and PowerShell script block, module and
transcription logging switched off by policy. Windows ships every one of
these on; the PowerShell logging policies are absent by default, which is
quiet.`,
	Needs:  []hive.Kind{hive.KindSoftware, hive.KindSystem, hive.KindNTUser, hive.KindDefault},
	Attack: []string{"T1562.001", "T1562.002", "T1562.006", "T1059.001", "T1112"},
	Run:    runLogging,
}

//go:embed logging.yaml
var loggingYAML []byte

var loggingTable = checks.MustParsePart("logging", "analyzers/posture/logging.yaml", loggingYAML)

// defenderAMSI is the CLSID of Microsoft Defender's AMSI provider.
const defenderAMSI = "{2781761E-28E0-4109-99FE-B9D127C57AFE}"

func runLogging(p *analysis.Pass) error {
	errs := []error{checks.Run(p, loggingTable)}
	fam := p.Version().Family
	if fam != "" && fam != analysis.Fam10 {
		return errors.Join(errs...) // AMSI exists from Windows 10 on
	}
	errs = append(errs, p.EachSoftware(func(e *hive.Entry, root *hive.Key) error {
		fs, err := amsiProviders(e, root)
		p.Report(fs...)
		return err
	}))
	return errors.Join(errs...)
}

// amsiProviders reports an AMSI provider list left empty, and Defender's
// provider listed while its COM registration is gone: both leave scripts,
// macros and .NET assemblies unscanned. A host without the AMSI key (an old
// Windows) gives nothing.
func amsiProviders(e *hive.Entry, root *hive.Key) ([]report.Finding, error) {
	k, ok, err := analysis.OptionalKey(root, `Microsoft\AMSI\Providers`)
	if !ok {
		return nil, err
	}
	subs, err := k.Subkeys()
	if err != nil {
		return nil, err
	}
	if len(subs) == 0 {
		f := analysis.At(e, k)
		f.Rule, f.Severity = "logging.amsi-no-provider", report.Medium
		f.Attack = []string{"T1562.001"}
		f.Title = "AMSI has no provider: scripts and macros are not scanned"
		f.Detail = "The AMSI Providers key lists no antimalware provider, so PowerShell, Windows Script Host, Office macros and .NET pass their content to nothing. Windows 10/11 ship Microsoft Defender's provider " + defenderAMSI + " here, and other antivirus products add theirs. Legitimate only where Defender was removed and the antivirus in use has no AMSI provider; otherwise its removal is AMSI tampering. Find when the key was last written."
		return []report.Finding{f}, nil
	}
	for _, s := range subs {
		if !strings.EqualFold(s.Name(), defenderAMSI) {
			continue
		}
		_, ok, err := analysis.OptionalKey(root, `Classes\CLSID\`+defenderAMSI+`\InprocServer32`)
		if ok || err != nil {
			return nil, err
		}
		f := analysis.At(e, s)
		f.Rule, f.Severity = "logging.amsi-provider-unregistered", report.High
		f.Attack = []string{"T1562.001"}
		f.Title = "Defender's AMSI provider is listed but its COM server is unregistered"
		f.Detail = "AMSI loads each provider through its COM registration; Classes\\CLSID\\" + defenderAMSI + "\\InprocServer32 (MpOav.dll) is gone, so AMSI scans nothing with Defender while the provider still looks present. Windows never leaves it so; deleting the CLSID is a known AMSI bypass. Look at what ran as script or .NET afterwards."
		return []report.Finding{f}, nil
	}
	return nil, nil
}
