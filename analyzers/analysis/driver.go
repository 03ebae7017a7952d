package analysis

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// Result is what a list of analyzers produced on one host.
type Result struct {
	Findings []report.Finding
	Runs     []report.AnalyzerRun
	Problems []report.Problem
	// Host is what the analyzers learnt about the host (version,
	// environments), for steps run after them.
	Host *Host
}

// Run runs each analyzer of list over set. An analyzer whose hives are all
// missing is recorded as skipped with the reason; one that returns an error
// or panics is recorded as failed and becomes a problem, and the others
// still run. Findings come back sorted.
func Run(ctx context.Context, set *hive.Set, list []*Analyzer) Result {
	var res Result
	host := NewHost(set)
	res.Host = host
	for _, a := range list {
		run := report.AnalyzerRun{Host: set.Host, Name: a.Name}
		if reason, ok := missing(set, a); !ok {
			run.Status, run.Reason = report.Skipped, reason
			res.Runs = append(res.Runs, run)
			continue
		}
		if err := ctx.Err(); err != nil {
			run.Status, run.Reason = report.Skipped, err.Error()
			res.Runs = append(res.Runs, run)
			continue
		}
		findings, err := runOne(&Pass{Analyzer: a, Set: set, Host: host, ctx: ctx})
		for i := range findings {
			f := &findings[i]
			f.Analyzer = a.Name
			f.Host = set.Host
			if f.Attack == nil {
				f.Attack = a.Attack
			}
		}
		noteNonCurrent(findings)
		run.Status, run.Findings = report.Ran, len(findings)
		if err != nil {
			run.Status, run.Reason = report.Failed, err.Error()
			res.Problems = append(res.Problems, report.Problem{Host: set.Host, Analyzer: a.Name, Message: err.Error()})
		}
		res.Findings = append(res.Findings, findings...)
		res.Runs = append(res.Runs, run)
	}
	sortFindings(res.Findings)
	return res
}

// runOne runs p's analyzer and returns what it reported and its problems
// joined, turning a panic into one more problem.
func runOne(p *Pass) (f []report.Finding, err error) {
	defer func() {
		if r := recover(); r != nil {
			p.Problem(fmt.Errorf("analyzer %s panicked: %v\n%s", p.Analyzer.Name, r, firstFrames(debug.Stack(), 12)))
		}
		f, err = p.findings, errors.Join(p.problems...)
	}()
	p.Problem(p.Analyzer.Run(p))
	return
}

func firstFrames(stack []byte, lines int) string {
	s := strings.Split(string(stack), "\n")
	if len(s) > lines {
		s = s[:lines]
	}
	return strings.Join(s, "\n")
}

// missing reports whether set has a hive a needs; the reason says which not.
func missing(set *hive.Set, a *Analyzer) (string, bool) {
	if a.NeedsVolume && set.Volume == nil {
		return "hives only, no volume", false
	}
	if len(a.Needs) == 0 {
		return "", true
	}
	names := make([]string, 0, len(a.Needs))
	for _, k := range a.Needs {
		if set.Has(k) {
			return "", true
		}
		names = append(names, k.String())
	}
	return "no " + strings.Join(names, " or ") + " hive in this host", false
}

// noteNonCurrent adds to findings from a control set that is not the current
// one a sentence saying the current set lacks the same entry.
func noteNonCurrent(fs []report.Finding) {
	type id struct{ hive, rule, value, data, key string }
	keyOf := func(f *report.Finding) id {
		v := ""
		if f.Value != nil {
			v = *f.Value
		}
		return id{f.Hive, f.Rule, v, fmt.Sprint(f.Data), StripControlSet(f.Key)}
	}
	inCurrent := map[id]bool{}
	for i := range fs {
		if fs[i].ControlSet != "" && HasRole(fs[i].ControlSetRole, hive.RoleCurrent) {
			inCurrent[keyOf(&fs[i])] = true
		}
	}
	for i := range fs {
		f := &fs[i]
		if f.ControlSet == "" || HasRole(f.ControlSetRole, hive.RoleCurrent) || inCurrent[keyOf(f)] {
			continue
		}
		role := "no role in Select"
		if len(f.ControlSetRole) > 0 {
			role = strings.Join(f.ControlSetRole, ", ")
		}
		f.Detail = strings.TrimSpace(f.Detail + " Found only in " + f.ControlSet + " (" + role + "), not in the current control set: Windows boots from it only when that set is selected (e.g. Last Known Good), and its presence shows the entry existed there at some point.")
	}
}

func HasRole(roles []string, r string) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// stripControlSet removes the leading ControlSet00N component of a key path.
func StripControlSet(p string) string {
	t := strings.TrimPrefix(p, `\`)
	first, rest, _ := strings.Cut(t, `\`)
	if len(first) == 13 && strings.EqualFold(first[:10], "controlset") {
		return rest
	}
	return t
}

// sortFindings orders findings deterministically: severity (highest first),
// analyzer, rule, hive, key, value, control set, data.
func sortFindings(fs []report.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		for _, c := range [][2]string{{a.Analyzer, b.Analyzer}, {a.Rule, b.Rule}, {a.Hive, b.Hive}, {a.Key, b.Key}, {Deref(a.Value), Deref(b.Value)}, {a.ControlSet, b.ControlSet}, {fmt.Sprint(a.Data), fmt.Sprint(b.Data)}} {
			if c[0] != c[1] {
				return c[0] < c[1]
			}
		}
		return false
	})
}

func Deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
