package yamlsrc

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestError(t *testing.T) {
	for _, tc := range []struct {
		err  Error
		want string
	}{
		{Error{File: "a.yaml", Msg: "no such file"}, "a.yaml: no such file"},
		{Error{File: "a.yaml", Line: 3, Msg: "not valid YAML: x"}, "a.yaml:3: not valid YAML: x"},
		{Error{File: "a.yaml", Line: 3, Field: "allow[0].reason", Msg: "missing"}, "a.yaml:3: allow[0].reason: missing"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestSyntaxError(t *testing.T) {
	var n yaml.Node
	err := yaml.Unmarshal([]byte("a: 1\nb: \"open\n"), &n)
	if err == nil {
		t.Fatal("no YAML error")
	}
	got := SyntaxError("f.yaml", err)
	if got.Line != 2 || !strings.HasPrefix(got.Error(), "f.yaml:2: not valid YAML: ") {
		t.Errorf("SyntaxError = %q (line %d)", got, got.Line)
	}
	if got := SyntaxError("f.yaml", errors.New("yaml: something")); got.Line != 1 || got.Msg != "not valid YAML: something" {
		t.Errorf("without a line: %+v", got)
	}
}

func TestFields(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("a: 1\nb: 2\na: 3\nc: 4\n"), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	fail := func(n *yaml.Node, field, format string, args ...any) {
		got = append(got, field+" "+strings.Fields(format)[0])
	}
	m := Fields(doc.Content[0], "x", fail, "a", "b")
	if m["a"].Value != "1" || m["b"].Value != "2" || len(m) != 2 {
		t.Errorf("fields %v", m)
	}
	if want := []string{"x.a given", "x.c unknown"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("mistakes %q, want %q", got, want)
	}
	got = nil
	if Fields(doc.Content[0].Content[1], "x", fail) != nil || len(got) != 1 {
		t.Errorf("a scalar as a mapping: %q", got)
	}
}
