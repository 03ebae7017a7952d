package autostart

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// RunKeys inventories the Run keys and judges every program they start.
var RunKeys = &analysis.Analyzer{
	Name: "runkeys",
	Doc: `Run keys: programs Windows starts at boot or logon
Explorer starts every value of the Run and RunOnce keys (and their
Wow6432Node, Policies\Explorer\Run, RunOnceEx and Terminal Server install
variants) when a user logs on: SOFTWARE's for every user, NTUSER's for its
owner. Every entry is reported as inventory (info); the path assessor raises
programs with system-process names out of place, look-alike names, risky
folders and launchers. Entries switched off through Task Manager
(Explorer\StartupApproved) or Autoruns (AutorunsDisabled) are reported one
step lower, and entries in the LocalSystem profile (DEFAULT) are noted.`,
	Needs:  []hive.Kind{hive.KindSoftware, hive.KindNTUser, hive.KindDefault},
	Attack: []string{"T1547.001"},
	Run:    runRunKeys,
}

// runKind says how Windows treats a Run-style key.
type runKind int

const (
	rkEvery    runKind = iota // Run, Policies\Explorer\Run: every logon
	rkOnce                    // RunOnce, RunOnce\Setup: next logon, then deleted
	rkOnceEx                  // RunOnceEx: sections and Depend DLLs, next logon
	rkServices                // RunServices(Once): Windows 9x only
	rkShadow                  // Terminal Server install-mode shadow of HKCU
)

// runLocation is one Run-style key below a hive root.
type runLocation struct {
	path     string // below the hive root
	label    string // for titles: "HKLM Run", "HKCU RunOnce"
	kind     runKind
	approved string // StartupApproved key (below the root) that can switch entries off; "" when none
}

// runSuffixes are the Run-style keys below a ...\CurrentVersion key.
var runSuffixes = []struct {
	sub  string
	kind runKind
}{
	{"Run", rkEvery},
	{"RunOnce", rkOnce},
	{`RunOnce\Setup`, rkOnce},
	{"RunOnceEx", rkOnceEx},
	{"RunServices", rkServices},
	{"RunServicesOnce", rkServices},
	{`Policies\Explorer\Run`, rkEvery},
}

// runLocations lists the Run-style keys of a hive of kind k.
func runLocations(k hive.Kind) []runLocation {
	type prefix struct{ path, label, approvedRun string }
	var prefixes []prefix
	if k == hive.KindSoftware {
		cv := `Microsoft\Windows\CurrentVersion`
		prefixes = []prefix{
			{cv, "HKLM", cv + `\Explorer\StartupApproved\Run`},
			{`Wow6432Node\` + cv, "HKLM (32-bit)", cv + `\Explorer\StartupApproved\Run32`},
			{`Microsoft\Windows NT\CurrentVersion\Terminal Server\Install\Software\` + cv, "Terminal Server install", ""},
		}
	} else {
		cv := `Software\Microsoft\Windows\CurrentVersion`
		hk := "HKCU"
		if k == hive.KindDefault {
			hk = `HKU\.DEFAULT`
		}
		prefixes = []prefix{
			{cv, hk, cv + `\Explorer\StartupApproved\Run`},
			{`Software\Wow6432Node\Microsoft\Windows\CurrentVersion`, hk + " (32-bit)", cv + `\Explorer\StartupApproved\Run32`},
		}
	}
	var out []runLocation
	for _, p := range prefixes {
		for _, s := range runSuffixes {
			loc := runLocation{path: p.path + `\` + s.sub, label: p.label + " " + s.sub, kind: s.kind}
			if strings.HasPrefix(p.label, "Terminal Server") {
				loc.kind = rkShadow
			}
			if s.sub == "Run" {
				loc.approved = p.approvedRun
			}
			out = append(out, loc)
		}
	}
	return out
}

// runWhat explains what Windows does with entries of a location kind.
func runWhat(loc runLocation, e *hive.Entry) string {
	who := analysis.Whose(e)
	switch loc.kind {
	case rkOnce:
		return "Windows runs this value once at the next logon of " + who + " and then deletes it (a name starting with ! is deleted only after success, one starting with * runs in Safe Mode too); its presence means the run has not happened yet, or the program keeps re-adding itself."
	case rkOnceEx:
		return "RunOnceEx sections run in order at the next logon of " + who + " (through iernonce.dll), and every DLL named under a section's Depend key is loaded first; legitimate use is rare outside old installers."
	case rkServices:
		return "Windows 95/98/Me started RunServices entries before logon; Windows NT ignores the key, so an entry here comes from an old installer or from malware written for both."
	case rkShadow:
		return "This is the Terminal Server install-mode shadow of HKEY_CURRENT_USER: at logon Windows copies newer keys from it into each user's hive, so the entry becomes a Run entry of every user who logs on to this server."
	}
	return "Explorer starts this program at every logon of " + who + ", with that account's rights."
}

const runCollect = "Collect the program it names, hash it, check its signer and when it appeared (the key's last-write time is when the key last changed, not necessarily this value)."

func runRunKeys(p *analysis.Pass) error {
	var out []report.Finding
	var errs []error
	entries := append(p.Set.ByKind(hive.KindSoftware), analysis.UserHives(p.Set)...)
	for _, e := range entries {
		if err := p.Context().Err(); err != nil {
			p.Report(out...)
			return err
		}
		root, err := e.Root()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
			continue
		}
		env := p.Env(e)
		for _, loc := range runLocations(e.Kind()) {
			fs, err := runKey(e, root, loc, env)
			out = append(out, fs...)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s\\%s: %w", e.Path, loc.path, err))
			}
		}
	}
	p.Report(out...)
	return errors.Join(errs...)
}

// runKey reports the entries of one Run-style key and of its AutorunsDisabled
// subkey.
func runKey(e *hive.Entry, root *hive.Key, loc runLocation, env winpath.Env) ([]report.Finding, error) {
	k, ok, err := analysis.OptionalKey(root, loc.path)
	if !ok {
		return nil, err
	}
	if loc.kind == rkOnceEx {
		return runOnceExKey(e, k, loc, env)
	}
	approved, err := startupApproved(root, loc.approved)
	var out []report.Finding
	vals, verr := k.Values()
	for _, v := range vals {
		f, ok, ferr := runEntry(e, k, v, loc, env)
		verr = errors.Join(verr, ferr)
		if !ok {
			continue
		}
		if st, found := approved[strings.ToLower(v.Name())]; found && st.disabled {
			disableRunEntry(&f, "Task Manager's Startup tab (or Settings > Apps > Startup) switched it off: Explorer\\StartupApproved holds "+st.raw+st.when()+", so Explorer skips it while that value stays.")
		}
		out = append(out, f)
	}
	if dk, ok, derr := analysis.OptionalKey(k, "AutorunsDisabled"); ok {
		dvals, err := dk.Values()
		for _, v := range dvals {
			f, ok, ferr := runEntry(e, dk, v, loc, env)
			err = errors.Join(err, ferr)
			if ok {
				disableRunEntry(&f, "It sits in the AutorunsDisabled subkey, where Sysinternals Autoruns moves entries it switches off: Windows does not run it, but anyone can move it back.")
				out = append(out, f)
			}
		}
		verr = errors.Join(verr, err)
	} else {
		verr = errors.Join(verr, derr)
	}
	return out, errors.Join(err, verr)
}

// runEntry builds the finding for one Run value; ok is false for an unset
// or empty value. A string whose data cannot be decoded is still reported
// (something sits in the Run key), with the error.
func runEntry(e *hive.Entry, k *hive.Key, v *hive.Value, loc runLocation, env winpath.Env) (report.Finding, bool, error) {
	f := analysis.AtValue(e, k, v)
	f.Rule = "runkey.entry"
	cmd, isText, err := analysis.ValueText(v)
	cmd = strings.TrimSpace(cmd)
	if isText && cmd == "" {
		return f, false, nil
	}
	base := report.Info
	detail := runWhat(loc, e)
	if e.Kind() == hive.KindDefault {
		base = report.Low
		detail += " " + analysis.DefaultProfileNote
	}
	if err != nil {
		f.Severity = max(base, report.Low)
		f.Attack = []string{"T1547.001"}
		f.Title = fmt.Sprintf("%s value \"%s\" could not be decoded", loc.label, v.Name())
		f.Detail = detail + " Its " + v.Type().String() + " data is damaged, so the command it runs is unknown: read the value with another tool or from a transaction log."
		return f, true, err
	}
	if !isText {
		f.Severity = base
		f.Attack = []string{"T1547.001"}
		f.Title = fmt.Sprintf("%s value \"%s\" holds %v data, not a command", loc.label, v.Name(), v.Type())
		f.Detail = detail + " Explorer only runs string values; this one is " + v.Type().String() + ", which no Windows component writes here: look at what wrote it."
		return f, true, nil
	}
	f.Data = cmd
	a := winpath.Assess(cmd, env)
	prog := a.Path.Base
	if prog == "" {
		prog = cmd
	}
	f.Title = fmt.Sprintf("%s value \"%s\" starts %s", loc.label, v.Name(), prog)
	f.Detail = detail + " It runs " + cmd + ". " + runCollect
	if windowsRunDefault(v.Name(), cmd, env) {
		f.Severity, f.Attack = base, []string{"T1547.001"}
		f.Detail += " Windows itself ships this entry."
		return f, true, nil
	}
	if n, ok := borrowedRunName(v.Name()); ok && !n.programs[strings.ToLower(a.Path.Base)] {
		f.Rule = "runkey.name-reuse"
		f.Title = fmt.Sprintf("%s value \"%s\" (the name of %s) starts %s", loc.label, v.Name(), n.owner, prog)
		f.Detail += fmt.Sprintf(" The value is named like the entry %s writes, which starts %s, but it starts %s: a borrowed name is how persistence hides among entries an analyst skips over. Check whether the real component is installed and where this program came from.", n.owner, n.list(), prog)
		base = report.Max(base, report.Medium)
		a.Reasons = append(a.Reasons, winpath.Reason{Rule: "name.borrowed", Severity: report.Medium, Attack: []string{"T1036"},
			Text: "The Run value's name belongs to another program (" + n.list() + ")."})
	}
	if a.Path.Relative && e.Kind() != hive.KindNTUser && loc.kind != rkServices {
		base = report.Max(base, report.Low)
		f.Detail += " The command names no folder: Windows finds " + prog + " through App Paths and the search path (System32, the Windows folder, then the PATH folders), so a file of that name placed earlier in that order runs instead, for every user. Installers write full paths."
	}
	var caps map[string]analysis.Cap
	if e.Kind() == hive.KindNTUser {
		caps = map[string]analysis.Cap{"path.unquoted": userRunCaps["path.unquoted"]}
		if asHasRule(a, "location.user-writable") && inOwnProfile(a.Path, env) {
			caps["location.user-writable"] = userRunCaps["location.user-writable"]
			f.Detail += " The program's folder is writable by the user, but so is this key: for a per-user entry in the user's own profile that alone is ordinary."
		}
		if r, ok := asRuleOf(a, "path.unquoted"); ok && r.Severity <= report.Medium {
			f.Detail += " The unquoted path can only be intercepted by someone able to write to the folders it passes through (administrators here), and the interceptor would run with this user's rights only, so it is counted low."
		}
	}
	analysis.JudgeCapped(&f, base, "T1547.001", a, caps)
	return f, true, nil
}

//go:embed runnames.tsv
var runNamesTSV string

// runName is a Run value name Windows or a ubiquitous component writes,
// with the programs it starts (runnames.tsv).
type runName struct {
	name     string // lower case; a trailing * matches any suffix
	owner    string // who writes it: "Windows", "VMware Tools"...
	programs map[string]bool
	source   string
}

func (n runName) list() string {
	ps := make([]string, 0, len(n.programs))
	for p := range n.programs {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return strings.Join(ps, " or ")
}

// runNames is runnames.tsv, parsed once.
var runNames = parseRunNames(runNamesTSV)

func parseRunNames(text string) []runName {
	var out []runName
	for i, line := range strings.Split(text, "\n") {
		if line = strings.TrimRight(line, "\r"); line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 || slices.Contains(f, "") {
			panic(fmt.Sprintf("runnames.tsv:%d: want name, owner, programs and source separated by tabs", i+1)) // caught by the tests
		}
		n := runName{name: strings.ToLower(f[0]), owner: f[1], programs: map[string]bool{}, source: f[3]}
		for _, p := range strings.Split(f[2], ",") {
			n.programs[strings.ToLower(strings.TrimSpace(p))] = true
		}
		out = append(out, n)
	}
	return out
}

// borrowedRunName returns the known entry whose name value has.
func borrowedRunName(value string) (runName, bool) {
	v := strings.ToLower(value)
	for _, n := range runNames {
		if prefix, ok := strings.CutSuffix(n.name, "*"); ok && strings.HasPrefix(v, prefix) || v == n.name {
			return n, true
		}
	}
	return runName{}, false
}

// windowsRuns are Run entries Windows itself creates: value name and command.
var windowsRuns = []struct{ name, cmd string }{
	{"SecurityHealth", `%windir%\system32\SecurityHealthSystray.exe`},
	{"WindowsDefender", `"%ProgramFiles%\Windows Defender\MSASCuiL.exe"`},
	{"Windows Defender", `"%ProgramFiles%\Windows Defender\MSASCui.exe" -hide`},
	{"Sidebar", `%ProgramFiles%\Windows Sidebar\Sidebar.exe /autoRun`},
}

// windowsRunDefault reports whether a Run value is one Windows ships.
func windowsRunDefault(name, cmd string, env winpath.Env) bool {
	for _, d := range windowsRuns {
		if strings.EqualFold(name, d.name) && analysis.SameCommand(cmd, d.cmd, env) {
			return true
		}
	}
	return false
}

// inOwnProfile reports whether p lies in the profile folder of env's user.
func inOwnProfile(p winpath.Path, env winpath.Env) bool {
	prof := strings.ToLower(winpath.Resolve(`%USERPROFILE%`, env).Full)
	return env.UserName != "" && strings.HasPrefix(strings.ToLower(p.Full), prof+`\`)
}

// userRunCaps lower assessor rules that mean little for an entry in the
// user's own Run key: the user can write that key, so a program in the
// user's own profile adds no access (per-user installs such as Teams and
// Spotify live there; a shared folder such as C:\Users\Public does not count). An
// unquoted path whose folders only administrators can write (medium) gives
// an interceptor nothing it did not have. Higher severities stay.
var userRunCaps = map[string]analysis.Cap{
	"location.user-writable": {UpTo: report.Medium, To: report.Low},
	"path.unquoted":          {UpTo: report.Medium, To: report.Low},
}

func asHasRule(a winpath.Assessment, rule string) bool {
	_, ok := asRuleOf(a, rule)
	return ok
}

func asRuleOf(a winpath.Assessment, rule string) (winpath.Reason, bool) {
	for _, r := range a.Reasons {
		if r.Rule == rule {
			return r, true
		}
	}
	return winpath.Reason{}, false
}

// disableRunEntry marks a Run finding as switched off: another rule, one step lower.
func disableRunEntry(f *report.Finding, why string) {
	f.Rule = "runkey.disabled"
	f.Severity = analysis.StepDown(f.Severity)
	f.Title += " (disabled)"
	f.Detail = "Disabled: " + why + " " + f.Detail
}

// runApproval is one StartupApproved value.
type runApproval struct {
	disabled bool
	at       time.Time // when it was switched off (zero when unknown)
	raw      string    // the data as hex
}

func (a runApproval) when() string {
	if a.at.IsZero() {
		return ""
	}
	return " (switched off " + report.FormatTime(a.at) + ")"
}

// startupApproved reads a StartupApproved key: value name (lower case) to
// state. The data is 12 bytes: a flag DWORD whose lowest bit is set when the
// entry is disabled (02 and 06 enabled, 03 and 07 disabled), then the
// FILETIME it was disabled.
func startupApproved(root *hive.Key, path string) (map[string]runApproval, error) {
	if path == "" {
		return nil, nil
	}
	k, ok, err := analysis.OptionalKey(root, path)
	if !ok {
		return nil, err
	}
	vals, err := k.Values()
	out := map[string]runApproval{}
	for _, v := range vals {
		b, berr := v.Bytes()
		if berr != nil || len(b) < 4 {
			continue
		}
		a := runApproval{disabled: b[0]&1 == 1, raw: fmt.Sprintf("% x", b)}
		if len(b) >= 12 {
			if ft := binary.LittleEndian.Uint64(b[4:12]); ft != 0 {
				a.at = hive.Filetime(ft)
			}
		}
		out[strings.ToLower(v.Name())] = a
	}
	return out, err
}

// runOnceExKey reports the commands and Depend DLLs of RunOnceEx sections.
func runOnceExKey(e *hive.Entry, k *hive.Key, loc runLocation, env winpath.Env) ([]report.Finding, error) {
	var out []report.Finding
	sections, err := k.Subkeys()
	for _, sec := range sections {
		vals, verr := sec.Values()
		err = errors.Join(err, verr)
		for _, v := range vals {
			if v.Name() == "" { // the section title
				continue
			}
			f, ok, ferr := runOnceExEntry(e, sec, v, loc, env)
			err = errors.Join(err, ferr)
			if ok {
				out = append(out, f)
			}
		}
		dep, ok, derr := analysis.OptionalKey(sec, "Depend")
		err = errors.Join(err, derr)
		if !ok {
			continue
		}
		dvals, derr := dep.Values()
		err = errors.Join(err, derr)
		for _, v := range dvals {
			dll, isText, verr := analysis.ValueText(v)
			err = errors.Join(err, verr)
			if dll = strings.TrimSpace(dll); !isText || dll == "" {
				continue
			}
			f := analysis.AtValue(e, dep, v)
			f.Rule = "runkey.runonceex.depend"
			f.Data = dll
			a := winpath.AssessPath(dll, env)
			f.Title = fmt.Sprintf("%s section %s loads %s (Depend)", loc.label, sec.Name(), a.Path.Base)
			f.Detail = runWhat(loc, e) + " Before running section " + sec.Name() + ", Windows loads " + dll + " because it is listed under Depend; this is a known way to get a DLL loaded at logon without a visible command. Collect the DLL and check its signer."
			analysis.Judge(&f, report.Low, "T1547.001", a)
			out = append(out, f)
		}
	}
	return out, err
}

// runOnceExEntry judges one RunOnceEx section value: "DLL|Function|Args"
// calls a DLL export, "||command" or plain text is a command line.
func runOnceExEntry(e *hive.Entry, sec *hive.Key, v *hive.Value, loc runLocation, env winpath.Env) (report.Finding, bool, error) {
	s, isText, err := analysis.ValueText(v)
	if s = strings.TrimSpace(s); !isText || s == "" {
		return report.Finding{}, false, err
	}
	f := analysis.AtValue(e, sec, v)
	f.Rule = "runkey.runonceex"
	f.Data = s
	var a winpath.Assessment
	what := "runs " + s
	if cmd, ok := strings.CutPrefix(s, "||"); ok {
		a = winpath.Assess(cmd, env)
	} else if dll, fn, ok := strings.Cut(s, "|"); ok {
		fn, _, _ = strings.Cut(fn, "|")
		a = winpath.AssessPath(dll, env)
		what = "calls " + fn + " in " + dll
	} else {
		a = winpath.Assess(s, env)
	}
	f.Title = fmt.Sprintf("%s section %s %s", loc.label, sec.Name(), strings.Fields(what)[0]+" "+a.Path.Base)
	f.Detail = runWhat(loc, e) + " This value " + what + ". " + runCollect
	base := report.Info
	if e.Kind() == hive.KindDefault {
		base = report.Low
		f.Detail += " " + analysis.DefaultProfileNote
	}
	analysis.Judge(&f, base, "T1547.001", a)
	return f, true, nil
}
