package posture

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/checks"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// Defender reports Microsoft Defender turned off or weakened, and every
// exclusion it was given.
var Defender = &analysis.Analyzer{
	Name: "defender",
	Doc: `Microsoft Defender disabled, weakened or given exclusions
DisableAntiSpyware, DisableAntiVirus and the real-time protection switches
(policy and preference keys), cloud protection and sample submission, tamper
protection, threat default actions that allow malware, and the Defender and
Security Center services disabled. Every exclusion (paths, extensions,
processes, IP addresses; Defender's and the older Microsoft Antimalware's,
policy and preference keys) is listed: a whole drive, a user-writable folder
(profiles, AppData, Temp, ProgramData, Public), an executable or script
extension or a command interpreter is high, any other medium.`,
	Needs:  []hive.Kind{hive.KindSoftware, hive.KindSystem},
	Attack: []string{"T1562.001"},
	Run:    runDefender,
}

//go:embed defender.yaml
var defenderYAML []byte

var defenderTable = checks.MustParsePart("defender", "analyzers/posture/defender.yaml", defenderYAML)

// exclusionRoots are the keys whose subkeys list exclusions, below SOFTWARE.
var exclusionRoots = []string{
	`Microsoft\Windows Defender\Exclusions`,
	`Policies\Microsoft\Windows Defender\Exclusions`,
	`Microsoft\Microsoft Antimalware\Exclusions`,
	`Policies\Microsoft\Microsoft Antimalware\Exclusions`,
}

// exclusionKinds are the exclusion lists: each value name is one item.
var exclusionKinds = []string{"Paths", "TemporaryPaths", "Extensions", "Processes", "IpAddresses"}

func runDefender(p *analysis.Pass) error {
	errs := []error{checks.Run(p, defenderTable)}
	env := p.Env(nil)
	errs = append(errs, p.EachSoftware(func(e *hive.Entry, root *hive.Key) error {
		var errs []error
		for _, base := range exclusionRoots {
			for _, kind := range exclusionKinds {
				k, ok, err := analysis.OptionalKey(root, base+`\`+kind)
				errs = append(errs, err)
				if !ok {
					continue
				}
				vals, err := k.Values()
				errs = append(errs, err)
				for _, v := range vals {
					if v.Name() == "" {
						continue // the key's unnamed value is no exclusion
					}
					p.Report(exclusionFinding(e, k, v, kind, env))
				}
			}
		}
		return errors.Join(errs...)
	}))
	return errors.Join(errs...)
}

// exclusionFinding reports one exclusion: the value's name is the item.
func exclusionFinding(e *hive.Entry, k *hive.Key, v *hive.Value, kind string, env winpath.Env) report.Finding {
	item := v.Name()
	f := analysis.AtValue(e, k, v)
	f.Data = item
	f.Rule = "defender.exclusion"
	f.Attack = []string{"T1562.001"}
	sev, why := judgeExclusion(kind, item, env)
	f.Severity = sev
	policy := ""
	if strings.Contains(strings.ToLower(k.Path()), `\policies\`) {
		policy = " by policy"
	}
	what := map[string]string{"Paths": "path", "TemporaryPaths": "temporary path", "Extensions": "extension", "Processes": "process", "IpAddresses": "IP address"}[kind]
	f.Title = fmt.Sprintf("Defender excludes %s %s%s", what, item, policy)
	f.Detail = fmt.Sprintf("Defender does not scan what this exclusion (%s) covers: %s Windows ships no exclusions in the registry (server roles add theirs at run time, not here). Check whether the host's management or a product's documentation asks for it; otherwise list what the exclusion covers and collect it.", kind, why)
	return f
}

// scriptExts are extensions of files that run code: excluding one lets any
// such file run unscanned.
var scriptExts = map[string]bool{
	"exe": true, "dll": true, "sys": true, "scr": true, "com": true, "pif": true, "cpl": true, "ocx": true,
	"ps1": true, "psm1": true, "bat": true, "cmd": true, "vbs": true, "vbe": true, "js": true, "jse": true,
	"wsf": true, "wsh": true, "hta": true, "msi": true, "lnk": true, "jar": true, "docm": true, "xlsm": true,
	"iso": true, "zip": true, "tmp": true,
}

// riskyProcesses are programs whose exclusion covers whatever they run or
// load: interpreters, script hosts and the LOLBins that proxy execution.
var riskyProcesses = map[string]bool{
	"powershell.exe": true, "pwsh.exe": true, "powershell_ise.exe": true, "cmd.exe": true, "wscript.exe": true,
	"cscript.exe": true, "mshta.exe": true, "rundll32.exe": true, "regsvr32.exe": true, "msbuild.exe": true,
	"installutil.exe": true, "regasm.exe": true, "regsvcs.exe": true, "wmic.exe": true, "certutil.exe": true,
	"bitsadmin.exe": true, "explorer.exe": true, "svchost.exe": true, "dllhost.exe": true, "lsass.exe": true,
	"python.exe": true, "java.exe": true, "javaw.exe": true, "node.exe": true, "msiexec.exe": true,
}

// judgeExclusion rates one exclusion and says why in words.
func judgeExclusion(kind, item string, env winpath.Env) (report.Severity, string) {
	switch kind {
	case "Extensions":
		ext := strings.ToLower(strings.TrimLeft(strings.TrimSpace(item), "*."))
		if ext == "" || scriptExts[ext] {
			return report.High, fmt.Sprintf("every .%s file on the host, wherever it is: a file type that runs code.", ext)
		}
		return report.Medium, fmt.Sprintf("every .%s file on the host.", ext)
	case "Processes":
		pth := winpath.Resolve(item, env)
		base := strings.ToLower(pth.Base)
		switch {
		case riskyProcesses[base]:
			return report.High, fmt.Sprintf("every file that %s opens, and so whatever it is told to run: a command interpreter, script host or program that runs others.", pth.Base)
		case winpath.IsUserWritable(pth):
			return report.High, fmt.Sprintf("every file that %s opens; the program lies in a folder standard users can write to, so anyone can drop an unscanned program there.", pth.Full)
		}
		return report.Medium, fmt.Sprintf("every file that %s opens.", item)
	case "IpAddresses":
		return report.Medium, fmt.Sprintf("network traffic with %s (network inspection).", item)
	}
	return judgeExcludedPath(item, env)
}

// judgeExcludedPath rates a path or folder exclusion.
func judgeExcludedPath(item string, env winpath.Env) (report.Severity, string) {
	t := strings.TrimRight(strings.TrimSpace(item), `\/*`)
	if t == "" || len(t) == 2 && t[1] == ':' || strings.Trim(item, `\*. `) == "" {
		return report.High, fmt.Sprintf("%s is a whole drive (or everything): nothing there is scanned.", item)
	}
	folder := winpath.Resolve(env.Expand(t)+`\x`, env)
	switch {
	case winpath.IsUserWritable(folder) || writableSegment(folder.Full):
		return report.High, fmt.Sprintf("%s is a folder standard users can write to (profiles, AppData, Temp, ProgramData, Public): any program dropped there runs unscanned.", item)
	case winpath.IsSystemDir(folder):
		return report.High, fmt.Sprintf("%s is the Windows or System32 folder: the programs attackers abuse live there.", item)
	}
	return report.Medium, fmt.Sprintf("%s and everything below it.", item)
}

// writableSegments are folder names that hold user-writable content
// wherever they are (C:\Temp, D:\Users, ...\AppData): an exclusion naming
// one, or a folder below one, is as broad as excluding a profile.
var writableSegments = map[string]bool{
	"users": true, "documents and settings": true, "temp": true, "tmp": true,
	"appdata": true, "downloads": true, "$recycle.bin": true, "public": true, "programdata": true,
}

// writableSegment reports whether a folder of full path p (the last element
// a placeholder) has a user-writable folder name.
func writableSegment(p string) bool {
	parts := strings.Split(strings.ToLower(p), `\`)
	for _, seg := range parts[:max(len(parts)-1, 0)] {
		if writableSegments[seg] {
			return true
		}
	}
	return false
}
