package autostart

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/internal/wintext"
	"github.com/hivescan/hivescan/report"
)

// IniFiles judges win.ini and system.ini and the registry mapping that
// decides whether Windows reads them.
var IniFiles = &analysis.Analyzer{
	Name: "inifiles",
	Doc: `win.ini and system.ini: legacy autostart lines and their IniFileMapping
Windows 3.x and 9x started the programs of win.ini's [windows] load= and
run= lines at logon and system.ini's [boot] shell= as the desktop. Windows NT
keeps the mechanism through IniFileMapping (SOFTWARE\Microsoft\Windows
NT\CurrentVersion\IniFileMapping): the [windows] section is read from the
user's HKCU\Software\Microsoft\Windows NT\CurrentVersion\Windows key and
[boot] Shell from Winlogon's Shell value, so a line in the file is used only
when its mapping is gone. When the evidence holds the Windows folder's
win.ini and system.ini (a disk image or a collection that keeps the
folder), each load=, run= and shell= item and each extra [drivers] entry is
reported: medium when the mapping sends Windows to the registry instead,
high when the mapping is missing, with the path assessor's verdict. A
mapping redirected elsewhere (Shell read from a per-user key) is reported
from SOFTWARE whether or not the files were collected.`,
	Needs:  []hive.Kind{hive.KindSoftware, hive.KindSystem},
	Attack: []string{"T1547.001", "T1547.004", "T1112"},
	Run:    runIniFiles,
}

const iniMappingPath = `Microsoft\Windows NT\CurrentVersion\IniFileMapping`

// iniLine is one item of a section line of an ini file.
type iniLine struct {
	section, key, value string
	line                int // 1-based
}

// iniMapping is the registry location Windows NT reads for a line of a
// mapped ini file, with the mapping Windows ships.
type iniMapping struct {
	file, section, key string // lower case
	want               string // Windows' mapping of the key, without prefix flags
	// wantDefault is Windows' mapping of the section's other keys (the
	// key's default value), which applies when the key has no value.
	wantDefault string
	rule        string
	what        string
}

// Windows' mappings: system.ini [boot] Shell as a stock Windows 11 build
// 26200 holds it (and as shell-replacement tools restore it), the [boot]
// default as the corpus's Windows NT 3.1 SOFTWARE holds it, and win.ini
// [windows] as the key Windows reads Load and Run from (windowskey.yaml).
var iniMappings = []iniMapping{
	{"win.ini", "windows", "load", `USR:Software\Microsoft\Windows NT\CurrentVersion\Windows`, `USR:Software\Microsoft\Windows NT\CurrentVersion\Windows`, "inifiles.win-load",
		"win.ini's [windows] load= line names programs Windows starts at each user's logon (minimised, in Windows 3.x)."},
	{"win.ini", "windows", "run", `USR:Software\Microsoft\Windows NT\CurrentVersion\Windows`, `USR:Software\Microsoft\Windows NT\CurrentVersion\Windows`, "inifiles.win-run",
		"win.ini's [windows] run= line names programs Windows starts at each user's logon."},
	{"system.ini", "boot", "shell", `SYS:Microsoft\Windows NT\CurrentVersion\Winlogon`, `SYS:Microsoft\Windows NT\CurrentVersion\WOW\boot`, "inifiles.system-shell",
		"system.ini's [boot] shell= line names the desktop program Windows starts after logon; Windows ships Explorer.exe."},
}

// iniDrivers are the [drivers] entries Windows ships in system.ini (for
// 16-bit programs): key and file name, lower case.
var iniDrivers = map[string]string{"wave": "mmdrv.dll", "timer": "timer.drv"}

func runIniFiles(p *analysis.Pass) error {
	sw := p.Set.Software()
	var mapKey *hive.Key
	var errs []error
	if sw != nil {
		root, err := sw.Root()
		if err != nil {
			errs = append(errs, err)
		} else if k, ok, err := analysis.OptionalKey(root, iniMappingPath); ok {
			mapKey = k
		} else if err != nil {
			errs = append(errs, fmt.Errorf("%s\\%s: %w", sw.Path, iniMappingPath, err))
		}
	}
	state := map[iniMapping]mappingState{}
	for _, m := range iniMappings {
		st, f, err := judgeMapping(p, sw, mapKey, m)
		state[m] = st
		if f != nil {
			p.Report(*f)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, t := range p.Set.Texts {
		lines := parseIni(t.Data)
		for _, m := range iniMappings {
			if m.file != t.Name {
				continue
			}
			for _, l := range lines {
				if l.section == m.section && strings.EqualFold(l.key, m.key) {
					p.Report(iniItems(p, t, l, m, state[m])...)
				}
			}
		}
		if t.Name == "system.ini" {
			p.Report(iniExtraDrivers(p, t, lines)...)
		}
	}
	for _, err := range errs {
		p.Problem(err)
	}
	return nil
}

// mappingState is what SOFTWARE says of a mapping.
type mappingState int

const (
	mapUnknown   mappingState = iota // no SOFTWARE hive, or damaged
	mapAsShipped                     // the mapping Windows ships: the file's line is not read
	mapElsewhere                     // redirected: the file's line is not read, another key is
	mapMissing                       // no mapping: Windows reads the file
)

// judgeMapping reads the mapping of m and reports one that differs from
// Windows' own.
func judgeMapping(p *analysis.Pass, sw *hive.Entry, mapKey *hive.Key, m iniMapping) (mappingState, *report.Finding, error) {
	if sw == nil {
		return mapUnknown, nil, nil
	}
	if mapKey == nil {
		return mapMissing, nil, nil
	}
	sec, ok, err := analysis.OptionalKey(mapKey, m.file+`\`+m.section)
	if !ok {
		if err != nil {
			return mapUnknown, nil, err
		}
		return mapMissing, nil, nil
	}
	v, target, err := analysis.Text(sec, m.key)
	if err != nil {
		return mapUnknown, nil, err
	}
	want := m.want
	if v == nil {
		want = m.wantDefault
		// The section's default value maps every key it does not name.
		v, target, err = analysis.Text(sec, "")
		if err != nil {
			return mapUnknown, nil, err
		}
		if v == nil {
			return mapMissing, nil, nil
		}
	}
	got := strings.TrimLeft(strings.TrimSpace(target), "!#@")
	if strings.EqualFold(got, want) {
		return mapAsShipped, nil, nil
	}
	f := analysis.AtValue(sw, sec, v)
	f.Rule = "inifiles.mapping"
	f.Severity = report.Medium
	f.Attack = []string{"T1112", "T1547"}
	f.Title = fmt.Sprintf("IniFileMapping sends %s [%s] %s to %s", m.file, m.section, m.key, got)
	f.Detail = fmt.Sprintf("Windows NT reads %s's [%s] %s= through IniFileMapping; Windows maps it to %s. This mapping names %s instead, so whatever that key holds is what Windows uses. %s",
		m.file, m.section, m.key, want, got, m.what)
	if strings.HasPrefix(strings.ToUpper(got), "USR:") && !strings.HasPrefix(strings.ToUpper(want), "USR:") {
		f.Severity = report.High
		f.Detail += " The new location is in each user's own hive, which that user can write without administrator rights: a per-user replacement of a machine-wide setting."
	}
	f.Detail += " Read the key it names in the affected hives and check when this mapping was written."
	return mapElsewhere, &f, nil
}

// iniItems reports the programs of one mapped line.
func iniItems(p *analysis.Pass, t hive.Text, l iniLine, m iniMapping, st mappingState) []report.Finding {
	var out []report.Finding
	for _, item := range strings.FieldsFunc(l.value, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if m.key == "shell" && strings.EqualFold(strings.TrimSuffix(strings.ToLower(item), ".exe"), "explorer") {
			continue
		}
		f := iniFinding(t, l)
		f.Rule = m.rule
		f.Data = item
		base := report.Medium
		f.Detail = m.what + fmt.Sprintf(" %s line %d reads %s=%s. ", t.Path, l.line, l.key, l.value)
		switch st {
		case mapAsShipped:
			f.Detail += "IniFileMapping sends Windows to the registry for this line, so Windows does not use it now: it is left from an upgrade of Windows 9x or written by malware aimed at old Windows (or at msconfig, which shows it); removing the mapping would make it live."
		case mapElsewhere:
			f.Detail += "IniFileMapping redirects this line to another registry key (reported separately), so Windows does not read the file's line."
		case mapMissing:
			base = report.High
			f.Detail += "SOFTWARE has no IniFileMapping for this line, so Windows reads it from the file and starts the program at each logon."
		default:
			f.Detail += "Without a readable SOFTWARE hive hivescan cannot tell whether IniFileMapping sends Windows to the registry instead; on a default Windows NT it does."
		}
		f.Title = fmt.Sprintf("%s [%s] %s= starts %s", t.Name, l.section, l.key, item)
		a := winpath.Assess(item, p.Env(nil))
		analysis.Judge(&f, base, "T1547.001", a)
		if (st == mapAsShipped || st == mapElsewhere) && f.Severity > report.High {
			f.Severity = report.High
			f.Detail += " Rated high rather than critical: Windows does not run this line while the mapping stands, but the file it names deserves collection."
		}
		out = append(out, f)
	}
	return out
}

// iniExtraDrivers reports system.ini [drivers] entries Windows does not ship.
func iniExtraDrivers(p *analysis.Pass, t hive.Text, lines []iniLine) []report.Finding {
	var out []report.Finding
	for _, l := range lines {
		if l.section != "drivers" {
			continue
		}
		if want, ok := iniDrivers[strings.ToLower(l.key)]; ok && strings.EqualFold(l.value, want) {
			continue
		}
		f := iniFinding(t, l)
		f.Rule = "inifiles.system-driver"
		f.Data = l.value
		f.Title = fmt.Sprintf("system.ini [drivers] %s= loads %s", l.key, l.value)
		f.Detail = fmt.Sprintf("system.ini's [drivers] section names the 16-bit drivers NTVDM loads for old programs; Windows ships only wave=mmdrv.dll and timer=timer.drv. %s line %d reads %s=%s. Collect the file it names.", t.Path, l.line, l.key, l.value)
		analysis.Judge(&f, report.Low, "T1547", winpath.AssessPath(l.value, p.Env(nil)))
		out = append(out, f)
	}
	return out
}

func iniFinding(t hive.Text, l iniLine) report.Finding {
	// No LastWrite: a file's modification time is a file-system fact
	// (listed with the input), not a registry key's.
	return report.Finding{
		Hive:     t.Path,
		HiveKind: report.InputText,
		Key:      "[" + l.section + "]",
		Value:    report.ValueName(l.key),
	}
}

// maxIniLines bounds the lines parseIni reads.
const maxIniLines = 100000

// parseIni reads the key=value lines of an ini file, with lower-case
// section names. It decodes UTF-16 (with its byte-order mark) and otherwise
// takes bytes that are not UTF-8 as Latin-1, as the ANSI code page mostly
// is. Comments (;) and lines without '=' are skipped.
func parseIni(b []byte) []iniLine {
	var text string
	switch {
	case len(b) >= 2 && b[0] == 0xff && b[1] == 0xfe:
		text = wintext.UTF16(b[2:])
	case utf8.Valid(b):
		text = strings.TrimPrefix(string(b), "\ufeff")
	default:
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		text = string(r)
	}
	var out []iniLine
	section := ""
	for i, line := range strings.Split(text, "\n") {
		if i >= maxIniLines {
			break
		}
		line = strings.TrimSpace(strings.TrimRight(line, "\r\x00"))
		switch {
		case line == "" || line[0] == ';':
		case line[0] == '[':
			if end := strings.IndexByte(line, ']'); end > 0 {
				section = strings.ToLower(strings.TrimSpace(line[1:end]))
			}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			if k, v = strings.TrimSpace(k), strings.TrimSpace(v); k != "" && v != "" {
				out = append(out, iniLine{section: section, key: k, value: v, line: i + 1})
			}
		}
	}
	return out
}
