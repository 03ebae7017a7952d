package winpath

import (
	"slices"
	"strings"

	"github.com/hivescan/hivescan/report"
)

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
	var exeStems []string // the candidates' stems where they end in .exe
	for _, cand := range []string{trimmed, disp.skeleton, strings.TrimRight(disp.skeleton, " .")} {
		if s, e := splitExt(cand); e == ".exe" {
			exeStems = append(exeStems, s)
		}
	}
	for _, c := range criticalList {
		if slices.Contains(exeStems, c.skeleton) {
			target = c.canonical
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
