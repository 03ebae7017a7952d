package allow

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hivescan/hivescan/internal/yamlsrc"
)

// MaxFileSize bounds an allowlist file; a larger one is refused.
const MaxFileSize = 4 << 20

const dateLayout = "2006-01-02"

// Error is a mistake in an allowlist file: FILE:LINE: FIELD: message.
type Error = yamlsrc.Error

// Load reads the allowlist files, in order, into one List. Every mistake in
// every file is reported (errors.Join of *Error).
func Load(paths []string) (*List, error) {
	l := &List{}
	var errs []error
	for _, p := range paths {
		data, err := readFile(p)
		if err != nil {
			errs = append(errs, &Error{File: p, Msg: err.Error()})
			continue
		}
		f, err := Parse(p, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		l.Entries = append(l.Entries, f.Entries...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return l, nil
}

func readFile(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d bytes: not an allowlist", MaxFileSize)
	}
	return data, nil
}

// fields are the fields of an entry, in the order errors name them.
var fields = []string{"rule", "key", "value", "data", "host", "reason", "expires"}

// Parse reads one allowlist file; name is its place in errors and in
// Entry.File. An empty file is an empty list.
func Parse(name string, data []byte) (*List, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &List{}, nil
		}
		return nil, yamlsrc.SyntaxError(name, err)
	}
	p := &parser{file: name}
	l := p.list(&doc)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return l, nil
}

type parser struct {
	file string
	errs []error
}

func (p *parser) fail(n *yaml.Node, field, format string, args ...any) {
	line := max(n.Line, 1)
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// list reads the document: a mapping whose only field, allow, is a list of
// entries.
func (p *parser) list(doc *yaml.Node) *List {
	l := &List{}
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	before := len(p.errs)
	m := yamlsrc.Fields(root, "", p.fail, "allow")
	entries := m["allow"]
	switch {
	case len(p.errs) > before:
		return l
	case entries == nil:
		p.fail(root, "allow", "missing: the list of entries")
		return l
	case entries.Kind == yaml.ScalarNode && entries.Tag == "!!null":
		return l // "allow:" and nothing yet
	case entries.Kind != yaml.SequenceNode:
		p.fail(entries, "allow", "want a list of entries, got %s", yamlsrc.Kind(entries))
		return l
	}
	for i, n := range entries.Content {
		if e := p.entry(n, fmt.Sprintf("allow[%d]", i)); e != nil {
			l.Entries = append(l.Entries, e)
		}
	}
	return l
}

func (p *parser) entry(n *yaml.Node, where string) *Entry {
	before := len(p.errs)
	m := yamlsrc.Fields(n, where, p.fail, fields...)
	if m == nil {
		return nil
	}
	e := &Entry{File: p.file, Line: n.Line}
	for _, name := range fields {
		v, field := m[name], yamlsrc.Join(where, name)
		if v == nil {
			continue
		}
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			p.fail(v, field, "empty: give a value or leave the field out")
			continue
		}
		if v.Kind != yaml.ScalarNode {
			p.fail(v, field, "want a string, got %s", yamlsrc.Kind(v))
			continue
		}
		switch name {
		case "rule":
			e.rule = p.glob(v, field, false)
		case "key":
			e.key = p.globText(v, field, strings.TrimPrefix(v.Value, `\`), true)
		case "value":
			e.value = p.glob(v, field, true)
		case "host":
			e.host = p.glob(v, field, true)
		case "data":
			e.data = p.data(v, field)
		case "reason":
			e.Reason = strings.TrimSpace(v.Value)
			if e.Reason == "" {
				p.fail(v, field, "empty: say why these findings are known-good")
			}
		case "expires":
			t, err := time.Parse(dateLayout, v.Value)
			if err != nil {
				p.fail(v, field, "want a date YYYY-MM-DD, got %q", v.Value)
			}
			e.Expires = t
		}
	}
	if m["reason"] == nil {
		p.fail(n, where+".reason", "missing: every entry says why its findings are known-good")
	}
	if m["rule"] == nil && m["key"] == nil && m["value"] == nil && m["data"] == nil && m["host"] == nil {
		p.fail(n, where, "give at least one of rule, key, value, data, host: an entry without them would suppress everything")
	}
	if len(p.errs) > before {
		return nil
	}
	return e
}

func (p *parser) glob(v *yaml.Node, field string, fold bool) *matcher {
	return p.globText(v, field, v.Value, fold)
}

func (p *parser) globText(v *yaml.Node, field, text string, fold bool) *matcher {
	re, err := compileGlob(text, fold)
	if err != nil {
		p.fail(v, field, "%v", err)
		return nil
	}
	return &matcher{src: v.Value, re: re}
}

// data reads a data matcher: a glob ignoring case, or re: and a regexp.
func (p *parser) data(v *yaml.Node, field string) *matcher {
	expr, ok := strings.CutPrefix(v.Value, "re:")
	if !ok {
		return p.glob(v, field, true)
	}
	if expr == "" {
		p.fail(v, field, "empty regular expression after re:")
		return nil
	}
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		p.fail(v, field, "bad regular expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		return nil
	}
	return &matcher{src: v.Value, re: re}
}
