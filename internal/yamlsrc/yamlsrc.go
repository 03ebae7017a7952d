// Package yamlsrc holds what the readers of hand-written YAML files (check
// files, allowlists) share, so that every mistake in such a file is an
// Error naming the file, the line and the field, in one shape.
package yamlsrc

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error is a mistake in a file: "FILE:LINE: FIELD: message", leaving out
// the field (a mistake of the whole file) and the line (a file that could
// not be read at all) when they are not known.
type Error struct {
	File  string
	Line  int    // 1-based; 0 when the file could not be read at all
	Field string // the field at fault ("checks[2].severity"), "" for the file
	Msg   string
}

func (e *Error) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	case e.Field == "":
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
}

// SyntaxError turns the YAML decoder's error ("yaml: line 3: ...") for the
// file name into an Error at that line (line 1 when the decoder names none).
func SyntaxError(name string, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, tail, ok := strings.Cut(rest, ":"); ok {
			if l, err := strconv.Atoi(n); err == nil {
				line, msg = l, strings.TrimSpace(tail)
			}
		}
	}
	return &Error{File: name, Line: line, Msg: "not valid YAML: " + msg}
}

// Kind describes n for an error message: "a mapping", "a list", a scalar
// quoted, or "nothing".
func Kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

// Fail records a mistake at node n (its line) in field.
type Fail func(n *yaml.Node, field, format string, args ...any)

// Fields returns the values of mapping n by key. A key not in allowed, a key
// given twice and an n that is not a mapping (then the result is nil) are
// mistakes, told to fail with the field named Join(where, key).
func Fields(n *yaml.Node, where string, fail Fail, allowed ...string) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		fail(n, where, "want a mapping of fields, got %s", Kind(n))
		return nil
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		field := Join(where, k.Value)
		switch {
		case !slices.Contains(allowed, k.Value):
			fail(k, field, "unknown field (known: %s)", strings.Join(allowed, ", "))
		case out[k.Value] != nil:
			fail(k, field, "given twice")
		default:
			out[k.Value] = v
		}
	}
	return out
}

// Join names field inside where: "checks[2]" and "severity" give
// "checks[2].severity"; an empty where gives field.
func Join(where, field string) string {
	if where == "" {
		return field
	}
	return where + "." + field
}
