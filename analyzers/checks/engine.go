package checks

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

var (
	filesMu sync.Mutex
	files   = map[*analysis.Analyzer]*File{}
	parts   = map[string]*File{} // by the name of the built-in Go analyzer that runs them
)

// New returns the analyzer that runs f's checks.
func New(f *File) *analysis.Analyzer {
	var needs []hive.Kind
	seen := map[hive.Kind]bool{}
	for _, c := range f.Checks {
		for _, k := range c.hiveKinds() {
			if !seen[k] {
				seen[k] = true
				needs = append(needs, k)
			}
		}
	}
	a := &analysis.Analyzer{
		Name:   f.Analyzer,
		Doc:    f.Doc,
		Needs:  needs,
		Attack: f.Attack,
		Run:    func(p *analysis.Pass) error { return run(p, f) },
	}
	filesMu.Lock()
	files[a] = f
	filesMu.Unlock()
	return a
}

// MustParse parses an embedded check file and returns its analyzer; a
// mistake in a built-in table is a programming error.
func MustParse(name string, data []byte) *analysis.Analyzer {
	f, err := Parse(name, data)
	if err != nil {
		panic(err)
	}
	return New(f)
}

// MustParsePart parses an embedded table of checks that the Go analyzer
// named analyzer runs beside its own code (with Run), and attaches it to
// that analyzer for FileOf and the table tests. The table's analyzer field
// must name it.
func MustParsePart(analyzer, name string, data []byte) *File {
	f, err := parse(name, data, false)
	if err != nil {
		panic(err)
	}
	if f.Analyzer != analyzer {
		panic(fmt.Sprintf("%s declares analyzer %q, attached to %q", name, f.Analyzer, analyzer))
	}
	filesMu.Lock()
	parts[analyzer] = f
	filesMu.Unlock()
	return f
}

// Run runs the checks of f over the pass's host, reporting through p.
func Run(p *analysis.Pass, f *File) error { return run(p, f) }

// FileOf returns the check file behind an analyzer made by New or given a
// part table by MustParsePart.
func FileOf(a *analysis.Analyzer) (*File, bool) {
	filesMu.Lock()
	defer filesMu.Unlock()
	if f, ok := files[a]; ok {
		return f, true
	}
	f, ok := parts[a.Name]
	return f, ok
}

func run(p *analysis.Pass, f *File) error {
	var errs []error
	for _, c := range f.Checks {
		for _, kp := range c.keys {
			pls, err := places(p, kp, c.Wow64)
			errs = append(errs, err)
			for _, pl := range pls {
				if err := p.Context().Err(); err != nil {
					return err
				}
				fs, err := c.judgeKey(p, pl)
				p.Report(fs...)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s\\%s: %w", pl.e.Path, strings.TrimPrefix(pl.key.Path(), `\`), err))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// values returns the values of k that the check's value patterns name.
func (c *Check) values(k *hive.Key) ([]*hive.Value, error) {
	var out []*hive.Value
	var all []*hive.Value
	listed := false
	var errs []error
	seen := map[string]bool{}
	for _, pat := range c.Values {
		if !isGlob(pat) {
			name := pat
			if strings.EqualFold(pat, "(default)") {
				name = ""
			}
			v, ok, err := analysis.OptionalValue(k, name)
			errs = append(errs, err)
			if ok && !seen[strings.ToLower(v.Name())] {
				seen[strings.ToLower(v.Name())] = true
				out = append(out, v)
			}
			continue
		}
		if !listed {
			var err error
			all, err = k.Values()
			errs = append(errs, err)
			listed = true
		}
		for _, v := range all {
			name := strings.ToLower(v.Name())
			if ok, _ := path.Match(strings.ToLower(pat), name); ok && !seen[name] { // checked at load
				seen[name] = true
				out = append(out, v)
			}
		}
	}
	return out, errors.Join(errs...)
}

// items splits a value's data into what is judged one by one.
func (c *Check) items(v *hive.Value) (items []string, n uint64, ok bool, err error) {
	if c.Data == Number {
		switch v.Type() {
		case hive.RegDWORD, hive.RegDWORDBigEndian, hive.RegQWORD:
		default:
			return nil, 0, false, nil
		}
		n, err := v.Uint64()
		if err != nil {
			return nil, 0, false, fmt.Errorf("value %q: %w", v.Name(), err)
		}
		return nil, n, true, nil
	}
	s, isText, err := analysis.ValueText(v)
	if !isText || err != nil {
		return nil, 0, false, err
	}
	if v.Type() == hive.RegMultiSZ {
		// ValueText joins with commas; a list kind splits again below, a
		// single command reads as Windows joins it.
		ss, _ := v.Strings() // decoded once already without error
		s = strings.Join(ss, " ")
	}
	s = strings.TrimSpace(strings.TrimRight(s, "\x00"))
	switch c.Data {
	case Commands:
		items = analysis.SplitList(strings.ReplaceAll(s, "\x00", ","))
	case DLLs:
		items = splitDLLs(s)
	default:
		if s != "" {
			items = []string{s}
		}
	}
	return items, 0, true, nil
}

// judgeKey judges the values of one key the check names.
func (c *Check) judgeKey(p *analysis.Pass, pl place) ([]report.Finding, error) {
	vals, err := c.values(pl.key)
	errs := []error{err}
	env := p.Env(pl.e)
	ver := p.Version()
	defaults := c.defaultsFor(ver.Family)
	var out []report.Finding
	for _, v := range vals {
		items, n, ok, err := c.items(v)
		errs = append(errs, err)
		if !ok {
			continue
		}
		if c.Data == Number {
			if c.numberIsQuiet(n, defaults) {
				continue
			}
			f, err := c.finding(p, pl, v, fmt.Sprintf("%d", n), "", defaults, winpath.Assessment{})
			errs = append(errs, err)
			out = append(out, f)
			continue
		}
		for _, item := range items {
			if c.isDefault(item, defaults, env) {
				continue
			}
			var a winpath.Assessment
			prog := ""
			switch c.Data {
			case Command, Commands:
				a = winpath.Assess(item, env)
				prog = a.Path.Base
			case Path, DLLs:
				a = winpath.AssessPath(item, env)
				prog = a.Path.Base
			}
			f, err := c.finding(p, pl, v, item, prog, defaults, a)
			errs = append(errs, err)
			if !c.Mask && (len(items) > 1 || c.Data == Commands || c.Data == DLLs) {
				f.Data = item
			}
			out = append(out, f)
		}
	}
	return out, errors.Join(errs...)
}

// numberIsQuiet reports whether number n is no finding.
func (c *Check) numberIsQuiet(n uint64, defaults []Default) bool {
	for _, d := range defaults {
		if dn, err := parseNumber(d.Data); err == nil && dn == n {
			return true
		}
	}
	if len(c.Match) > 0 {
		return !slices.Contains(c.Match, n)
	}
	switch c.Fires {
	case FiresNonZero:
		return n == 0
	case FiresZero:
		return n != 0
	}
	return false
}

// isDefault reports whether item is one of Windows' defaults: the same
// command (program and arguments) or file once expanded, or the same text.
func (c *Check) isDefault(item string, defaults []Default, env winpath.Env) bool {
	for _, d := range defaults {
		switch c.Data {
		case Command, Commands:
			if analysis.SameCommand(item, d.Data, env) {
				return true
			}
		case Path, DLLs:
			if strings.EqualFold(item, d.Data) || analysis.SamePath(item, d.Data, env) {
				return true
			}
		}
		if strings.EqualFold(strings.TrimSpace(item), strings.TrimSpace(d.Data)) {
			return true
		}
	}
	return false
}

func (c *Check) finding(p *analysis.Pass, pl place, v *hive.Value, item, prog string, defaults []Default, a winpath.Assessment) (report.Finding, error) {
	f := analysis.AtValue(pl.e, pl.key, v)
	if pl.cs != nil {
		f = analysis.InSet(f, *pl.cs)
	}
	f.Rule, f.Severity = c.Rule, c.SeverityFor(p.Version().Family)
	f.Attack = append([]string{}, c.Attack...)
	var ds []string
	for _, d := range defaults {
		if d.Data != "" {
			ds = append(ds, d.Data)
		}
	}
	name := v.Name()
	if name == "" {
		name = "(default)"
	}
	whole, _, _ := analysis.ValueText(v) // decoded once already without error
	if c.Mask {
		item, whole = masked(item), masked(whole)
		f.Data = whole
	}
	fields := templateFields{
		Data: item, Whole: whole, Value: name, Key: pl.key.Path(),
		Whose: analysis.Whose(pl.e), Program: prog, Defaults: strings.Join(ds, " or "),
		Windows: p.Version().Family.Name(),
	}
	if fields.Program == "" {
		fields.Program = item
	}
	var errs []error
	var b bytes.Buffer
	if err := c.title.Execute(&b, fields); err != nil {
		errs = append(errs, fmt.Errorf("%s: title: %w", c.Where(), err))
	}
	f.Title = b.String()
	b.Reset()
	if err := c.detail.Execute(&b, fields); err != nil {
		errs = append(errs, fmt.Errorf("%s: detail: %w", c.Where(), err))
	}
	f.Detail = strings.TrimSpace(b.String())
	if pl.e.Kind() == hive.KindDefault {
		f.Detail += " " + analysis.DefaultProfileNote
	}
	analysis.Assessed(&f, a)
	return f, errors.Join(errs...)
}

// masked stands for secret data in findings: its length only.
func masked(s string) string {
	return fmt.Sprintf("(%d characters, not shown)", len([]rune(s)))
}

// splitDLLs splits a DLL list on commas, spaces and tabs outside double
// quotes (AppInit_DLLs style), dropping the quotes.
func splitDLLs(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == ' ' || r == '\t'):
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}
