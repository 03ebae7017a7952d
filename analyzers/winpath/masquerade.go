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
	for _, rel := range l.genuine[strings.ToLower(p.Base)] {
		if dir == l.root+`\`+rel || rel == inSystem32 && dir == l.sysnative {
			return nil, 0 // a file this Windows version ships there
		}
	}
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
