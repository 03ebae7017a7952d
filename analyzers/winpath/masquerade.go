package winpath

import (
	"sort"
	"strings"

	"github.com/hivescan/hivescan/report"
)

// Where each critical program legitimately lives, relative to the Windows
// folder ("" is the Windows folder itself).
const (
	inSystem32 = "system32"
	inSysWOW64 = "syswow64"
	inWindows  = ""
)

// criticalNames are the programs malware most often impersonates, with the
// folders Windows keeps them in. Beyond the core boot and session processes
// the list holds taskhost.exe and lsm.exe (their Windows 7 forms), dwm.exe,
// sihost.exe, fontdrvhost.exe and ctfmon.exe (always running in every
// interactive session, so a copy blends into any process list) and
// wmiprvse.exe (runs WMI providers, lives in System32\wbem). svchost,
// dllhost, explorer, userinit and ctfmon also ship 32-bit copies in SysWOW64.
var criticalNames = map[string][]string{
	"smss.exe":          {inSystem32},
	"csrss.exe":         {inSystem32},
	"wininit.exe":       {inSystem32},
	"winlogon.exe":      {inSystem32},
	"services.exe":      {inSystem32},
	"lsass.exe":         {inSystem32},
	"lsaiso.exe":        {inSystem32},
	"svchost.exe":       {inSystem32, inSysWOW64},
	"taskhostw.exe":     {inSystem32},
	"taskhost.exe":      {inSystem32},
	"dllhost.exe":       {inSystem32, inSysWOW64},
	"conhost.exe":       {inSystem32},
	"explorer.exe":      {inWindows, inSysWOW64},
	"userinit.exe":      {inSystem32, inSysWOW64},
	"runtimebroker.exe": {inSystem32},
	"spoolsv.exe":       {inSystem32},
	"lsm.exe":           {inSystem32},
	"dwm.exe":           {inSystem32},
	"sihost.exe":        {inSystem32},
	"fontdrvhost.exe":   {inSystem32},
	"ctfmon.exe":        {inSystem32, inSysWOW64},
	"wmiprvse.exe":      {`system32\wbem`, `syswow64\wbem`},
}

// canonicalNames gives the usual spelling of each critical name.
var canonicalNames = map[string]string{
	"runtimebroker.exe": "RuntimeBroker.exe",
	"wmiprvse.exe":      "WmiPrvSE.exe",
}

// weakLookalikes are names one edit away from a critical name that are
// common, generic names of third-party programs (a vendor's "service.exe"),
// so they are only suspicious inside the Windows folder, where Windows ships
// no such file.
var weakLookalikes = map[string]bool{
	"service.exe": true,
}

// minEditStem is the shortest stem, on either side, checked for one-edit
// look-alikes: every 3-letter name (lsm, dwm, sms) is one edit from dozens of
// unrelated names.
const minEditStem = 4

// critical describes a critical name: its spelling and skeleton.
type critical struct {
	lower     string // "smss.exe"
	canonical string // "smss.exe", "RuntimeBroker.exe"
	skeleton  string // skeleton of the stem without ".exe"
}

var criticalList = func() []critical {
	var out []critical
	for n := range criticalNames {
		c := critical{lower: n, canonical: n, skeleton: spell(strings.TrimSuffix(n, ".exe")).skeleton}
		if s, ok := canonicalNames[n]; ok {
			c.canonical = s
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].lower < out[j].lower })
	return out
}()

// CriticalName reports whether base is exactly (ignoring letter case) the
// file name of a critical Windows process, and returns its usual spelling.
func CriticalName(base string) (canonical string, ok bool) {
	l := strings.ToLower(base)
	if _, ok := criticalNames[l]; !ok {
		return "", false
	}
	if s, ok := canonicalNames[l]; ok {
		return s, true
	}
	return l, true
}

// legitDirs returns the folded folders where a critical name belongs.
func (l layout) legitDirs(lower string) []string {
	var out []string
	for _, rel := range criticalNames[lower] {
		switch rel {
		case inWindows:
			out = append(out, l.root)
		case inSystem32:
			out = append(out, l.system32, l.sysnative)
		default:
			out = append(out, l.root+`\`+rel)
			if strings.HasPrefix(rel, inSystem32+`\`) {
				out = append(out, l.sysnative+rel[len(inSystem32):])
			}
		}
	}
	return out
}

// dirKey returns the folded folder of p for location checks. For a path on an
// NT volume device (\\?\GLOBALROOT\Device\HarddiskVolume2\Windows\...) it is
// the folder on the system drive, since the volume cannot be mapped offline.
func (l layout) dirKey(p Path) string {
	d := fold(p.Dir)
	if !p.GlobalRoot {
		return d
	}
	elems := strings.Split(d, `\`)
	for i, e := range elems {
		if strings.HasPrefix(e, "harddiskvolume") || strings.HasPrefix(e, "volume{") {
			return l.drive + `\` + strings.Join(elems[i+1:], `\`)
		}
	}
	return d
}

// masqueradeReasons judges the name of p against the critical names. risk is
// the location prior when a critical name is found out of place.
func masqueradeReasons(p Path, l layout) (rs []Reason, risk float64) {
	if p.Base == "" {
		return nil, 0
	}
	dir := l.dirKey(p)
	if canon, ok := CriticalName(p.Base); ok {
		lower := strings.ToLower(p.Base)
		if inAny(dir, l.legitDirs(lower)) && !p.UNC {
			return nil, 0
		}
		risk, row := l.prior(dir)
		where := "outside its Windows folder"
		if row != "" {
			where = "in " + row
		}
		return []Reason{{
			Rule:     "masquerade.location",
			Severity: report.Critical,
			Text: canon + " is a critical Windows process that only ever runs from " + legitText(lower) +
				"; this copy is " + where + " (" + excerpt(p.Dir, 200) + "). Malware uses the name to hide in process lists. Collect the file, compare its hash with the real one and look for what else it started.",
			Attack: []string{"T1036.005"},
		}}, risk
	}
	return lookalikeReasons(p, l, dir), 0
}

func legitText(lower string) string {
	var parts []string
	for _, rel := range criticalNames[lower] {
		switch rel {
		case inWindows:
			parts = append(parts, `%SystemRoot%`)
		default:
			parts = append(parts, `%SystemRoot%\`+rel)
		}
	}
	return strings.Join(parts, " or ")
}

// splitExt splits a name at its last dot.
func splitExt(name string) (stem, ext string) {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[:i], strings.ToLower(name[i:])
	}
	return name, ""
}

// runnableExts are extensions Windows runs directly.
var runnableExts = map[string]bool{
	".exe": true, ".com": true, ".scr": true, ".pif": true, ".bat": true,
	".cmd": true, ".cpl": true, ".hta": true, ".js": true, ".jse": true,
	".vbs": true, ".vbe": true, ".wsf": true, ".ps1": true, ".msi": true, ".lnk": true,
}

// decoyExts are extensions put in front of a runnable one to make a program
// look like a document (invoice.pdf.exe) or like another program (smss.exe.scr).
var decoyExts = map[string]bool{
	".exe": true, ".com": true, ".scr": true, ".doc": true, ".docx": true,
	".xls": true, ".xlsx": true, ".ppt": true, ".pptx": true, ".pdf": true,
	".txt": true, ".rtf": true, ".jpg": true, ".jpeg": true, ".png": true,
	".gif": true, ".bmp": true, ".mp3": true, ".mp4": true, ".avi": true,
	".zip": true, ".rar": true, ".htm": true, ".html": true, ".dll": true, ".sys": true,
}

// lookalikeReasons finds names built to be read as a critical name or as a
// harmless file.
func lookalikeReasons(p Path, l layout, dir string) []Reason {
	name := p.Base
	sp := spell(name)
	disp := spell(displayed(name))

	// The names a reader could take this file for.
	trimmed := strings.TrimRight(sp.skeleton, " .")
	trailing := trimmed != sp.skeleton
	stem, ext := splitExt(trimmed)
	innerStem, innerExt := splitExt(strings.TrimRight(stem, " "))
	double := runnableExts[ext] && decoyExts[innerExt] && innerStem != ""

	target := ""
	for _, c := range criticalList {
		for _, cand := range []string{trimmed, disp.skeleton, strings.TrimRight(disp.skeleton, " .")} {
			if s, e := splitExt(cand); e == ".exe" && s == c.skeleton {
				target = c.canonical
			}
		}
		if double && innerExt == ".exe" && innerStem == c.skeleton {
			target = c.canonical
		}
	}

	var rs []Reason
	sev := report.High
	imitates := ""
	if target != "" {
		sev = report.Critical
		imitates = " The name imitates " + target + "."
	}
	if len(sp.bidi) > 0 {
		rs = append(rs, Reason{Rule: "masquerade.bidi", Severity: sev,
			Text:   "The file name contains bidirectional control characters (" + strings.Join(sp.bidi, ", ") + ") that make Explorer show it as \"" + printable(displayed(name)) + "\", hiding its real extension." + imitates + " Examine the file.",
			Attack: []string{"T1036.002"}})
	}
	if len(sp.invisible) > 0 {
		rs = append(rs, Reason{Rule: "masquerade.invisible", Severity: sev,
			Text:   "The file name contains invisible characters (" + strings.Join(sp.invisible, ", ") + "), so it looks like a different file than it is." + imitates + " Examine the file.",
			Attack: []string{"T1036"}})
	}
	if double {
		rs = append(rs, Reason{Rule: "masquerade.double-extension", Severity: sev,
			Text:   "The file name has a decoy extension in front of the real one (" + printable(name) + " runs as " + ext + ")." + imitates + " Examine the file.",
			Attack: []string{"T1036.007"}})
	}
	if trailing {
		tsev := report.Medium
		if target != "" {
			tsev = report.Critical
		}
		rs = append(rs, Reason{Rule: "masquerade.trailing", Severity: tsev,
			Text:   "The file name ends in dots or spaces (\"" + printable(name) + "\"). Win32 strips them when opening files, so the file can only be reached with \\\\?\\ paths and most tools open another file or fail." + imitates + " Examine the file through its raw name.",
			Attack: []string{"T1036"}})
	}
	if len(sp.lookalike) > 0 || len(sp.ascii) > 0 {
		switch {
		case target != "":
			used := append(append([]string{}, sp.lookalike...), sp.ascii...)
			rs = append(rs, Reason{Rule: "masquerade.confusable", Severity: report.Critical,
				Text:   "The file name is spelled with look-alike characters (" + strings.Join(used, ", ") + ") so that it reads as " + target + ". Real Windows files never do this; collect and examine the file.",
				Attack: []string{"T1036.005"}})
		case len(sp.lookalike) > 0 && hasASCIILetter(strings.TrimSuffix(name, extOf(name))):
			rs = append(rs, Reason{Rule: "masquerade.mixed-script", Severity: report.Medium,
				Text: "The file name mixes Latin letters with look-alike letters from other scripts (" + strings.Join(sp.lookalike, ", ") + "), a way to evade name-based detection. Check the file's signer and hash."})
		}
	}
	if target != "" && len(rs) == 0 {
		// Only letters a reader cannot tell apart differ (Isass.exe).
		rs = append(rs, Reason{Rule: "masquerade.confusable", Severity: report.Critical,
			Text:   "The file name " + printable(name) + " swaps letters that look alike in most fonts (I, l, i) so that it reads as " + target + ". Real Windows files never do this; collect and examine the file.",
			Attack: []string{"T1036.005"}})
	}
	if target != "" || len(rs) > 0 {
		return rs
	}
	return editReasons(p, l, dir, trimmed)
}

// editReasons finds names one typo away from a critical name (scvhost.exe),
// or a critical stem with another runnable extension (svchost.com).
func editReasons(p Path, l layout, dir, skeleton string) []Reason {
	stem, ext := splitExt(skeleton)
	if !runnableExts[ext] || len(stem) > 64 {
		return nil
	}
	lower := strings.ToLower(p.Base)
	for _, c := range criticalList {
		if stem == c.skeleton && ext != ".exe" {
			return []Reason{{Rule: "masquerade.lookalike.extension", Severity: report.Critical,
				Text:   "The file carries the name of " + c.canonical + " with the extension " + ext + "; when a command names the program without extension Windows tries .COM before .EXE, and no Windows file is named this way. Examine the file.",
				Attack: []string{"T1036.005"}}}
		}
	}
	if ext != ".exe" {
		return nil
	}
	for _, c := range criticalList {
		if len(c.skeleton) < minEditStem || len(stem) < minEditStem || !editOne(stem, c.skeleton) {
			continue
		}
		inWin := within(dir, l.root) && !p.UNC
		if weakLookalikes[lower] && !inWin {
			continue
		}
		sev := report.High
		where := ""
		if inAny(dir, l.legitDirs(c.lower)) || (inWin && l.isSystemDir(p)) {
			sev = report.Critical
			where = " It sits in a Windows system folder, next to the real programs, where no such file ships."
		}
		return []Reason{{Rule: "masquerade.lookalike.edit1", Severity: sev,
			Text:   "The file name " + printable(p.Base) + " is one typo away from " + c.canonical + ", a critical Windows process; malware picks such names to pass a glance at the process list." + where + " Check the file's signer and hash.",
			Attack: []string{"T1036.005"}}}
	}
	return nil
}

// editOne reports whether a and b are exactly one edit apart under the
// optimal-string-alignment (restricted Damerau) distance: one insertion,
// deletion, substitution or swap of adjacent letters. Linear time.
func editOne(a, b string) bool {
	if a == b {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	switch len(b) - len(a) {
	case 0:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case 1:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return a[i:] == b[i+1:]
	}
	return false
}

func hasASCIILetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

// printable renders a name for a reason: hidden and control characters as
// <U+XXXX>, at most 120 characters.
func printable(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n >= 120 {
			b.WriteString("...")
			break
		}
		n++
		_, bidi := bidiControls[r]
		_, inv := invisibles[r]
		if bidi || inv || r < 0x20 || r == 0x7f || r == '\ufffd' {
			b.WriteString("<" + strings.TrimSpace(codePoint(r, "")) + ">")
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
