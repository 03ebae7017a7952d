package sigma

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// Name is the analyzer name of every Sigma finding.
const Name = "sigma"

// Options choose which loaded rules run.
type Options struct {
	// Status lists the rule statuses to run ("stable", "test",
	// "experimental", ...); empty runs every status.
	Status []string
	// MinLevel leaves out rules whose level is below it.
	MinLevel report.Severity
	// WriterUnknown also runs the WriterFilter rules, one level lower,
	// leaving out values the known-good table holds.
	WriterUnknown bool
}

// Chosen reports whether opts runs r.
func (o Options) Chosen(r *Rule) bool {
	switch r.Support {
	case Offline:
	case WriterFilter:
		if !o.WriterUnknown {
			return false
		}
	default:
		return false
	}
	if len(o.Status) > 0 {
		found := false
		for _, s := range o.Status {
			if strings.EqualFold(strings.TrimSpace(s), r.Status) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return level(r) >= o.MinLevel
}

// level is the rule's level as a severity; informational and unknown
// levels are Info.
func level(r *Rule) report.Severity {
	if strings.EqualFold(r.Level, "informational") {
		return report.Info
	}
	s, err := report.ParseSeverity(r.Level)
	if err != nil {
		return report.Info
	}
	return s
}

// New returns the "sigma" analyzer running the rules of sets that opts
// chooses.
func New(sets []*Rules, opts Options) *analyzers.Analyzer {
	var chosen []*Rule
	for _, rs := range sets {
		for _, r := range rs.Rules {
			if opts.Chosen(r) {
				chosen = append(chosen, r)
			}
		}
	}
	var once sync.Once
	var shared *index
	return &analyzers.Analyzer{
		Name: Name,
		Doc: fmt.Sprintf(`Sigma registry rules (%d chosen) evaluated over every key and value
Each key becomes a Sysmon CreateKey event and each value a SetValue event, with
TargetObject and Details written as Sysmon writes them. A match says the value is
present; the writing process, user and time are unknown offline.`, len(chosen)),
		Needs: mapped,
		Run: func(p *analyzers.Pass) error {
			once.Do(func() { shared = newIndex(chosen) })
			fs, err := run(p.Context(), p.Set, shared)
			p.Report(fs...)
			return err
		},
	}
}

// run evaluates the index's rules over every event of set.
func run(ctx context.Context, set *hive.Set, ix *index) ([]report.Finding, error) {
	var out []report.Finding
	failed, err := matches(ctx, set, ix, func(r *Rule, ev *Event) {
		if f, ok := finding(r, ev); ok {
			out = append(out, f)
		}
	})
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	for _, r := range sortedRules(failed) {
		errs = append(errs, fmt.Errorf("rule %s (%s): %w", r.ID, r.File, failed[r]))
	}
	return out, errors.Join(errs...)
}

// matches calls fn for every rule of ix matching an event of set, in event
// order and, for one event, in rule order. failed holds the rules that
// returned an error; they are not evaluated again.
func matches(ctx context.Context, set *hive.Set, ix *index, fn func(*Rule, *Event)) (failed map[*Rule]error, err error) {
	failed = map[*Rule]error{}
	// A deleted record's Delete event follows its CreateKey or SetValue
	// event; a rule that sees both and matched the first is one match.
	var lastKey *hive.Key
	var lastValue *hive.Value
	var lastMatched []*Rule
	err = ix.scanner().scan(ctx, set, func(ev *Event, cands []int) error {
		paired := (ev.EventType == "DeleteKey" || ev.EventType == "DeleteValue") && ev.Key == lastKey && ev.Value == lastValue
		if !paired {
			lastKey, lastValue, lastMatched = ev.Key, ev.Value, lastMatched[:0]
		}
		var lowered, asIs map[string]any
		for _, n := range cands {
			r := ix.rules[n]
			if failed[r] != nil || paired && slices.Contains(lastMatched, r) {
				continue
			}
			var fields map[string]any
			switch {
			case r.exactCase && asIs == nil:
				asIs = ev.fields(false)
				fields = asIs
			case r.exactCase:
				fields = asIs
			case lowered == nil:
				lowered = ev.fields(true)
				fields = lowered
			default:
				fields = lowered
			}
			res, err := r.eval.Matches(ctx, fields)
			if err != nil {
				failed[r] = err
				continue
			}
			if res.Match {
				lastMatched = append(lastMatched, r)
				fn(r, ev)
			}
		}
		return nil
	})
	return failed, err
}

func sortedRules(m map[*Rule]error) []*Rule {
	out := make([]*Rule, 0, len(m))
	for r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}

// RuleName is the finding rule for a Sigma rule: "sigma.<id>", or the file
// name without extension when the rule has no id.
func RuleName(r *Rule) string {
	id := r.ID
	if id == "" {
		id = strings.TrimSuffix(strings.TrimSuffix(baseName(r.File), ".yml"), ".yaml")
	}
	return "sigma." + id
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// finding turns a match into a finding; ok is false when the match is
// dropped (a writer-filter rule on a known-good value).
func finding(r *Rule, ev *Event) (report.Finding, bool) {
	f := report.Finding{
		Rule:      RuleName(r),
		Severity:  level(r),
		Title:     r.Title,
		Hive:      ev.Entry.Path,
		HiveKind:  ev.Entry.Kind().String(),
		Key:       ev.Key.Path(),
		LastWrite: ev.Key.LastWrite(),
		User:      ev.Entry.User,
		Deleted:   ev.Entry.Deleted,
		Attack:    Attack(r.Tags),
	}
	if ev.Value != nil {
		f.Value = report.ValueName(ev.Value.Name())
		d, _ := ev.Value.Data() // Details already says what could be decoded
		f.Data = reportData(d)
	}
	if cs := ev.ControlSet; cs != nil {
		f.ControlSet = cs.Name
		f.ControlSetRole = cs.Roles
		if f.ControlSetRole == nil {
			f.ControlSetRole = []string{}
		}
	}
	var notes []string
	if r.Support == WriterFilter {
		f.Severity = lower(f.Severity)
		notes = append(notes, "Writer unknown: the rule excludes legitimate writing processes, which a hive does not record, so it is reported one level below the rule's "+r.Level+".")
	}
	if kg, ok := knownGood(ev); ok {
		if r.Support == WriterFilter {
			return f, false
		}
		f.Severity = report.Info
		notes = append(notes, "Stock value: "+kg.Why+" (known-good source: "+kg.Source+"), so it is reported as info.")
	}
	f.Detail = detail(r, ev, notes)
	return f, true
}

func lower(s report.Severity) report.Severity {
	if s > report.Info {
		return s - 1
	}
	return s
}

// detail says what matched and keeps the attribution the Detection Rule
// License asks for: author, id, references and a link to the rule.
func detail(r *Rule, ev *Event, notes []string) string {
	var b strings.Builder
	what := map[bool]string{true: "value", false: "key"}[ev.Value != nil]
	switch ev.EventType {
	case "DeleteKey", "DeleteValue":
		fmt.Fprintf(&b, "Sigma rule %q matched a deletion: this %s was deleted, its record recovered from the hive's free space, and the hive it was recovered from holds no live %s at its place (TargetObject %s, event %s).", r.Title, what, what, ev.TargetObject, ev.EventType)
		if p := deletionBound(ev); p != "" {
			b.WriteString(" " + p)
		}
		b.WriteString(" Offline the deleting process and user are unknown.")
	default:
		fmt.Fprintf(&b, "Sigma rule %q matched: this %s is present", r.Title, what)
		fmt.Fprintf(&b, " (TargetObject %s", ev.TargetObject)
		if ev.Value != nil {
			fmt.Fprintf(&b, ", Details %s", ev.Details)
		}
		b.WriteString("). Offline the writing process and user are unknown; the key's last-write time is the latest the write can have happened.")
	}
	for _, n := range notes {
		b.WriteString(" " + n)
	}
	fmt.Fprintf(&b, " Rule id %s", r.ID)
	if r.Status != "" {
		fmt.Fprintf(&b, ", status %s", r.Status)
	}
	fmt.Fprintf(&b, ", level %s, author %s.", r.Level, r.Author)
	if len(r.References) > 0 {
		b.WriteString(" References: " + strings.Join(r.References, " ") + ".")
	}
	if r.URL != "" {
		b.WriteString(" Rule: " + r.URL + " (SigmaHQ, Detection Rule License 1.1).")
	} else {
		b.WriteString(" Rule file: " + r.File + ".")
	}
	return b.String()
}

// Attack turns tags like attack.t1547.001 into technique IDs (T1547.001).
func Attack(tags []string) []string {
	var out []string
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		id, ok := strings.CutPrefix(t, "attack.t")
		if !ok || id == "" || id[0] < '0' || id[0] > '9' {
			continue
		}
		out = analysis.AppendUnique(out, "T"+strings.ToUpper(id))
	}
	return out
}

// reportData converts decoded data as the native analyzers do: binary as
// lower-case hex text (report.Finding.Data).
func reportData(d any) any {
	if b, ok := d.([]byte); ok {
		return fmt.Sprintf("%x", b)
	}
	return d
}

// deletionBound says when a deletion happened at the latest: deleting a
// value or a subkey writes the live key that held it, whose last-write time
// is then the bound.
func deletionBound(ev *Event) string {
	if ev.Entry.Live == nil {
		return ""
	}
	p := ev.Key.Path()
	if ev.EventType == "DeleteKey" {
		p = parentPath(p)
	}
	for {
		if k, err := ev.Entry.Live.Key(p); err == nil {
			return fmt.Sprintf("The live key %s was last written %s, the latest the deletion can have happened (a later write to it moves that bound).", k.Path(), k.LastWrite().Format(time.RFC3339))
		}
		if p == `\` {
			return ""
		}
		p = parentPath(p)
	}
}

// parentPath is the path of the key holding the key at p (`\` for the root
// and the keys right below it).
func parentPath(p string) string {
	if i := strings.LastIndex(p, `\`); i > 0 {
		return p[:i]
	}
	return `\`
}
