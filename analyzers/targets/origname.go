package targets

import (
	"strings"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/report"
)

// KindVolume is the hive_kind of findings about a file on the volume
// rather than a registry entry.
const KindVolume = "VOLUME"

// windowsTools are Windows programs attackers copy under another name so
// that an autostart entry or a process list does not show what runs
// (T1036.003). Source: LOLBAS (https://lolbas-project.github.io/), the
// binaries its entries most often show renamed, and ATT&CK T1036.003's
// procedure examples (renamed cmd.exe, powershell.exe, rundll32.exe,
// certutil.exe, psexec's service).
var windowsTools = map[string]bool{
	"cmd.exe": true, "powershell.exe": true, "pwsh.exe": true, "rundll32.exe": true, "regsvr32.exe": true,
	"mshta.exe": true, "wscript.exe": true, "cscript.exe": true, "certutil.exe": true, "bitsadmin.exe": true,
	"msbuild.exe": true, "installutil.exe": true, "regasm.exe": true, "regsvcs.exe": true, "wmic.exe": true,
	"schtasks.exe": true, "sc.exe": true, "net.exe": true, "net1.exe": true, "reg.exe": true,
	"psexesvc.exe": true, "psexec.exe": true, "procdump": true, "procdump.exe": true, "ntdsutil.exe": true,
}

// originalName reports a file whose version resource names it otherwise
// than its file name says, when the name it claims is a critical Windows
// process (a copy of, or a fake posing as, smss.exe under another name) or
// a Windows tool (a renamed cmd.exe or rundll32.exe).
func originalName(f report.Finding, t report.Target) (report.Finding, bool) {
	if !t.Exists || t.PE == nil || t.PE.OriginalFilename == "" {
		return report.Finding{}, false
	}
	orig := strings.ToLower(strings.TrimSpace(t.PE.OriginalFilename))
	orig = strings.TrimSuffix(orig, ".mui")
	base := t.Path[strings.LastIndexByte(t.Path, '\\')+1:]
	if strings.EqualFold(base, orig) {
		return report.Finding{}, false
	}
	canon, critical := winpath.CriticalName(orig)
	if !critical && !windowsTools[orig] {
		return report.Finding{}, false
	}
	nf := report.Finding{
		Analyzer: "targets", Rule: "original-name", Severity: report.High,
		Hive: f.Hive, HiveKind: f.HiveKind, Key: f.Key, Value: f.Value, Data: f.Data, LastWrite: f.LastWrite,
		ControlSet: f.ControlSet, ControlSetRole: f.ControlSetRole, User: f.User, Deleted: f.Deleted,
		Attack:  []string{"T1036.003"},
		Targets: []report.Target{t},
	}
	if critical {
		nf.Title = base + " says it is " + canon + ", a critical Windows process"
		nf.Attack = []string{"T1036.003", "T1036.005"}
		nf.Detail = "The file " + t.Path + ", which this entry starts (" + f.Analyzer + "/" + f.Rule + "), carries a version resource whose OriginalFilename is " +
			t.PE.OriginalFilename + ": it is a copy of " + canon + " renamed, or a fake built to pass for it. Windows never starts " +
			canon + " under another name. Collect the file, compare its hash with the volume's own " + canon + " and with known-good builds, and find what else it started."
	} else {
		nf.Title = base + " is a renamed " + orig
		nf.Detail = "The file " + t.Path + ", which this entry starts (" + f.Analyzer + "/" + f.Rule + "), carries a version resource whose OriginalFilename is " +
			t.PE.OriginalFilename + ": a Windows tool copied under another name, so that the entry and the process list do not show it. " +
			"Collect the file, read the entry's arguments as arguments of " + orig + ", and look for other renamed copies."
	}
	return nf, true
}
