package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"
)

// InformationURI is where hivescan documents itself, for SARIF consumers.
const InformationURI = "https://github.com/hivescan/hivescan"

// sarifFingerprintKey names the finding fingerprint in partialFingerprints.
const sarifFingerprintKey = "hivescanFingerprint/v1"

// sarifWriter writes SARIF 2.1.0: one run, one rule per analyzer rule, one
// result per finding. The registry key and value are logical locations;
// the hive file is the physical location, relative to the evidence root it
// was found under (uriBaseId EVIDENCE, or EVIDENCE1... for several roots).
// Problems and analyzers that did not run become tool execution
// notifications of the invocation.
type sarifWriter struct{ opts Options }

var _ Writer = (*sarifWriter)(nil)

// sarifLevel maps a severity to a SARIF level and result kind: critical and
// high are errors, medium a warning, low a note; info findings are
// inventory, kind "informational" with level "none".
func sarifLevel(s Severity) (level, kind string) {
	switch {
	case s >= High:
		return "error", "fail"
	case s == Medium:
		return "warning", "fail"
	case s == Low:
		return "note", "fail"
	}
	return "none", "informational"
}

// securitySeverity is the CVSS-like score that code-scanning services read
// from a rule's "security-severity" property.
func securitySeverity(s Severity) string {
	return [...]string{"0.0", "3.0", "5.5", "8.0", "9.5"}[max(Info, min(s, Critical))]
}

// ruleID names the rule of f: its Rule when that already starts with the
// analyzer name and a dot (bootexecute.nondefault), else analyzer/rule.
func ruleID(f Finding) string {
	if strings.HasPrefix(f.Rule, f.Analyzer+".") {
		return f.Rule
	}
	return f.Analyzer + "/" + f.Rule
}

func (sw *sarifWriter) Write(w io.Writer, r *Report) error {
	v := view(r, sw.opts)
	log, err := sarif.New(sarif.Version210, true)
	if err != nil {
		return fmt.Errorf("sarif: %w", err)
	}
	driver := sarif.NewVersionedDriver(v.Tool, v.ToolVersion).WithInformationURI(InformationURI)
	run := sarif.NewRun(*sarif.NewTool(driver))
	run.Results = []*sarif.Result{}

	roots := evidenceRoots(v)
	if len(roots) > 0 {
		run.OriginalUriBaseIDs = map[string]*sarif.ArtifactLocation{}
		for source, id := range roots {
			loc := sarif.NewArtifactLocation().WithDescriptionText("evidence given as " + source)
			if u := rootURI(source); u != "" {
				loc = loc.WithUri(u)
			}
			run.OriginalUriBaseIDs[id] = loc
		}
	}
	artifactIndex := map[string]int{} // Input.Path → index into run.Artifacts
	for _, in := range v.Inputs {
		if _, dup := artifactIndex[in.Path]; dup {
			continue
		}
		a := sarif.NewArtifact()
		a.Location = sarif.NewSimpleArtifactLocation(relativeURI(in.Path, in.Source)).WithUriBaseId(roots[in.Source])
		a.Length = int(in.Size)
		if in.SHA256 != "" {
			a.Hashes = map[string]string{"sha-256": in.SHA256}
		}
		a.Roles = []string{"analysisTarget"}
		a.Properties = sarif.Properties{"kind": in.Kind, "host": in.Host}
		artifactIndex[in.Path] = len(run.Artifacts)
		run.Artifacts = append(run.Artifacts, a)
	}

	rules, index := sarifRules(v.Findings, sw.opts.Analyzers)
	driver.Rules = rules
	sids := userSIDs(v)
	for _, f := range v.Findings {
		run.Results = append(run.Results, sarifResult(f, index[ruleID(f)], sids[[2]string{f.Host, f.User}], artifactIndex, v, roots))
	}
	run.Invocations = []*sarif.Invocation{sarifInvocation(v)}
	run.Properties = sarif.Properties{"schema_version": v.SchemaVersion, "min_severity": v.MinSeverity.String(), "summary": v.Summary, "hosts": nonNil(v.Hosts)}
	log.AddRun(run)

	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// sarifRules returns one rule per ruleID of findings, sorted by id, and each
// id's index.
func sarifRules(findings []Finding, docs []AnalyzerDoc) ([]*sarif.ReportingDescriptor, map[string]int) {
	type ruleInfo struct {
		analyzer, rule string
		highest        Severity
		attack         []string
	}
	infos := map[string]*ruleInfo{}
	for _, f := range findings {
		id := ruleID(f)
		ri := infos[id]
		if ri == nil {
			ri = &ruleInfo{analyzer: f.Analyzer, rule: f.Rule, highest: f.Severity}
			infos[id] = ri
		}
		ri.highest = max(ri.highest, f.Severity)
		ri.attack = append(ri.attack, f.Attack...)
	}
	ids := make([]string, 0, len(infos))
	for id := range infos {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	rules := make([]*sarif.ReportingDescriptor, len(ids))
	index := map[string]int{}
	for i, id := range ids {
		ri := infos[id]
		doc := analyzerDoc(docs, ri.analyzer)
		attack := slices.Compact(slices.Sorted(slices.Values(ri.attack)))
		if len(attack) == 0 {
			attack = slices.Clone(doc.Attack)
		}
		title, _, _ := strings.Cut(doc.Doc, "\n")
		title = cmp.Or(strings.TrimSpace(title), "hivescan analyzer "+ri.analyzer)
		short := title + ": " + strings.TrimPrefix(ri.rule, ri.analyzer+".")
		full := cmp.Or(strings.TrimSpace(doc.Doc), short)
		text, markdown := ruleHelp(full, ri.analyzer, attack)
		level, _ := sarifLevel(ri.highest)
		rule := sarif.NewRule(id).
			WithShortDescription(sarif.NewMultiformatMessageString(short)).
			WithFullDescription(sarif.NewMultiformatMessageString(full)).
			WithHelp(sarif.NewMultiformatMessageString(text).WithMarkdown(markdown)).
			WithHelpURI(InformationURI + "#analyzers").
			WithDefaultConfiguration(&sarif.ReportingConfiguration{Level: level})
		rule.Properties = sarif.Properties{
			"tags":              append([]string{"security", "windows-registry"}, attack...),
			"security-severity": securitySeverity(ri.highest),
			"analyzer":          ri.analyzer,
		}
		rules[i] = rule
		index[id] = i
	}
	return rules, index
}

func analyzerDoc(docs []AnalyzerDoc, name string) AnalyzerDoc {
	for _, d := range docs {
		if d.Name == name {
			return d
		}
	}
	return AnalyzerDoc{Name: name}
}

// ruleHelp is the help text of a rule in plain text and Markdown, with links
// to the ATT&CK techniques.
func ruleHelp(doc, analyzer string, attack []string) (text, markdown string) {
	var t, m strings.Builder
	t.WriteString(doc)
	m.WriteString(doc)
	fmt.Fprintf(&t, "\n\nAnalyzer: %s (hivescan analyzers lists them all).", analyzer)
	fmt.Fprintf(&m, "\n\nAnalyzer: `%s` (`hivescan analyzers` lists them all).", analyzer)
	if len(attack) > 0 {
		t.WriteString("\nMITRE ATT&CK: " + strings.Join(attack, ", "))
		links := make([]string, len(attack))
		for i, id := range attack {
			links[i] = fmt.Sprintf("[%s](https://attack.mitre.org/techniques/%s/)", id, strings.ReplaceAll(id, ".", "/"))
		}
		m.WriteString("\n\nMITRE ATT&CK: " + strings.Join(links, ", "))
	}
	return t.String(), m.String()
}

func sarifResult(f Finding, ruleIndex int, sid string, artifacts map[string]int, r *Report, roots map[string]string) *sarif.Result {
	level, kind := sarifLevel(f.Severity)
	text := f.Title
	if d := strings.TrimSpace(f.Detail); d != "" {
		text += "\n\n" + d
	}
	res := sarif.NewRuleResult(ruleID(f)).WithRuleIndex(ruleIndex).WithLevel(level).WithKind(kind).
		WithMessage(sarif.NewTextMessage(text))
	res.PartialFingerprints = map[string]any{sarifFingerprintKey: f.Fingerprint}

	regPath := registryPath(f, sid)
	keyName := regPath[strings.LastIndexByte(regPath, '\\')+1:]
	logical := []*sarif.LogicalLocation{sarif.NewLogicalLocation().WithKind("object").WithName(keyName).WithFullyQualifiedName(regPath)}
	if f.Value != nil {
		name := *f.Value
		if name == "" {
			name = "(default)"
		}
		logical = append(logical, sarif.NewLogicalLocation().WithKind("property").WithName(name).WithFullyQualifiedName(regPath+`\`+name))
	}
	loc := sarif.NewLocation().WithLogicalLocations(logical)
	if f.Hive != "" {
		source := ""
		for _, in := range r.Inputs {
			if in.Path == f.Hive {
				source = in.Source
				break
			}
		}
		al := sarif.NewSimpleArtifactLocation(relativeURI(f.Hive, source))
		if id := roots[source]; id != "" {
			al = al.WithUriBaseId(id)
		}
		if i, ok := artifacts[f.Hive]; ok {
			al = al.WithIndex(i)
		}
		loc = loc.WithPhysicalLocation(sarif.NewPhysicalLocation().WithArtifactLocation(al))
	}
	res.Locations = []*sarif.Location{loc}

	props := sarif.Properties{
		"severity":      f.Severity.String(),
		"host":          f.Host,
		"hive":          f.Hive,
		"hive_kind":     f.HiveKind,
		"key":           f.Key,
		"registry_path": regPath,
		"deleted":       f.Deleted,
		"fingerprint":   f.Fingerprint,
		"analyzer":      f.Analyzer,
		"rule":          f.Rule,
	}
	if f.Value != nil {
		props["value"] = *f.Value
	}
	if f.Data != nil {
		props["data"] = normalizeData(f.Data)
	}
	if len(f.Targets) > 0 {
		props["targets"] = f.Targets
	}
	if t := FormatTime(f.LastWrite); t != "" {
		props["last_write"] = t
	}
	if f.ControlSet != "" {
		props["control_set"] = f.ControlSet
		props["control_set_role"] = nonNil(f.ControlSetRole)
	}
	if len(f.ControlSets) > 0 {
		props["control_sets"] = f.ControlSets
	}
	if f.User != "" {
		props["user"] = f.User
	}
	if len(f.Attack) > 0 {
		props["attack"] = f.Attack
	}
	if f.Risk != 0 {
		props["risk"] = f.Risk
	}
	if f.Suppressed {
		props["suppressed"] = true
		props["suppressed_by"] = f.SuppressedBy
		props["suppression_reason"] = f.SuppressionReason
	}
	res.Properties = props
	return res
}

// sarifInvocation records the run: its command line, times, and as
// notifications every problem (warning), failed analyzer (error) and
// skipped analyzer (note). Execution counts as successful unless an
// analyzer failed.
func sarifInvocation(r *Report) *sarif.Invocation {
	failed := false
	var notes []*sarif.Notification
	for _, p := range r.Problems {
		where := strings.TrimSpace(strings.Join(slices.DeleteFunc([]string{p.Host, p.Path, p.Analyzer}, func(s string) bool { return s == "" }), " "))
		msg := p.Message
		if where != "" {
			msg = where + ": " + p.Message
		}
		n := sarif.NewNotification().WithLevel("warning").WithTextMessage(msg)
		n.Properties = sarif.Properties{"kind": "problem", "host": p.Host, "path": p.Path, "analyzer": p.Analyzer}
		notes = append(notes, n)
	}
	for _, a := range r.Analyzers {
		var level string
		switch a.Status {
		case Failed:
			level, failed = "error", true
		case Skipped:
			level = "note"
		default:
			continue
		}
		n := sarif.NewNotification().WithLevel(level).
			WithTextMessage(fmt.Sprintf("analyzer %s %s on host %s: %s", a.Name, a.Status, a.Host, cmp.Or(a.Reason, "no reason given")))
		n.Properties = sarif.Properties{"kind": "analyzer", "host": a.Host, "analyzer": a.Name, "status": string(a.Status)}
		notes = append(notes, n)
	}
	inv := sarif.NewInvocation().WithExecutionSuccess(!failed)
	inv.Arguments = nonNil(r.Args)
	inv.CommandLine = strPtr(strings.Join(append([]string{r.Tool}, r.Args...), " "))
	if !r.Started.IsZero() {
		t := r.Started.UTC()
		inv.StartTimeUTC = &t
	}
	if !r.Finished.IsZero() {
		t := r.Finished.UTC()
		inv.EndTimeUTC = &t
	}
	inv.ToolExecutionNotifications = notes
	return inv
}

func strPtr(s string) *string { return &s }
