package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Every member that the JSON writer produces for the fixture is documented
// in SCHEMA.md, and the documented version is SchemaVersion.
func TestSchemaDocumented(t *testing.T) {
	doc, err := os.ReadFile("SCHEMA.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "schema version "+SchemaVersion+"\n") {
		t.Errorf("SCHEMA.md title does not name schema version %s", SchemaVersion)
	}
	golden, err := os.ReadFile(filepath.Join("testdata", "json.golden"))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(golden, &v); err != nil {
		t.Fatal(err)
	}
	var names []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				names = append(names, k)
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	slices.Sort(names)
	for _, name := range slices.Compact(names) {
		if !strings.Contains(string(doc), "`"+name+"`") {
			t.Errorf("JSON member %q is not documented in SCHEMA.md", name)
		}
	}
}
