package posture

import (
	_ "embed"
	"errors"
	"fmt"
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
(Defender's provider unregistered), PowerShell script block, module and
transcription logging switched off by policy, and core logs whose security
descriptor (classic CustomSD, channel ChannelAccess) denies a trustee
Windows does not deny. Windows ships every one of
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
	errs = append(errs, p.EachControlSet(func(e *hive.Entry, cs hive.ControlSet) error {
		var errs []error
		for _, log := range classicLogs {
			k, ok, err := analysis.OptionalKey(cs.Key, `Services\EventLog\`+log)
			errs = append(errs, err)
			if ok {
				f, found, err := denyingSD(e, k, "CustomSD")
				errs = append(errs, err)
				if found {
					p.Report(analysis.InSet(f, cs))
				}
			}
		}
		return errors.Join(errs...)
	}))
	errs = append(errs, p.EachSoftware(func(e *hive.Entry, root *hive.Key) error {
		var errs []error
		for _, ch := range coreChannels {
			k, ok, err := analysis.OptionalKey(root, `Microsoft\Windows\CurrentVersion\WINEVT\Channels\`+ch)
			errs = append(errs, err)
			if ok {
				f, found, err := denyingSD(e, k, "ChannelAccess")
				errs = append(errs, err)
				if found {
					p.Report(f)
				}
			}
		}
		return errors.Join(errs...)
	}))
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

// classicLogs and coreChannels are the logs whose access a responder relies
// on: the classic EventLog keys and the WINEVT channels.
var (
	classicLogs  = []string{"Security", "System", "Application", "Windows PowerShell"}
	coreChannels = []string{"Security", "System", "Application", "Windows PowerShell", "Microsoft-Windows-PowerShell/Operational", "Microsoft-Windows-Sysmon/Operational"}
)

// deniedByDefault are the trustees Windows' own log security descriptors
// deny (anonymous logon and built-in guests).
var deniedByDefault = map[string]bool{"AN": true, "BG": true, "S-1-5-7": true, "S-1-5-32-546": true}

// denyingSD reports a log security descriptor (SDDL in value name of k)
// with a deny ACE for a trustee Windows does not deny: the service or the
// readers the log depends on locked out, so that it is not written or not
// read.
func denyingSD(e *hive.Entry, k *hive.Key, name string) (report.Finding, bool, error) {
	v, sddl, err := analysis.Text(k, name)
	if v == nil || err != nil {
		return report.Finding{}, false, err
	}
	var denied []string
	for _, ace := range sddlACEs(sddl) {
		parts := strings.Split(ace, ";")
		if len(parts) >= 6 && strings.EqualFold(parts[0], "D") && !deniedByDefault[strings.ToUpper(parts[5])] {
			denied = append(denied, parts[5])
		}
	}
	if len(denied) == 0 {
		return report.Finding{}, false, nil
	}
	f := analysis.AtValue(e, k, v)
	f.Rule, f.Severity = "logging.log-access-denied", report.Medium
	f.Attack = []string{"T1562.002"}
	f.Title = fmt.Sprintf("The %s log's %s denies access to %s", k.Name(), name, strings.Join(denied, ", "))
	f.Detail = fmt.Sprintf("The security descriptor %q of %s denies %s. Windows' own descriptors deny only anonymous logons and guests; a deny for SYSTEM, the service accounts, administrators or everyone stops the log from being written, read or collected (a quiet way to blind a SIEM forwarder). Compare with a clean host of the same version and find when the key changed.", sddl, k.Path(), strings.Join(denied, ", "))
	return f, true, nil
}

// sddlACEs returns the ACE strings (without parentheses) of an SDDL's DACL.
func sddlACEs(sddl string) []string {
	d := strings.Index(strings.ToUpper(sddl), "D:")
	if d < 0 {
		return nil
	}
	rest := sddl[d+2:]
	if s := strings.Index(strings.ToUpper(rest), "S:"); s >= 0 { // the SACL follows
		rest = rest[:s]
	}
	var out []string
	for {
		i := strings.IndexByte(rest, '(')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(rest[i:], ')')
		if j < 0 {
			return out
		}
		out = append(out, rest[i+1:i+j])
		rest = rest[i+j+1:]
	}
}
