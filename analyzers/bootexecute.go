package analyzers

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// BootExecute reports native programs that smss.exe runs before logon.
var BootExecute = &Analyzer{
	Name: "bootexecute",
	Doc: `Session Manager BootExecute: native programs run by smss.exe before logon
smss.exe runs every line of Session Manager\BootExecute at boot, before any
service, logon or security product starts. Windows ships "autocheck autochk *"
(the disk check). Anything else is a native program running with the highest
privilege at the earliest moment: a rootkit or wiper loader, or a legitimate
boot-time cleaner that must be confirmed. Every control set is read.`,
	Needs:  []hive.Kind{hive.KindSystem},
	Attack: []string{"T1547.001"},
	Run:    runBootExecute,
}

// autochkLine matches the default entry and autochk with volume arguments.
var autochkLine = regexp.MustCompile(`(?i)^autocheck\s+autochk(\.exe)?((\s+(\*|/[a-z]+(:\S*)?|\\\?\?\\[a-z]:|\\DosDevices\\[a-z]:|\\\?\?\\Volume\{[0-9a-f-]+\}))*)$`)

func runBootExecute(ctx context.Context, set *hive.Set) ([]report.Finding, error) {
	env := hostEnv(set, nil)
	var out []report.Finding
	err := eachControlSet(ctx, set, func(e *hive.Entry, cs hive.ControlSet) error {
		sm, ok, err := sessionManager(cs)
		if !ok {
			return err
		}
		v, ok, err := optionalValue(sm, "BootExecute")
		if !ok {
			return err
		}
		lines, err := v.Strings()
		for _, line := range lines {
			line = strings.TrimSpace(line)
			if line == "" || autochkLine.MatchString(line) {
				continue
			}
			f := inSet(atValue(e, sm, v), cs)
			f.Data = line
			describeBootEntry(&f, line, env)
			out = append(out, f)
		}
		return err
	})
	return out, err
}

// describeBootEntry fills rule, severity, title and detail for a non-default
// BootExecute line.
func describeBootEntry(f *report.Finding, line string, env winpath.Env) {
	cmd := line
	if first, rest, ok := strings.Cut(cmd, " "); ok && strings.EqualFold(first, "autocheck") {
		cmd = strings.TrimSpace(rest) // "autocheck" only marks a check; the image follows
	}
	a := winpath.Assess(cmd, env)
	img := a.Path.Full
	if img == "" {
		img = cmd
	}
	f.Rule = "bootexecute.nondefault"
	f.Severity = report.Max(report.High, a.Severity)
	f.Risk = a.Risk
	f.Title = fmt.Sprintf("BootExecute runs %s before logon", a.Path.Base)
	if a.Path.Base == "" {
		f.Title = "BootExecute holds a non-default entry"
	}
	f.Detail = fmt.Sprintf("At every boot smss.exe runs \"%s\" as a native program before services, logon or security software start; Windows would load %s. The default is only \"autocheck autochk *\". Collect that file, hash it and check its signature; a native image outside System32 or with a system-process name is almost certainly malicious.", line, img)
	if len(a.Reasons) > 0 {
		f.Detail += " " + a.Summary()
		for _, r := range a.Reasons {
			f.Attack = appendUnique(f.Attack, r.Attack...)
		}
		f.Attack = appendUnique([]string{"T1547.001"}, f.Attack...)
	}
}

func appendUnique(list []string, add ...string) []string {
	for _, a := range add {
		found := false
		for _, x := range list {
			if x == a {
				found = true
				break
			}
		}
		if !found {
			list = append(list, a)
		}
	}
	return list
}
