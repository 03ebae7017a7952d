package hivetest_test

import (
	"os/exec"
	"strings"
	"testing"
)

// Production code must not import the test builder: only test helpers and
// sample generators may (tests themselves are not listed by .Imports).
func TestOnlyTestsImportHivetest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	const mod = "github.com/hivescan/hivescan/"
	allowed := map[string]bool{
		mod + "analyzers/analysistest": true,
		mod + "internal/samples":       true,
		mod + "internal/samples/gen":   true,
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, mod+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		for _, imp := range f[1:] {
			if imp == mod+"hive/hivetest" && !allowed[f[0]] {
				t.Errorf("%s imports hive/hivetest; production code uses hive/hivewrite", f[0])
			}
		}
	}
	deps, err := exec.Command("go", "list", "-deps", mod+"cmd/hivescan").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, d := range strings.Fields(string(deps)) {
		if d == mod+"hive/hivetest" || strings.HasPrefix(d, mod+"internal/samples") {
			t.Errorf("cmd/hivescan depends on %s", d)
		}
	}
}
