package winpath

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hivescan/hivescan/report"
)

// shortNames maps the 8.3 names that a default install gives its standard
// folders to their long names, for location purposes only.
var shortNames = map[string]string{
	"progra~1": "program files",
	"progra~2": "program files (x86)",
	"common~1": "common files",
	"docume~1": "documents and settings",
	"locals~1": "local settings",
	"applic~1": "application data",
}

// fold returns the comparison key of a normalised path: lower case (Unicode
// simple folding) with standard 8.3 names read as long names.
func fold(s string) string {
	s = strings.ToLower(s)
	if !strings.Contains(s, "~") {
		return s
	}
	elems := strings.Split(s, `\`)
	for i, e := range elems {
		if long, ok := shortNames[e]; ok {
			elems[i] = long
		}
	}
	return strings.Join(elems, `\`)
}

// under reports whether folded path p is inside folder dir (not dir itself).
func under(p, dir string) bool {
	return dir != "" && len(p) > len(dir) && strings.HasPrefix(p, dir) &&
		(p[len(dir)] == '\\' || strings.HasSuffix(dir, `\`))
}

// within reports whether p is dir or inside it.
func within(p, dir string) bool { return p == dir || under(p, dir) }

// layout holds the folded standard folders of one host.
type layout struct {
	drive        string   // "c:"
	driveRoot    string   // `c:\`
	sysRoot      string   // the Windows folder as SystemRootDir gives it (letter case kept)
	root         string   // the Windows folder, folded
	writable     []string // windowsWritable under root
	perfLogs     string
	system32     string
	syswow64     string
	sysnative    string
	drivers      string
	programFiles []string
	commonFiles  []string
	programData  string
	profiles     []string // folders holding user profiles
	temps        []string // temporary folders
	genuine      map[string][]string
	carved       bool
}

func layoutOf(env Env) layout {
	m := env.memo
	if m == nil {
		return computeLayout(env)
	}
	id := identityOf(env)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.l != nil && m.key == id {
		return *m.l
	}
	l := computeLayout(env)
	m.key, m.l = id, &l
	return l
}

func computeLayout(env Env) layout {
	l := layout{drive: strings.ToLower(driveOf(env))}
	l.driveRoot = l.drive + `\`
	l.sysRoot = SystemRootDir(env)
	l.root = fold(l.sysRoot)
	for _, w := range windowsWritable {
		l.writable = append(l.writable, l.root+`\`+w)
	}
	l.perfLogs = l.driveRoot + "perflogs"
	l.system32 = l.root + `\system32`
	l.syswow64 = l.root + `\syswow64`
	l.sysnative = l.root + `\sysnative`
	l.drivers = l.system32 + `\drivers`
	exp := func(v string) string { return fold(normalize(env.Expand(v))) }
	l.programFiles = uniq(exp(`%ProgramFiles%`), exp(`%ProgramFiles(x86)%`), exp(`%ProgramW6432%`))
	l.commonFiles = uniq(exp(`%CommonProgramFiles%`), exp(`%CommonProgramFiles(x86)%`), exp(`%CommonProgramW6432%`))
	l.programData = exp(`%ProgramData%`)
	prof := exp(`%USERPROFILE%`)
	parent := prof
	if i := strings.LastIndexByte(prof, '\\'); i > 2 {
		parent = prof[:i]
	}
	l.profiles = uniq(l.drive+`\users`, l.drive+`\documents and settings`, parent)
	l.temps = uniq(exp(`%TEMP%`), exp(`%TMP%`), l.root+`\temp`)
	l.genuine, l.carved = env.Genuine, env.Carved
	return l
}

func uniq(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x == "" || strings.Contains(x, "%") {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == x
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

func withinAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if within(p, d) {
			return true
		}
	}
	return false
}

func underAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if under(p, d) {
			return true
		}
	}
	return false
}

func inAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d {
			return true
		}
	}
	return false
}

// IsSystemDir reports whether p lies directly in the Windows folder, System32,
// SysWOW64, Sysnative or System32\drivers. The Windows folder is the one p
// was resolved against (Path.SystemRoot); other folders follow the defaults.
func IsSystemDir(p Path) bool { return pathLayout(p).isSystemDir(p) }

// pathLayout returns the default layout moved to the Windows folder and
// drive that p was resolved against.
func pathLayout(p Path) layout {
	if l, ok := pathLayouts.Load(p.SystemRoot); ok {
		return l.(layout)
	}
	var l layout
	if p.SystemRoot == "" {
		l = layoutOf(Env{})
	} else {
		sys := map[string]string{"SystemRoot": p.SystemRoot}
		if len(p.SystemRoot) >= 2 && p.SystemRoot[1] == ':' {
			sys["SystemDrive"] = p.SystemRoot[:2]
		}
		l = layoutOf(Env{System: sys})
	}
	if pathLayoutCount.Add(1) <= maxPathLayouts {
		pathLayouts.Store(p.SystemRoot, l)
	}
	return l
}

// pathLayouts caches pathLayout by SystemRoot: the layout depends on nothing
// else, and a host has one or two Windows folders (layoutOf expands a dozen
// variables, which the services analyzer paid for every ImagePath). At most
// maxPathLayouts are kept, so odd SystemRoots from carved data cannot grow it.
var (
	pathLayouts     sync.Map
	pathLayoutCount atomic.Int64
)

const maxPathLayouts = 256

func (l layout) isSystemDir(p Path) bool {
	d := fold(p.Dir)
	return !p.UNC && !p.GlobalRoot && (d == l.root || d == l.system32 || d == l.syswow64 || d == l.sysnative || d == l.drivers)
}

// windowsWritable are folders inside the Windows folder that a standard user
// can write to on a default install (the folders AppLocker bypass lists
// name), relative to the Windows folder.
var windowsWritable = []string{
	`tasks`, `tracing`, `temp`, `debug\wia`, `registration\crmlog`,
	`system32\tasks`, `system32\spool\drivers\color`, `system32\spool\printers`,
	`system32\spool\servers`, `system32\fxstmp`, `system32\com\dmp`,
	`system32\microsoft\crypto\rsa\machinekeys`,
	`syswow64\tasks`, `syswow64\fxstmp`, `syswow64\com\dmp`,
}

// IsUserWritable reports whether a standard user can usually create p on a
// default install: user profiles (AppData, Temp, Desktop ...), Public,
// ProgramData, temporary folders, the recycle bin, C:\PerfLogs and the
// writable folders inside the Windows folder (Tasks, Temp, tracing, spool
// color ...). Folders follow the defaults, moved to the Windows folder and
// drive p was resolved against.
func IsUserWritable(p Path) bool { return pathLayout(p).isUserWritable(p) }

func (l layout) isUserWritable(p Path) bool {
	return l.zone(p) >= zoneUserWritable
}

// zone is a coarse, ordered class of location used by the rules.
type zone int

const (
	zoneOther zone = iota
	zoneUserWritable
	zoneWindowsWritable
	zonePerfLogs
	zoneTemp
	zoneRecycleBin
)

func (l layout) zone(p Path) zone {
	if p.UNC || p.GlobalRoot {
		return zoneOther
	}
	d := fold(p.Dir)
	for rest := d; rest != ""; {
		var e string
		e, rest, _ = strings.Cut(rest, `\`)
		if e == "$recycle.bin" || e == "recycler" || e == "recycled" {
			return zoneRecycleBin
		}
	}
	if withinAny(d, l.temps) || l.profileTemp(d) {
		return zoneTemp
	}
	if within(d, l.perfLogs) {
		return zonePerfLogs
	}
	if withinAny(d, l.writable) {
		return zoneWindowsWritable
	}
	if underAny(d, l.profiles) || within(d, l.programData) {
		return zoneUserWritable
	}
	return zoneOther
}

// profileTemp reports a per-user temporary folder of any profile.
func (l layout) profileTemp(d string) bool {
	for _, pr := range l.profiles {
		if !under(d, pr) {
			continue
		}
		rest := d[len(pr)+1:]
		_, rest, _ = strings.Cut(rest, `\`) // skip the user name
		if within(rest, `appdata\local\temp`) || within(rest, `local settings\temp`) {
			return true
		}
	}
	return false
}

// isOneDrive reports the per-user OneDrive install (%LOCALAPPDATA%\Microsoft\OneDrive).
func (l layout) isOneDrive(p Path) bool {
	d := fold(p.Dir)
	for _, pr := range l.profiles {
		if !under(d, pr) {
			continue
		}
		_, rest, _ := strings.Cut(d[len(pr)+1:], `\`)
		if within(rest, `appdata\local\microsoft\onedrive`) ||
			within(rest, `local settings\application data\microsoft\onedrive`) {
			return true
		}
	}
	return false
}

// locationReasons judges where p is, whatever its name.
func locationReasons(p Path, l layout) []Reason {
	var rs []Reason
	if s := strings.ToLower(p.Stream); s != "" && s != "$data" && s != ":$data" {
		rs = append(rs, Reason{Rule: "location.ads", Severity: report.High,
			Text:   "The file is an NTFS alternate data stream (" + excerpt(p.Base+":"+p.Stream, 200) + "): its content is hidden from directory listings and most tools. Extract the stream from the volume and examine it.",
			Attack: []string{"T1564.004"}})
	}
	if p.GlobalRoot {
		rs = append(rs, Reason{Rule: "location.globalroot", Severity: report.High,
			Text:   "The path goes through the NT object namespace (" + excerpt(p.Full, 200) + ") instead of a drive letter, which hides it from tools that only walk drives. Map the device or volume to a drive and examine the file.",
			Attack: []string{"T1564"}})
	}
	if p.UNC {
		sev, text := report.Medium, "The program runs from a network share ("+excerpt(p.Full, 200)+"). Check that the share is a managed software location and who can write to it."
		host := strings.ToLower(strings.TrimPrefix(strings.SplitN(p.Full[2:], `\`, 2)[0], `\`))
		if isIPHost(host) || strings.Contains(host, "@ssl") || strings.Contains(host, "@80") || strings.Contains(fold(p.Full), `\davwwwroot`) {
			sev, text = report.High, "The program runs from a remote host given by IP address or WebDAV ("+excerpt(p.Full, 200)+"), a common way to run tools without writing them to disk. Identify the host and fetch the file."
		}
		rs = append(rs, Reason{Rule: "location.unc", Severity: sev, Text: text})
	}
	d := fold(p.Dir)
	for _, e := range strings.Split(d, `\`) {
		if e == "system volume information" {
			rs = append(rs, Reason{Rule: "location.system-volume-information", Severity: report.High,
				Text:   "The file sits in System Volume Information, a folder reserved for restore points and indexes that only SYSTEM can normally enter. Nothing should run from there; examine the file.",
				Attack: []string{"T1564"}})
			break
		}
	}
	switch l.zone(p) {
	case zoneRecycleBin:
		rs = append(rs, Reason{Rule: "location.recycle-bin", Severity: report.High,
			Text:   "The file sits in the recycle bin ($Recycle.Bin / RECYCLER), a hiding place: deleted files are never started by legitimate software. Recover and examine the file.",
			Attack: []string{"T1564"}})
	case zoneTemp:
		rs = append(rs, Reason{Rule: "location.temp", Severity: report.High,
			Text: "The program runs from a temporary folder (" + excerpt(p.Dir, 200) + "), where droppers stage payloads; installed software does not start from there. Collect the file and check its signer and hash."})
	case zonePerfLogs:
		rs = append(rs, Reason{Rule: "location.perflogs", Severity: report.High,
			Text: "The program sits under C:\\PerfLogs, a folder any user can write to that attackers favour for staging tools. Collect the file and check its signer and hash."})
	case zoneWindowsWritable:
		rs = append(rs, Reason{Rule: "location.windows-writable", Severity: report.High,
			Text: "The program sits in a folder inside Windows that standard users can write to (" + excerpt(p.Dir, 200) + "), used to slip past allow-listing. Legitimate programs are not installed there; examine the file."})
	case zoneUserWritable:
		if l.isOneDrive(p) {
			rs = append(rs, Reason{Rule: "location.user-writable", Severity: report.Low,
				Text: "The program is in the user's OneDrive folder under AppData\\Local\\Microsoft\\OneDrive, where OneDrive installs itself per user: expected, but the folder is writable by the user. Confirm the file is signed by Microsoft."})
		} else {
			rs = append(rs, Reason{Rule: "location.user-writable", Severity: report.Medium,
				Text: "The program sits in a folder the user can write to (" + excerpt(p.Dir, 200) + "), so malware running as the user could have placed or replaced it. Per-user software also lives there: check the file's signer and hash."})
		}
	}
	if !p.UNC && !p.GlobalRoot && p.Dir != "" && len(d) == 3 && d[1] == ':' && d[2] == '\\' {
		rs = append(rs, Reason{Rule: "location.drive-root", Severity: report.Medium,
			Text: "The program sits directly in the root of drive " + p.Dir + ", where installers never put programs. Examine the file."})
	}
	return rs
}

// isIPHost reports a dotted IPv4 address (optionally with a port).
func isIPHost(h string) bool {
	h, _, _ = strings.Cut(h, "@")
	parts := strings.Split(h, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}
