package sigma

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/report"
)

var update = flag.Bool("update", false, "rewrite golden files")

// builtHive builds a hive with embedded name fileName and the given root
// subkeys, and parses it.
func builtHive(t testing.TB, fileName string, subkeys ...*hivetest.Key) *hive.Hive {
	t.Helper()
	b, err := hivetest.Build(&hivetest.Key{Name: "ROOT", Subkeys: subkeys}, hivetest.Options{FileName: fileName})
	if err != nil {
		t.Fatal(err)
	}
	h, err := hive.Parse(b.Bytes, fileName)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// k is a builder key with values and subkeys.
func k(name string, vals []hivetest.Value, subs ...*hivetest.Key) *hivetest.Key {
	return &hivetest.Key{Name: name, Values: vals, Subkeys: subs}
}

// nest nests keys: nest("A", "B", leaf) is A\B\leaf.
func nest(names []string, leaf *hivetest.Key) *hivetest.Key {
	for i := len(names) - 1; i >= 0; i-- {
		leaf = k(names[i], nil, leaf)
	}
	return leaf
}

func vals(v ...hivetest.Value) []hivetest.Value { return v }

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./analyzers/sigma -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", name, diff)
	}
}

// runRules evaluates rules over set and returns the findings.
func runRules(t testing.TB, set *hive.Set, opts Options, rs ...*Rules) []report.Finding {
	t.Helper()
	a := New(rs, opts)
	fs, err := runOne(context.Background(), a, set)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return fs
}

// runOne runs a over set through the analyzers driver and returns its
// findings and its problems joined.
func runOne(ctx context.Context, a *analyzers.Analyzer, set *hive.Set) ([]report.Finding, error) {
	res := analyzers.Run(ctx, set, []*analyzers.Analyzer{a})
	var errs []error
	for _, p := range res.Problems {
		errs = append(errs, errors.New(p.Message))
	}
	return res.Findings, errors.Join(errs...)
}
