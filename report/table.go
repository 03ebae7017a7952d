package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

const (
	tableWidth   = 100 // detail text is wrapped to this many columns
	maxDataRunes = 240 // longer data is cut in the table; JSON and CSV keep it whole
)

// ANSI colours per severity, used only with Options.Color.
var severityColor = map[Severity]string{
	Critical: "\x1b[1;31m",
	High:     "\x1b[31m",
	Medium:   "\x1b[33m",
	Low:      "\x1b[36m",
	Info:     "\x1b[2m",
}

// tableWriter writes a report for people: findings grouped by host, then a
// summary, then the analyzers that did not run and the problems. Every piece
// of text from the evidence goes through escapeText.
type tableWriter struct{ opts Options }

var _ Writer = (*tableWriter)(nil)

func (tw *tableWriter) Write(w io.Writer, r *Report) error {
	v := view(r, tw.opts.MinSeverity)
	p := &tablePrinter{w: bufio.NewWriter(w), color: tw.opts.Color}
	p.header(v)
	writeImages(p.w, v.Images)
	groups := hostGroups(v)
	if len(groups) == 0 {
		p.printf("No Windows installation found.\n\n")
	}
	for _, g := range groups {
		p.host(g)
	}
	p.summary(v)
	p.notRun(v.Analyzers)
	p.problems(v.Problems)
	return p.w.Flush()
}

// hostGroup is one host and its findings, in report order.
type hostGroup struct {
	Host
	known    bool // listed in Report.Hosts
	findings []Finding
}

// hostGroups returns the report's hosts followed by hosts that only appear
// in findings, each with its findings.
func hostGroups(r *Report) []*hostGroup {
	var groups []*hostGroup
	byName := map[string]*hostGroup{}
	for _, h := range r.Hosts {
		if _, dup := byName[h.Name]; !dup {
			g := &hostGroup{Host: h, known: true}
			byName[h.Name] = g
			groups = append(groups, g)
		}
	}
	for _, f := range r.Findings {
		g, ok := byName[f.Host]
		if !ok {
			g = &hostGroup{Host: Host{Name: f.Host}}
			byName[f.Host] = g
			groups = append(groups, g)
		}
		g.findings = append(g.findings, f)
	}
	return groups
}

type tablePrinter struct {
	w     *bufio.Writer
	color bool
}

func (p *tablePrinter) printf(format string, args ...any) { fmt.Fprintf(p.w, format, args...) }

func (p *tablePrinter) header(r *Report) {
	p.printf("%s %s (report schema %s)\n", escapeText(r.Tool), escapeText(r.ToolVersion), escapeText(r.SchemaVersion))
	if !r.Started.IsZero() || !r.Finished.IsZero() {
		p.printf("started %s  finished %s\n", orDash(FormatTime(r.Started)), orDash(FormatTime(r.Finished)))
	}
	p.printf("\n")
}

func (p *tablePrinter) host(g *hostGroup) {
	name := escapeText(g.Name)
	if name == "" {
		name = "(unknown host)"
	}
	p.printf("== %s ==\n", name)
	if g.known {
		p.field(2, "root", g.Root)
		p.field(2, "os", g.OS)
		p.field(2, "time zone", g.TimeZone)
		p.field(2, "hives", strings.Join(g.HiveKinds, ", "))
		users := make([]string, len(g.Users))
		for i, u := range g.Users {
			users[i] = u.Name
		}
		p.field(2, "users", strings.Join(users, ", "))
		sets := make([]string, len(g.ControlSets))
		for i, cs := range g.ControlSets {
			sets[i] = withRoles(cs.Name, cs.Roles)
		}
		p.field(2, "ctl sets", strings.Join(sets, ", "))
	}
	if len(g.findings) == 0 {
		p.printf("  no findings\n")
	}
	for _, f := range g.findings {
		p.printf("\n")
		p.finding(f)
	}
	p.printf("\n")
}

func (p *tablePrinter) finding(f Finding) {
	p.printf("  %s  %s\n", p.severity(f.Severity), escapeText(f.Title))
	p.field(4, "rule", f.Analyzer+"/"+f.Rule)
	p.field(4, "hive", strings.TrimSpace(f.HiveKind+"  "+f.Hive))
	p.field(4, "user", f.User)
	p.field(4, "key", f.Key)
	if f.Value != nil {
		if *f.Value == "" {
			p.printf("    %-10s %s\n", "value", "(default)")
		} else {
			p.printf("    %-10s \"%s\"\n", "value", escapeText(*f.Value))
		}
	}
	for i, d := range dataStrings(f.Data) {
		label := ""
		if i == 0 {
			label = "data"
		}
		if d == "" {
			d = `""`
		}
		p.printf("    %-10s %s\n", label, escapeText(truncate(d, maxDataRunes)))
	}
	p.field(4, "last write", FormatTime(f.LastWrite))
	if f.ControlSet != "" {
		p.field(4, "ctl set", withRoles(f.ControlSet, f.ControlSetRole))
	}
	p.field(4, "att&ck", strings.Join(f.Attack, ", "))
	if f.Deleted {
		if f.Confidence != "" && f.Confidence != "intact" {
			p.field(4, "deleted", "yes (recovered from unallocated cells, "+f.Confidence+")")
		} else {
			p.field(4, "deleted", "yes (recovered from unallocated cells)")
		}
	}
	p.field(4, "id", f.Fingerprint)
	for line := range strings.Lines(f.Detail) {
		for _, l := range wrap(escapeText(strings.TrimRight(line, "\r\n")), tableWidth-4) {
			if l == "" {
				p.printf("\n")
				continue
			}
			p.printf("    %s\n", l)
		}
	}
}

// field prints one labelled line, escaped; empty values are left out.
func (p *tablePrinter) field(indent int, label, value string) {
	if value == "" {
		return
	}
	p.printf("%*s%-10s %s\n", indent, "", label, escapeText(value))
}

func (p *tablePrinter) severity(s Severity) string {
	label := fmt.Sprintf("%-8s", strings.ToUpper(s.String()))
	if p.color {
		return severityColor[s] + label + "\x1b[0m"
	}
	return label
}

func (p *tablePrinter) summary(r *Report) {
	s := r.Summary
	var counts []string
	for _, sev := range []Severity{Critical, High, Medium, Low, Info} {
		counts = append(counts, fmt.Sprintf("%d %s", s.BySeverity.Of(sev), sev))
	}
	p.printf("Summary: %d hosts, %d hives, %d findings (%s), %d problems\n",
		s.Hosts, s.Hives, s.Findings, strings.Join(counts, ", "), s.Problems)
	p.printf("Analyzers: %d ran, %d skipped, %d failed\n", s.AnalyzersRan, s.AnalyzersSkipped, s.AnalyzersFailed)
	if hidden := s.Findings - len(r.Findings); hidden > 0 {
		p.printf("Not shown: %d findings below %s\n", hidden, r.MinSeverity)
	}
	if s.Baselined > 0 {
		p.printf("Baseline: %d known findings left out\n", s.Baselined)
	}
}

func (p *tablePrinter) notRun(runs []AnalyzerRun) {
	first := true
	for _, a := range runs {
		if a.Status == Ran {
			continue
		}
		if first {
			p.printf("\nAnalyzers not run or incomplete:\n")
			first = false
		}
		p.printf("  %s  %s %s: %s\n", orDash(escapeText(a.Host)), escapeText(a.Name), escapeText(string(a.Status)), orDash(escapeText(a.Reason)))
	}
}

func (p *tablePrinter) problems(problems []Problem) {
	if len(problems) == 0 {
		return
	}
	p.printf("\nProblems:\n")
	for _, pr := range problems {
		where := strings.TrimSpace(escapeText(pr.Path))
		if pr.Analyzer != "" {
			where = strings.TrimSpace(where + " [" + escapeText(pr.Analyzer) + "]")
		}
		p.printf("  %s  %s: %s\n", orDash(escapeText(pr.Host)), orDash(where), escapeText(pr.Message))
	}
}

func withRoles(name string, roles []string) string {
	if len(roles) == 0 {
		return name
	}
	return name + " (" + strings.Join(roles, ", ") + ")"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// truncate cuts s to limit runes, saying how much was cut.
func truncate(s string, limit int) string {
	n := utf8.RuneCountInString(s)
	if n <= limit {
		return s
	}
	cut := 0
	for i := range s {
		if cut == limit {
			return fmt.Sprintf("%s... (%d more characters)", s[:i], n-limit)
		}
		cut++
	}
	return s
}

// wrap splits s at ASCII spaces into lines of at most width runes; a word
// longer than width gets a line of its own. Runs of spaces inside a line are
// kept.
func wrap(s string, width int) []string {
	words := strings.Split(s, " ")
	var lines []string
	line := words[0]
	for _, w := range words[1:] {
		if utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > width {
			lines = append(lines, strings.TrimRight(line, " "))
			line = w
			continue
		}
		line += " " + w
	}
	return append(lines, strings.TrimRight(line, " "))
}
