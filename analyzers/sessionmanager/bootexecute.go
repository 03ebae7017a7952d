package sessionmanager

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// BootExecute reports native programs that smss.exe runs before logon.
var BootExecute = &analysis.Analyzer{
	Name: "bootexecute",
	Doc: `Session Manager boot-time execution: native programs run by smss.exe before logon
smss.exe runs the lines of Session Manager\BootExecute, BootExecuteNoPnpSync,
SetupExecute, SetupExecuteNoPnpSync, PlatformExecute and Execute at boot, and
S0InitialCommand and BootShell in recovery paths, before any service, logon
or security product starts. Windows ships "autocheck autochk *" (the disk
check), poqexec.exe for pending servicing operations in SetupExecute and
bootim.exe as BootShell. Anything else is a native program running with the
highest privilege at the earliest moment: a rootkit or wiper loader, or a
legitimate boot-time cleaner that must be confirmed. Every control set is
read.`,
	Needs:  []hive.Kind{hive.KindSystem},
	Attack: []string{"T1547.001"},
	Run:    runBootExecute,
}

// bootValue is one Session Manager value smss.exe executes.
type bootValue struct {
	name   string
	rule   string
	when   string                                  // when smss.exe runs it, for the detail
	normal func(line string, env winpath.Env) bool // the entries Windows itself writes
	deflt  string                                  // the default, for the detail ("" when none)
}

var bootValues = []bootValue{
	{"BootExecute", "bootexecute.nondefault", "at every boot, before the paging file and services exist", isAutochk, `"autocheck autochk *"`},
	{"BootExecuteNoPnpSync", "bootexecute.nondefault", "at every boot, without waiting for Plug and Play", isAutochk, `"autocheck autochk *" or nothing`},
	{"SetupExecute", "bootexecute.setupexecute", "at boot when servicing is pending", isPoqexec, `poqexec.exe /display_progress \SystemRoot\WinSxS\pending.xml, or nothing`},
	{"SetupExecuteNoPnpSync", "bootexecute.setupexecute", "at boot when servicing is pending, without waiting for Plug and Play", isPoqexec, `poqexec.exe /display_progress \SystemRoot\WinSxS\pending.xml, or nothing`},
	{"PlatformExecute", "bootexecute.platformexecute", "at boot, as a platform-specific native program", nil, ""},
	{"Execute", "bootexecute.execute", "at boot, after the paging files are created", nil, ""},
	{"S0InitialCommand", "bootexecute.s0initialcommand", "as the initial command of session 0 in place of the normal startup", nil, ""},
	{"BootShell", "bootexecute.bootshell", "when boot fails and Windows starts its boot recovery shell", isBootim, `%SystemRoot%\system32\bootim.exe`},
}

// autochkLine matches the default entry and autochk with volume arguments.
var autochkLine = regexp.MustCompile(`(?i)^autocheck\s+autochk(\.exe)?((\s+(\*|/[a-z]+(:\S*)?|\\\?\?\\[a-z]:|\\DosDevices\\[a-z]:|\\\?\?\\Volume\{[0-9a-f-]+\}))*)$`)

func isAutochk(line string, _ winpath.Env) bool { return autochkLine.MatchString(line) }

// isPoqexec accepts System32\poqexec.exe with the arguments servicing uses.
func isPoqexec(line string, env winpath.Env) bool {
	cl := winpath.ParseCommandLine(line)
	if !analysis.SamePath(cl.Image, `%SystemRoot%\System32\poqexec.exe`, env) {
		return false
	}
	args := strings.Fields(strings.ToLower(cl.ArgString))
	seen := map[string]bool{}
	for _, a := range args {
		switch a {
		case "/display_progress", "/skip_critical_poq", `\systemroot\winsxs\pending.xml`:
			seen[a] = true
		default:
			return false
		}
	}
	return seen["/display_progress"] && seen[`\systemroot\winsxs\pending.xml`]
}

func isBootim(line string, env winpath.Env) bool {
	cl := winpath.ParseCommandLine(line)
	return strings.TrimSpace(cl.ArgString) == "" && analysis.SamePath(cl.Image, `%SystemRoot%\system32\bootim.exe`, env)
}

func runBootExecute(p *analysis.Pass) error {
	env := p.Env(nil)
	var out []report.Finding
	err := p.EachSessionManager(func(e *hive.Entry, cs hive.ControlSet, sm *hive.Key) error {
		var errs []error
		for _, bv := range bootValues {
			v, ok, err := analysis.OptionalValue(sm, bv.name)
			if !ok {
				if err != nil {
					errs = append(errs, err)
				}
				continue
			}
			lines, err := analysis.ValueLines(v)
			if err != nil {
				errs = append(errs, err)
			}
			for _, line := range lines {
				if bv.normal != nil && bv.normal(line, env) {
					continue
				}
				f := analysis.InSet(analysis.AtValue(e, sm, v), cs)
				f.Data = line
				describeBootEntry(&f, bv, line, env)
				out = append(out, f)
			}
		}
		return analysis.JoinErrs(errs)
	})
	p.Report(out...)
	return err
}

// describeBootEntry fills rule, severity, title and detail for a non-default
// line of a boot-time execution value.
func describeBootEntry(f *report.Finding, bv bootValue, line string, env winpath.Env) {
	cmd := line
	if first, rest, ok := strings.Cut(cmd, " "); ok && strings.EqualFold(first, "autocheck") {
		cmd = strings.TrimSpace(rest) // "autocheck" only marks a check; the image follows
	}
	a := winpath.Assess(cmd, env)
	img := a.Path.Full
	if img == "" {
		img = cmd
	}
	f.Rule = bv.rule
	f.Severity = report.Max(report.High, a.Severity)
	f.Risk = a.Risk
	f.Title = fmt.Sprintf("%s runs %s before logon", bv.name, a.Path.Base)
	if a.Path.Base == "" {
		f.Title = bv.name + " holds a non-default entry"
	}
	deflt := "Windows writes nothing there."
	if bv.deflt != "" {
		deflt = "The default is only " + bv.deflt + "."
	}
	f.Detail = fmt.Sprintf("smss.exe runs \"%s\" from %s %s, as a native program with SYSTEM rights before services, logon or security software start; Windows would load %s. %s Collect that file, hash it and check its signature; a native image outside System32 or with a system-process name is almost certainly malicious.", line, bv.name, bv.when, img, deflt)
	f.Attack = []string{"T1547.001"}
	if len(a.Reasons) > 0 {
		f.Detail += " " + a.Summary()
		for _, r := range a.Reasons {
			f.Attack = analysis.AppendUnique(f.Attack, r.Attack...)
		}
	}
}
