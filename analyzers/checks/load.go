package checks

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/internal/yamlsrc"
	"github.com/hivescan/hivescan/report"
)

// Error is a mistake in a check file, with where it is: FILE:LINE: FIELD: message.
type Error = yamlsrc.Error

var (
	nameRe = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	ruleRe = regexp.MustCompile(`^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$`)
	techRe = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
)

// Parse reads one check file; name is used in errors and in Check.Where.
// Every rule id must start with the analyzer's name and a dot, so that a
// team's rules never take the id of a built-in one.
func Parse(name string, data []byte) (*File, error) {
	return parse(name, data, true)
}

func parse(name string, data []byte, standalone bool) (*File, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, yamlsrc.SyntaxError(name, err)
	}
	p := &parser{file: name, standalone: standalone}
	f := p.file_(&doc)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return f, nil
}

type parser struct {
	file string
	errs []error
	at   *yaml.Node // the mapping being read: where a missing field is reported
	// standalone files declare a whole analyzer (doc required, rule ids
	// prefixed with its name); a part table belongs to a Go analyzer that
	// keeps its historical rule ids.
	standalone bool
}

func (p *parser) fail(n *yaml.Node, field, format string, args ...any) {
	line := 1
	if n == nil {
		n = p.at
	}
	if n != nil && n.Line > 0 {
		line = n.Line
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// fields returns the mapping n's values by key, reporting keys not in
// allowed and keys given twice.
func (p *parser) fields(n *yaml.Node, where string, allowed ...string) map[string]*yaml.Node {
	return yamlsrc.Fields(n, where, p.fail, allowed...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) str(n *yaml.Node, field string, required bool) string {
	if n == nil {
		if required {
			p.fail(nil, field, "missing (required)")
		}
		return ""
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.fail(n, field, "want a string, got %s", yamlsrc.Kind(n))
		return ""
	}
	s := strings.TrimSpace(n.Value)
	if required && s == "" {
		p.fail(n, field, "must not be empty")
	}
	return s
}

// strs reads a string or a list of strings.
func (p *parser) strs(n *yaml.Node, field string, required bool) []string {
	if n == nil {
		if required {
			p.fail(nil, field, "missing (required)")
		}
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		if s := p.str(n, field, required); s != "" {
			return []string{s}
		}
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.fail(n, field, "want a string or a list of strings, got %s", yamlsrc.Kind(n))
		return nil
	}
	var out []string
	for i, item := range n.Content {
		if s := p.str(item, fmt.Sprintf("%s[%d]", field, i), true); s != "" {
			out = append(out, s)
		}
	}
	if required && len(out) == 0 {
		p.fail(n, field, "must list at least one")
	}
	return out
}

func (p *parser) attack(n *yaml.Node, field string) []string {
	ids := p.strs(n, field, false)
	for i, id := range ids {
		if !techRe.MatchString(id) {
			p.fail(n, fmt.Sprintf("%s[%d]", field, i), "%q is not an ATT&CK technique id (T1234 or T1234.001)", id)
		}
	}
	return ids
}

func (p *parser) file_(doc *yaml.Node) *File {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		p.fail(doc, "", "the file is empty")
		return nil
	}
	p.at = doc.Content[0]
	m := p.fields(doc.Content[0], "", "analyzer", "doc", "attack", "checks")
	if m == nil {
		return nil
	}
	f := &File{Name: p.file}
	f.Analyzer = p.str(m["analyzer"], "analyzer", true)
	if f.Analyzer != "" && !nameRe.MatchString(f.Analyzer) {
		p.fail(m["analyzer"], "analyzer", "%q: use lower-case letters, digits and dashes", f.Analyzer)
	}
	f.Doc = p.str(m["doc"], "doc", p.standalone)
	f.Attack = p.attack(m["attack"], "attack")
	cs := m["checks"]
	if cs == nil || cs.Kind != yaml.SequenceNode || len(cs.Content) == 0 {
		p.fail(cs, "checks", "want a list of at least one check")
		return f
	}
	rules := map[string]bool{}
	for i, n := range cs.Content {
		c := p.check(n, fmt.Sprintf("checks[%d]", i), f.Analyzer)
		p.at = doc.Content[0]
		if c == nil {
			continue
		}
		if rules[c.Rule] {
			p.fail(n, fmt.Sprintf("checks[%d].rule", i), "%q is used by an earlier check", c.Rule)
		}
		rules[c.Rule] = true
		for _, id := range c.Attack {
			if !contains(f.Attack, id) {
				f.Attack = append(f.Attack, id)
			}
		}
		f.Checks = append(f.Checks, c)
	}
	return f
}

func (p *parser) check(n *yaml.Node, where, analyzer string) *Check {
	p.at = n
	m := p.fields(n, where, "rule", "keys", "wow64", "values", "data", "defaults", "fires", "match", "mask", "by_version", "severity", "attack", "title", "detail", "source", "example")
	if m == nil {
		return nil
	}
	c := &Check{line: n.Line, file: p.file}
	c.Rule = p.str(m["rule"], where+".rule", true)
	if c.Rule != "" && (!ruleRe.MatchString(c.Rule) || p.standalone && !strings.HasPrefix(c.Rule, analyzer+".")) {
		p.fail(m["rule"], where+".rule", "%q: want %s.<name> in lower case", c.Rule, analyzer)
	}
	for i, k := range p.strs(m["keys"], where+".keys", true) {
		kp, err := parseKey(k)
		if err != nil {
			p.fail(m["keys"], fmt.Sprintf("%s.keys[%d]", where, i), "%v", err)
			continue
		}
		c.keys = append(c.keys, kp)
		c.Keys = append(c.Keys, k)
	}
	c.Wow64 = p.boolean(m["wow64"], where+".wow64")
	c.Mask = p.boolean(m["mask"], where+".mask")
	c.Values = p.strs(m["values"], where+".values", true)
	for i, v := range c.Values {
		if _, err := path.Match(strings.ToLower(v), ""); err != nil {
			p.fail(m["values"], fmt.Sprintf("%s.values[%d]", where, i), "bad pattern %q", v)
		}
	}
	c.Data = Kind(p.str(m["data"], where+".data", true))
	if c.Data != "" && !contains(kindNames(), string(c.Data)) {
		p.fail(m["data"], where+".data", "%q: want one of %s", c.Data, strings.Join(kindNames(), ", "))
	}
	c.Fires = FiresChanged
	if fn := m["fires"]; fn != nil {
		c.Fires = Fires(p.str(fn, where+".fires", true))
		if c.Fires != FiresChanged && c.Fires != FiresNonZero && c.Fires != FiresZero {
			p.fail(fn, where+".fires", "%q: want changed, nonzero or zero", c.Fires)
		} else if c.Fires != FiresChanged && c.Data != Number {
			p.fail(fn, where+".fires", "%q applies to number data only", c.Fires)
		}
	}
	if sn := m["severity"]; sn == nil {
		p.fail(n, where+".severity", "missing (required)")
	} else if s, err := report.ParseSeverity(p.str(sn, where+".severity", true)); err != nil {
		p.fail(sn, where+".severity", "%v", err)
	} else {
		c.Severity = s
	}
	if mn := m["match"]; mn != nil {
		if c.Data != Number {
			p.fail(mn, where+".match", "applies to number data only")
		} else if m["fires"] != nil {
			p.fail(mn, where+".match", "give match or fires, not both")
		}
		for i, s := range p.strs(mn, where+".match", true) {
			n, err := parseNumber(s)
			if err != nil {
				p.fail(mn, fmt.Sprintf("%s.match[%d]", where, i), "%v", err)
				continue
			}
			c.Match = append(c.Match, n)
		}
	}
	if bn := m["by_version"]; bn != nil {
		if bn.Kind != yaml.SequenceNode {
			p.fail(bn, where+".by_version", "want a list, got %s", yamlsrc.Kind(bn))
		} else {
			for i, n := range bn.Content {
				c.ByVersion = append(c.ByVersion, p.versionSeverity(n, fmt.Sprintf("%s.by_version[%d]", where, i)))
			}
		}
	}
	c.Attack = p.attack(m["attack"], where+".attack")
	c.Source = p.str(m["source"], where+".source", true)
	c.Example = p.str(m["example"], where+".example", false)
	c.title = p.template(m["title"], where+".title")
	c.detail = p.template(m["detail"], where+".detail")
	if dn := m["defaults"]; dn != nil {
		if dn.Kind != yaml.SequenceNode {
			p.fail(dn, where+".defaults", "want a list, got %s", yamlsrc.Kind(dn))
		} else {
			for i, d := range dn.Content {
				c.Defaults = append(c.Defaults, p.defaultOf(d, fmt.Sprintf("%s.defaults[%d]", where, i), c.Data))
			}
		}
	}
	return c
}

func (p *parser) boolean(n *yaml.Node, field string) bool {
	if n == nil {
		return false
	}
	switch n.Value {
	case "true":
		return true
	case "false":
	default:
		p.fail(n, field, "want true or false, got %s", yamlsrc.Kind(n))
	}
	return false
}

func (p *parser) versionSeverity(n *yaml.Node, where string) VersionSeverity {
	parent := p.at
	p.at = n
	defer func() { p.at = parent }()
	m := p.fields(n, where, "versions", "severity", "source")
	if m == nil {
		return VersionSeverity{}
	}
	vs := VersionSeverity{Source: p.str(m["source"], where+".source", true)}
	vs.Versions = p.families(m["versions"], where+".versions", true)
	if name := p.str(m["severity"], where+".severity", true); name != "" {
		s, err := report.ParseSeverity(name)
		if err != nil {
			p.fail(m["severity"], where+".severity", "%v", err)
		}
		vs.Severity = s
	}
	return vs
}

// families reads a list of version family names.
func (p *parser) families(n *yaml.Node, field string, required bool) []analysis.Family {
	var out []analysis.Family
	for i, v := range p.strs(n, field, required) {
		f := analysis.Family(strings.ToLower(v))
		if !hasFamily(families, f) {
			p.fail(n, fmt.Sprintf("%s[%d]", field, i), "%q: want one of %s", v, familyNames())
			continue
		}
		out = append(out, f)
	}
	return out
}

func kindNames() []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

func (p *parser) defaultOf(n *yaml.Node, where string, kind Kind) Default {
	parent := p.at
	p.at = n
	defer func() { p.at = parent }()
	m := p.fields(n, where, "data", "versions", "source")
	if m == nil {
		return Default{}
	}
	d := Default{Data: p.str(m["data"], where+".data", false), Source: p.str(m["source"], where+".source", true)}
	if m["data"] == nil {
		p.fail(n, where+".data", "missing (required; \"\" for an empty value)")
	}
	if kind == Number {
		if _, err := parseNumber(d.Data); err != nil {
			p.fail(m["data"], where+".data", "%v", err)
		}
	}
	d.Versions = p.families(m["versions"], where+".versions", false)
	return d
}

// parseNumber reads a number written in decimal or as 0x hex.
func parseNumber(s string) (uint64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	base := 10
	if h, ok := strings.CutPrefix(t, "0x"); ok {
		t, base = h, 16
	}
	n, err := strconv.ParseUint(t, base, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number (decimal or 0x hex)", s)
	}
	return n, nil
}

// templateFields are what title and detail templates may use.
type templateFields struct {
	Data     string // the item judged (one command of a list)
	Whole    string // the value's whole data as text (a list's every item)
	Value    string // the value name, "(default)" for the unnamed value
	Key      string // the key path
	Whose    string // whose setting it is: "every user", "user alice", ...
	Program  string // the file name of the program or path, when the data names one
	Defaults string // Windows' defaults for this host, "" when none
	Windows  string // the host's Windows version family, "" when unknown
}

func (p *parser) template(n *yaml.Node, field string) *template.Template {
	s := p.str(n, field, true)
	if s == "" {
		return nil
	}
	t, err := template.New(field).Option("missingkey=error").Parse(s)
	if err != nil {
		p.fail(n, field, "bad template: %v", err)
		return nil
	}
	// Execute once on sample fields so that a misspelt field fails here,
	// at load, and not on a host.
	if err := t.Execute(new(bytes.Buffer), templateFields{}); err != nil {
		p.fail(n, field, "bad template: %v", err)
		return nil
	}
	return t
}

// Load reads a check file, or every *.yaml and *.yml file of a folder
// (sorted by name), for scan --rules.
func Load(name string) ([]*File, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, &Error{File: name, Msg: err.Error()}
	}
	if !st.IsDir() {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, &Error{File: name, Msg: err.Error()}
		}
		f, err := Parse(name, b)
		if err != nil {
			return nil, err
		}
		return []*File{f}, nil
	}
	return LoadFS(os.DirFS(name), ".", name)
}

// LoadFS reads every *.yaml and *.yml file of folder dir of fsys; display
// prefixes the file names in errors.
func LoadFS(fsys fs.FS, dir, display string) ([]*File, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, &Error{File: display, Msg: err.Error()}
	}
	var names []string
	for _, e := range entries {
		if ext := strings.ToLower(path.Ext(e.Name())); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, &Error{File: display, Msg: "no .yaml or .yml check files in this folder"}
	}
	var out []*File
	var errs []error
	for _, n := range names {
		b, err := fs.ReadFile(fsys, path.Join(dir, n))
		shown := filepath.Join(display, n)
		if err != nil {
			errs = append(errs, &Error{File: shown, Msg: err.Error()})
			continue
		}
		f, err := Parse(shown, b)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, f)
	}
	return out, errors.Join(errs...)
}
