package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxDataRunes is where data is cut in the details view; JSON and CSV keep
// it whole.
const maxDataRunes = 240

// ANSI colours per severity, used only with Options.Color.
var severityColor = map[Severity]string{
	Critical: "\x1b[1;31m",
	High:     "\x1b[31m",
	Medium:   "\x1b[33m",
	Low:      "\x1b[36m",
	Info:     "\x1b[2m",
}

// tableWriter writes a report for people. By default one line per finding,
// highest severity first, then the hosts, a summary, the analyzers that did
// not run and the problems; with Options.Details every finding's full block,
// grouped by host. Every piece of text from the evidence goes through
// escapeText, and lines fit Options.Width.
type tableWriter struct{ opts Options }

var _ Writer = (*tableWriter)(nil)

func (tw *tableWriter) Write(w io.Writer, r *Report) error {
	v, belowSeverity, outsideTime := viewCounting(r, tw.opts)
	width := tw.opts.Width
	if width <= 0 {
		width = DefaultWidth
	}
	p := &tablePrinter{w: bufio.NewWriter(w), color: tw.opts.Color, width: width}
	p.header(v)
	writeImages(p.w, v.Images)
	groups := hostGroups(v)
	if len(groups) == 0 {
		p.printf("No Windows installation found.\n\n")
	}
	if tw.opts.Details {
		for _, g := range groups {
			p.host(g)
		}
	} else {
		p.compact(v.Findings)
		p.hosts(groups)
	}
	p.summary(v, belowSeverity, outsideTime)
	if !tw.opts.Details && len(v.Findings) > 0 {
		p.printf("Explanations, ATT&CK ids and fingerprints: --details (-v).\n")
	}
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

// hostGroups returns the report's hosts and the hosts that only appear in
// findings, each with its findings, the hosts with the most severe findings
// first, then by name.
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
	slices.SortStableFunc(groups, func(a, b *hostGroup) int {
		return cmp.Or(cmp.Compare(b.highest(), a.highest()), cmp.Compare(a.Name, b.Name))
	})
	return groups
}

// highest is the highest severity of g's findings, -1 without findings.
func (g *hostGroup) highest() Severity {
	h := Severity(-1)
	for _, f := range g.findings {
		h = max(h, f.Severity)
	}
	return h
}

type tablePrinter struct {
	w     *bufio.Writer
	color bool
	width int
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
	p.printf("== %s ==\n", hostName(g.Name))
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

func hostName(name string) string {
	if name == "" {
		return "(unknown host)"
	}
	return escapeText(name)
}

func (p *tablePrinter) finding(f Finding) {
	p.printf("  %s  %s\n", p.severity(f.Severity, 8), escapeText(f.Title))
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
	p.lastWrites(f)
	switch {
	case len(f.ControlSets) > 0:
		sets := make([]string, len(f.ControlSets))
		for i, cs := range f.ControlSets {
			sets[i] = withRoles(cs.Name, cs.Roles)
		}
		p.field(4, "ctl sets", strings.Join(sets, ", "))
	case f.ControlSet != "":
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
	for _, t := range f.Targets {
		p.field(4, "file", t.Summary())
	}
	p.field(4, "id", f.Fingerprint)
	if f.Suppressed {
		p.field(4, "suppressed", f.SuppressedBy+": "+f.SuppressionReason)
	}
	for line := range strings.Lines(f.Detail) {
		for _, l := range wrap(escapeText(strings.TrimRight(line, "\r\n")), max(p.width-4, 20)) {
			if l == "" {
				p.printf("\n")
				continue
			}
			p.printf("    %s\n", l)
		}
	}
}

// lastWrites prints the key's last write time, one per control set when a
// merged finding's keys were written at different times.
func (p *tablePrinter) lastWrites(f Finding) {
	differ := false
	for _, cs := range f.ControlSets {
		differ = differ || !cs.LastWrite.Equal(f.LastWrite)
	}
	if !differ {
		p.field(4, "last write", FormatTime(f.LastWrite))
		return
	}
	for i, cs := range f.ControlSets {
		label := ""
		if i == 0 {
			label = "last write"
		}
		p.printf("    %-10s %s (%s)\n", label, orDash(FormatTime(cs.LastWrite)), escapeText(cs.Name))
	}
}

// field prints one labelled line, escaped; empty values are left out.
func (p *tablePrinter) field(indent int, label, value string) {
	if value == "" {
		return
	}
	p.printf("%*s%-10s %s\n", indent, "", label, escapeText(value))
}

// severity returns the upper-case severity name padded to width, coloured
// when the printer colours.
func (p *tablePrinter) severity(s Severity, width int) string {
	label := fmt.Sprintf("%-*s", width, strings.ToUpper(s.String()))
	if p.color {
		return severityColor[s] + label + "\x1b[0m"
	}
	return label
}

// foundText counts findings by severity, highest first ("1 critical, 2
// low"), then the suppressed ones ("1 suppressed"); "" for none.
func foundText(findings []Finding) string {
	var counts Counts
	suppressed := 0
	for _, f := range findings {
		if f.Suppressed {
			suppressed++
		} else {
			counts.add(f.Severity)
		}
	}
	var found []string
	for _, s := range slices.Backward(Severities()) {
		if n := counts.Of(s); n > 0 {
			found = append(found, fmt.Sprintf("%d %s", n, s))
		}
	}
	if suppressed > 0 {
		found = append(found, fmt.Sprintf("%d suppressed", suppressed))
	}
	return strings.Join(found, ", ")
}

// hosts prints one line per host: name, Windows version and what was found.
func (p *tablePrinter) hosts(groups []*hostGroup) {
	if len(groups) == 0 {
		return
	}
	p.printf("Hosts:\n")
	nameWidth := 0
	for _, g := range groups {
		nameWidth = max(nameWidth, utf8.RuneCountInString(hostName(g.Name)))
	}
	nameWidth = min(nameWidth, max(p.width/3, 12))
	for _, g := range groups {
		what := cmp.Or(foundText(g.findings), "no findings shown")
		os := g.OS
		if !g.known {
			os = "(not among the hosts read)"
		}
		line := fmt.Sprintf("  %s  %s  %s", padRight(cutEnd(hostName(g.Name), nameWidth), nameWidth), orDash(escapeText(os)), what)
		p.printf("%s\n", cutEnd(line, p.width))
	}
	p.printf("\n")
}

func (p *tablePrinter) summary(r *Report, belowSeverity, outsideTime int) {
	s := r.Summary
	var counts []string
	for _, sev := range []Severity{Critical, High, Medium, Low, Info} {
		if n := s.BySeverity.Of(sev); n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	p.printf("Summary: %d hosts, %d hives, %d problems\n", s.Hosts, s.Hives, s.Problems)
	if len(counts) == 0 {
		p.printf("Findings: none\n")
	} else {
		p.printf("Findings: %d (%s)\n", s.Findings, strings.Join(counts, ", "))
	}
	p.printf("Analyzers: %d ran, %d skipped, %d failed\n", s.AnalyzersRan, s.AnalyzersSkipped, s.AnalyzersFailed)
	if belowSeverity > 0 {
		p.printf("Not shown: %d findings below %s\n", belowSeverity, r.MinSeverity)
	}
	if outsideTime > 0 {
		p.printf("Not shown: %d findings whose key was not written between --since and --until\n", outsideTime)
	}
	if s.Baselined > 0 {
		p.printf("Baseline: %d known findings left out\n", s.Baselined)
	}
	if s.Allow != nil {
		p.printf("Allowlist: %d findings suppressed\n", s.Suppressed)
		for _, a := range s.Allow {
			switch {
			case a.Expired:
				p.printf("  %s  expired %s, suppressed nothing: %s\n", escapeText(a.Where), escapeText(a.Expires), escapeText(a.Reason))
			case a.Stale():
				p.printf("  %s  matched nothing (stale?): %s\n", escapeText(a.Where), escapeText(a.Reason))
			default:
				p.printf("  %s  %d suppressed: %s\n", escapeText(a.Where), a.Suppressed, escapeText(a.Reason))
			}
		}
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
