package winpath

import (
	"slices"
	"sort"
	"strings"

	"github.com/hivescan/hivescan/report"
)

// Reason is one rule that fired.
type Reason struct {
	Rule     string          // stable id, e.g. "masquerade.location", "lolbin.mshta"
	Severity report.Severity // how bad this reason is on its own
	Text     string          // plain words: what it means and what to check next
	Attack   []string        // MITRE ATT&CK technique ids, e.g. "T1036.005"
}

// Assessment is the verdict on one command line or path.
//
// Severity is the highest severity of the Reasons (Info when there are none).
// Risk is a prior probability (0..1) that the entry is malicious, given only
// when a critical Windows program name is found out of place and the location
// table covers the folder; 0 means "no prior".
type Assessment struct {
	Command  CommandLine // the parsed command line (only Raw for AssessPath)
	Path     Path        // the program (or file) resolved
	Payload  Path        // the file a launcher runs (rundll32 DLL, script); zero when none
	Severity report.Severity
	Risk     float64
	Reasons  []Reason // most severe first, then by rule id
}

// maxNesting bounds how deep cmd /c commands are followed.
const maxNesting = 2

// Assess judges a command line read from an autostart location (Run key,
// service ImagePath, Winlogon Shell, IFEO Debugger ...), expanding variables
// in env. It judges the program's name and location, how it is written
// (unquoted paths with spaces), what known launchers are told to run (and
// where that payload sits), commands run by cmd /c, and encoded or remote
// content in the arguments.
func Assess(cmdline string, env Env) Assessment {
	if a, ok := env.memo.recall("c"+cmdline, env); ok {
		return a
	}
	a := assess(cmdline, env, layoutOf(env), 0)
	env.memo.keep("c"+cmdline, env, a)
	return a
}

// clone copies the slices of a that a caller may change.
func (a Assessment) clone() Assessment {
	a.Reasons = slices.Clone(a.Reasons)
	a.Command.Args = slices.Clone(a.Command.Args)
	return a
}

// AssessPath judges a file path (a DLL of AppInit_DLLs, a file target of
// PendingFileRenameOperations ...) by its name and location.
func AssessPath(path string, env Env) Assessment {
	if a, ok := env.memo.recall("p"+path, env); ok {
		return a
	}
	a := assessPath(path, env)
	env.memo.keep("p"+path, env, a)
	return a
}

func assessPath(path string, env Env) Assessment {
	l := layoutOf(env)
	a := Assessment{Command: CommandLine{Raw: path}, Path: Resolve(path, env)}
	rs, risk := pathReasons(a.Path, l)
	a.Risk = risk
	a.Reasons = rs
	a.finish()
	return a
}

func pathReasons(p Path, l layout) ([]Reason, float64) {
	if p.Full == "" || l.carved {
		return nil, 0
	}
	rs, risk := masqueradeReasons(p, l)
	return append(rs, locationReasons(p, l)...), risk
}

func assess(cmdline string, env Env, l layout, depth int) Assessment {
	cl := ParseCommandLine(cmdline)
	if name := carvedLauncher(cl.Image); env.Carved && cl.Launcher == "" && name != "" {
		// The start of a carved command line was overwritten: its
		// arguments still say what the launcher was told to run.
		dissectLauncher(&cl, name+".exe")
	}
	if cl.Launcher == "" && strings.Contains(cl.Image, "%") {
		dissectLauncher(&cl, env.Expand(cl.Image)) // %ComSpec% /c ...
	}
	a := Assessment{Command: cl}
	if cl.Image == "" {
		return a
	}
	a.Path = Resolve(cl.Image, env)
	rs, risk := pathReasons(a.Path, l)
	a.Risk = risk
	a.Reasons = append(a.Reasons, rs...)
	if !l.carved {
		a.Reasons = append(a.Reasons, unquotedReasons(cl, env, l)...)
	}
	a.Reasons = append(a.Reasons, lolbinReasons(cl, l)...)

	if file := payloadFile(cl); file != "" {
		a.Payload = Resolve(file, env)
		prs, prisk := pathReasons(a.Payload, l)
		a.Risk = max(a.Risk, prisk)
		for _, r := range prs {
			r.Text = "Payload " + excerpt(a.Payload.Full, 200) + ": " + r.Text
			a.Reasons = append(a.Reasons, r)
		}
	}
	if cl.Launcher == "cmd" && cl.Payload != "" && depth < maxNesting {
		for _, c := range splitChain(env.Expand(cl.Payload)) {
			inner := assess(c, env, l, depth+1)
			a.Risk = max(a.Risk, inner.Risk)
			for _, r := range inner.Reasons {
				r.Text = "In the command run by cmd.exe (" + excerpt(inner.Path.Full, 100) + "): " + r.Text
				a.Reasons = append(a.Reasons, r)
			}
		}
	}
	if depth == 0 {
		text := env.Expand(cl.ArgString)
		if !hasAttack(a.Reasons, "T1105") {
			a.Reasons = append(a.Reasons, networkReasons(text)...)
		}
		if cl.Decoded == "" {
			a.Reasons = append(a.Reasons, blobReasons(text)...)
		}
	}
	a.finish()
	return a
}

// payloadFile returns the file a launcher runs, when it is a file.
func payloadFile(cl CommandLine) string {
	p := strings.TrimSpace(cl.Payload)
	if p == "" || hasScriptScheme(p) || strings.Contains(p, "://") {
		return ""
	}
	switch cl.Launcher {
	case "rundll32":
		if extOf(baseName(p)) == "" {
			p += ".dll" // LoadLibrary's default extension
		}
		return p
	case "regsvr32", "wscript", "cscript", "mshta":
		return p
	case "powershell", "pwsh":
		// a script file (-File), not command text
		if strings.ContainsAny(p, " ;|&(){}$") {
			return ""
		}
		if e := extOf(baseName(p)); e == ".ps1" || e == ".psm1" {
			return p
		}
	}
	return ""
}

// unquotedReasons reports a program path with whitespace written without
// quotes, after expansion (services expand REG_EXPAND_SZ before starting).
func unquotedReasons(cl CommandLine, env Env, l layout) []Reason {
	if cl.Quoted {
		return nil
	}
	img := env.Expand(cl.Image)
	i := strings.IndexAny(img, " \t")
	if i < 0 {
		return nil
	}
	first := img[:i] + ".exe"
	sev := report.Medium
	more := ""
	if l.zone(Resolve(first, env)) >= zoneUserWritable {
		sev, more = report.High, " That location is writable by standard users."
	}
	return []Reason{{Rule: "path.unquoted", Severity: sev,
		Text:   "The program path contains spaces but is not quoted, so Windows first tries to run " + first + " (and each longer prefix) before the intended program." + more + " Check whether such a file exists, and quote the path.",
		Attack: []string{"T1574.009"}}}
}

func hasAttack(rs []Reason, id string) bool {
	for _, r := range rs {
		for _, a := range r.Attack {
			if a == id {
				return true
			}
		}
	}
	return false
}

// finish removes duplicate reasons, sorts them and sets Severity.
func (a *Assessment) finish() {
	seen := map[string]bool{}
	out := a.Reasons[:0]
	for _, r := range a.Reasons {
		k := r.Rule + "\x00" + r.Text
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	a.Reasons = out
	if len(a.Reasons) == 0 {
		a.Reasons = nil
	}
	sortReasons(a.Reasons)
	a.Severity = report.Info
	for _, r := range a.Reasons {
		a.Severity = report.Max(a.Severity, r.Severity)
	}
}

func sortReasons(rs []Reason) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Severity != rs[j].Severity {
			return rs[i].Severity > rs[j].Severity
		}
		return rs[i].Rule < rs[j].Rule
	})
}

// Summary returns one line for a finding title: the severity, the program
// (or raw text) and the rule ids that fired, e.g.
// "critical: C:\Windows\smss.exe [masquerade.location]".
func (a Assessment) Summary() string {
	target := a.Path.Full
	if target == "" {
		target = a.Command.Raw
	}
	s := a.Severity.String() + ": " + excerpt(target, 200)
	if len(a.Reasons) == 0 {
		return s
	}
	var rules []string
	seen := map[string]bool{}
	for _, r := range a.Reasons {
		if !seen[r.Rule] {
			seen[r.Rule] = true
			rules = append(rules, r.Rule)
		}
	}
	return s + " [" + strings.Join(rules, ", ") + "]"
}
