package sessionmanager

import (
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// DosDevices compares the DOS device links smss.exe creates with the
// defaults.
var DosDevices = &analysis.Analyzer{
	Name: "dosdevices",
	Doc: `DOS Devices: the device names smss.exe links at boot
smss.exe creates a symbolic link in \GLOBAL?? for every value of Session
Manager\DOS Devices (AUX, CON, NUL, PIPE, UNC, MAILSLOT, ...). Redirecting a
default name sends every program that opens it (named pipes, network paths,
the console) to another device, where a filter can read or change the
traffic; an added name, especially a drive letter, makes a path appear that
no disk shows. Defaults are compared across Windows XP to 11.`,
	Needs:  []hive.Kind{hive.KindSystem},
	Attack: []string{"T1014", "T1564"},
	Run:    runDosDevices,
}

// defaultDosDevices are the links Windows creates (lower-case name to
// target); a Windows version may lack some.
var defaultDosDevices = map[string]string{
	"aux": `\DosDevices\COM1`, "prn": `\DosDevices\LPT1`, "nul": `\Device\Null`,
	"pipe": `\Device\NamedPipe`, "mailslot": `\Device\MailSlot`, "unc": `\Device\Mup`,
	"con": `\Device\ConDrv\Console`, "conin$": `\Device\ConDrv\CurrentIn`,
	"conout$": `\Device\ConDrv\CurrentOut`, "silos": `\Silos`,
}

// knownDosDeviceAdditions are links that Windows features add (name to
// target), reported as info.
var knownDosDeviceAdditions = map[string]string{
	"vmsmb": `\Device\vmsmb`, // Hyper-V / Windows Sandbox SMB transport, seen in regipy SYSTEM_WIN_10_1709
}

func runDosDevices(p *analysis.Pass) error {
	var out []report.Finding
	err := p.EachSessionManager(func(e *hive.Entry, cs hive.ControlSet, sm *hive.Key) error {
		k, ok, err := analysis.OptionalKey(sm, "DOS Devices")
		if !ok {
			return err
		}
		vals, err := k.Values()
		for _, v := range vals {
			target, terr := v.Text()
			if terr != nil {
				continue
			}
			name := v.Name()
			l := strings.ToLower(name)
			f := analysis.SMValue(e, cs, k, v)
			if want, ok := defaultDosDevices[l]; ok {
				if strings.EqualFold(target, want) {
					continue
				}
				f.Rule, f.Severity = "dosdevices.redirected", report.High
				f.Attack = []string{"T1014"}
				f.Title = fmt.Sprintf("DOS device %s is redirected to %s", name, target)
				f.Detail = fmt.Sprintf("At boot smss.exe links %s to %s instead of %s, so every program that opens %s (for example \\\\.\\%s) reaches that object instead. Find the driver that creates %s (services of type kernel driver) and collect it.", name, target, want, name, name, target)
				out = append(out, f)
				continue
			}
			if want, ok := knownDosDeviceAdditions[l]; ok && strings.EqualFold(target, want) {
				f.Rule, f.Severity = "dosdevices.known-addition", report.Info
				f.Title = fmt.Sprintf("DOS device %s links to %s (a Windows feature)", name, target)
				f.Detail = "A Windows feature (Hyper-V, Windows Sandbox or containers) adds this link; nothing to collect."
				out = append(out, f)
				continue
			}
			f.Rule, f.Severity = "dosdevices.added", report.Medium
			f.Attack = []string{"T1564"}
			f.Title = fmt.Sprintf("DOS device %s links to %s", name, target)
			f.Detail = fmt.Sprintf("At boot smss.exe creates the link %s -> %s, which Windows does not ship. Drivers and virtualisation software add such links; an unexplained one hides a device or folder behind a name programs trust.", name, target)
			if len(name) == 2 && name[1] == ':' {
				f.Severity = report.High
				f.Detail += fmt.Sprintf(" %s is a drive letter: its contents are %s, a volume or folder that no disk listing shows under that letter. Examine %s.", name, target, target)
			}
			out = append(out, f)
		}
		return err
	})
	p.Report(out...)
	return err
}
