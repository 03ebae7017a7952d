package report

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
)

var (
	//go:embed html_report.tmpl
	htmlTemplateText string
	//go:embed html_report.css
	htmlCSS string
	//go:embed html_report.js
	htmlScript string

	htmlTemplate = template.Must(template.New("report").Parse(htmlTemplateText))
)

// htmlWriter writes one self-contained HTML page: summary, host cards, a
// timeline chart of the findings' key last writes (inline SVG), the findings
// table with filters by severity, host and analyzer and a search box, the
// problems and the inputs with their hashes. It loads nothing: styles and
// the one script are inline, and a Content-Security-Policy allows only
// those two by their SHA-256. Text from the evidence is escaped for HTML by
// html/template and its control, bidi and zero-width characters are shown
// as escapes, as in the table format.
type htmlWriter struct{ opts Options }

var _ Writer = (*htmlWriter)(nil)

// htmlCSP is the page's Content-Security-Policy.
func htmlCSP() string {
	return fmt.Sprintf("default-src 'none'; script-src '%s'; style-src '%s'; img-src 'none'; base-uri 'none'; form-action 'none'",
		cspHash(htmlScript), cspHash(htmlCSS))
}

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

type htmlPage struct {
	Tool, Version, Schema, Started, Finished, Args string
	HostList                                       string
	Summary                                        Summary
	Counts                                         []htmlCount
	Notes                                          []string
	Hosts                                          []htmlHost
	Chart                                          htmlChart
	Severities, HostNames, AnalyzerNames           []string
	Findings                                       []htmlFinding
	Problems                                       []htmlProblem
	NotRun                                         []string
	Inputs                                         []htmlInput
	CSP                                            string
	CSS                                            template.CSS
	Script                                         template.JS
}

type htmlCount struct {
	Name string
	N    int
}

type htmlHost struct {
	Name, OS, TimeZone, Root, Hives, Users, ControlSets, Found string
}

type htmlFinding struct {
	Severity, Host, Analyzer, Rule, Location, Value, LastWrite, Title, Detail string
	Hive, User, ControlSets, Attack, Fingerprint                              string
	Data, Targets                                                             []string
	Deleted                                                                   bool
}

type htmlProblem struct{ Where, Message string }

type htmlInput struct {
	Host, Kind, Path, Size, SHA256, State string
}

func (hw *htmlWriter) Write(w io.Writer, r *Report) error {
	v, belowSeverity, outsideTime := viewCounting(r, hw.opts)
	page := htmlPage{
		Tool: escapeText(v.Tool), Version: escapeText(v.ToolVersion), Schema: escapeText(v.SchemaVersion),
		Started: FormatTime(v.Started), Finished: FormatTime(v.Finished),
		Args:    escapeText(strings.Join(append([]string{v.Tool}, v.Args...), " ")),
		Summary: v.Summary,
		CSP:     htmlCSP(), CSS: template.CSS(htmlCSS), Script: template.JS(htmlScript),
	}
	if len(v.Args) == 0 {
		page.Args = ""
	}
	for _, s := range slices.Backward(Severities()) {
		page.Counts = append(page.Counts, htmlCount{s.String(), v.Summary.BySeverity.Of(s)})
		page.Severities = append(page.Severities, s.String())
	}
	if belowSeverity > 0 {
		page.Notes = append(page.Notes, fmt.Sprintf("Not shown: %d findings below %s.", belowSeverity, v.MinSeverity))
	}
	if outsideTime > 0 {
		page.Notes = append(page.Notes, fmt.Sprintf("Not shown: %d findings whose key was not written between --since and --until.", outsideTime))
	}
	if v.Summary.Allow != nil {
		page.Notes = append(page.Notes, fmt.Sprintf("Allowlist: %d findings suppressed.", v.Summary.Suppressed))
	}
	if v.Baselined > 0 {
		page.Notes = append(page.Notes, fmt.Sprintf("Baseline: %d known findings left out.", v.Baselined))
	}
	var names []string
	for _, g := range hostGroups(v) {
		page.Hosts = append(page.Hosts, newHTMLHost(g))
		names = append(names, hostName(g.Name))
	}
	page.HostList = strings.Join(names, ", ")
	if len(page.HostList) > 120 {
		page.HostList = cutEnd(page.HostList, 120)
	}
	sids := userSIDs(v)
	hosts, analyzers := map[string]bool{}, map[string]bool{}
	fs := slices.Clone(v.Findings)
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if a.Severity != b.Severity {
			return int(b.Severity) - int(a.Severity)
		}
		return strings.Compare(a.Host, b.Host)
	})
	for _, f := range fs {
		hf := newHTMLFinding(f, sids[[2]string{f.Host, f.User}])
		page.Findings = append(page.Findings, hf)
		hosts[hf.Host], analyzers[hf.Analyzer] = true, true
	}
	page.HostNames = slices.Sorted(mapKeys(hosts))
	page.AnalyzerNames = slices.Sorted(mapKeys(analyzers))
	page.Chart = newHTMLChart(timelineEvents(v))
	for _, p := range v.Problems {
		where := strings.TrimSpace(strings.Join(slices.DeleteFunc([]string{escapeText(p.Host), escapeText(p.Path)}, func(s string) bool { return s == "" }), " "))
		if p.Analyzer != "" {
			where = strings.TrimSpace(where + " [" + escapeText(p.Analyzer) + "]")
		}
		page.Problems = append(page.Problems, htmlProblem{where, escapeText(p.Message)})
	}
	for _, a := range v.Analyzers {
		if a.Status != Ran {
			page.NotRun = append(page.NotRun, fmt.Sprintf("%s: %s %s: %s", orDash(escapeText(a.Host)), escapeText(a.Name), a.Status, orDash(escapeText(a.Reason))))
		}
	}
	for _, in := range v.Inputs {
		page.Inputs = append(page.Inputs, htmlInput{
			Host: escapeText(in.Host), Kind: escapeText(in.Kind), Path: escapeText(in.Path),
			Size: humanBytes(in.Size), SHA256: in.SHA256, State: escapeText(inputState(in)),
		})
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, page); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func newHTMLHost(g *hostGroup) htmlHost {
	h := htmlHost{Name: hostName(g.Name), OS: escapeText(g.OS), TimeZone: escapeText(g.TimeZone), Root: escapeText(g.Root),
		Hives: escapeText(strings.Join(g.HiveKinds, ", "))}
	if !g.known {
		h.Root = "(not among the hosts read)"
	}
	users := make([]string, len(g.Users))
	for i, u := range g.Users {
		users[i] = u.Name
		if u.SID != "" {
			users[i] += " (" + u.SID + ")"
		}
	}
	h.Users = escapeText(strings.Join(users, ", "))
	sets := make([]string, len(g.ControlSets))
	for i, cs := range g.ControlSets {
		sets[i] = withRoles(cs.Name, cs.Roles)
	}
	h.ControlSets = escapeText(strings.Join(sets, ", "))
	h.Found = foundText(g.findings)
	return h
}

func newHTMLFinding(f Finding, sid string) htmlFinding {
	hf := htmlFinding{
		Severity: f.Severity.String(), Host: hostName(f.Host), Analyzer: escapeText(f.Analyzer),
		Rule: escapeText(f.Analyzer + "/" + f.Rule), Location: escapeText(registryPath(f, sid)),
		Value: compactValue(f), LastWrite: FormatTime(f.LastWrite), Title: escapeText(f.Title),
		Detail: escapeText(f.Detail), Hive: escapeText(strings.TrimSpace(f.HiveKind + "  " + f.Hive)),
		User: escapeText(f.User), Attack: escapeText(strings.Join(f.Attack, ", ")), Fingerprint: escapeText(f.Fingerprint),
		Deleted: f.Deleted,
	}
	for _, t := range f.Targets {
		hf.Targets = append(hf.Targets, escapeText(t.Summary()))
	}
	// Detail keeps its line breaks (the cell is pre-wrap); everything else
	// is escaped whole.
	var lines []string
	for line := range strings.Lines(f.Detail) {
		lines = append(lines, escapeText(strings.TrimRight(line, "\r\n")))
	}
	hf.Detail = strings.Join(lines, "\n")
	if f.Suppressed {
		hf.Title = "[suppressed] " + hf.Title
		hf.Detail = escapeText("suppressed by "+f.SuppressedBy+": "+f.SuppressionReason) + "\n\n" + hf.Detail
	}
	for _, d := range dataStrings(f.Data) {
		hf.Data = append(hf.Data, escapeText(truncate(d, 4*maxDataRunes)))
	}
	if len(f.ControlSets) > 0 {
		sets := make([]string, len(f.ControlSets))
		for i, cs := range f.ControlSets {
			sets[i] = withRoles(cs.Name, cs.Roles) + " written " + orDash(FormatTime(cs.LastWrite))
		}
		hf.ControlSets = escapeText(strings.Join(sets, "; "))
	} else if f.ControlSet != "" {
		hf.ControlSets = escapeText(withRoles(f.ControlSet, f.ControlSetRole))
	}
	if f.LastWrite.IsZero() {
		hf.LastWrite = "-"
	}
	return hf
}
