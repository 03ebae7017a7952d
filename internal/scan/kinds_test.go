package scan

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/report"
)

func writeHive(t *testing.T, path string, root *hivetest.Key, embedded string) *hivetest.Hive {
	t.Helper()
	b, err := hivetest.Build(root, hivetest.Options{FileName: embedded})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return b
}

// A sparse SOFTWARE hive (a few keys, nothing the root-key probes know) at
// its place with its embedded name is analysed as SOFTWARE; the report
// says what decided.
func TestSparseSoftwareAnalysed(t *testing.T) {
	dir := t.TempDir()
	run := &hivetest.Key{Name: "Microsoft", Subkeys: []*hivetest.Key{{Name: "Windows", Subkeys: []*hivetest.Key{{Name: "CurrentVersion", Subkeys: []*hivetest.Key{
		{Name: "Run", Values: []hivetest.Value{hivetest.SZ("Updater", `C:\Users\Public\smss.exe`)}},
	}}}}}}
	writeHive(t, filepath.Join(dir, "Windows/System32/config/SOFTWARE"), &hivetest.Key{Subkeys: []*hivetest.Key{run}}, `\SystemRoot\System32\Config\SOFTWARE`)
	r, err := Run(context.Background(), Options{Paths: []string{dir}, Analyzers: analyzers.All()})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Inputs) != 1 || r.Inputs[0].Kind != "SOFTWARE" || strings.Join(r.Inputs[0].KindBy, ",") != "embedded name,location,file name" {
		t.Fatalf("inputs: %+v", r.Inputs)
	}
	var runkey bool
	for _, f := range r.Findings {
		runkey = runkey || f.Rule != "" && f.Analyzer == "runkeys" && f.Severity >= report.High
	}
	if !runkey {
		t.Errorf("the Run value of the sparse SOFTWARE hive was not reported: %+v", r.Findings)
	}
	for _, p := range r.Problems {
		t.Errorf("problem: %+v", p)
	}
}

// A SOFTWARE hive that cannot be read is still named SOFTWARE, and the
// analyzers that wanted it say they could not run, as problems.
func TestUnreadSoftwareIsAProblem(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Windows/System32/config/SOFTWARE")
	b := writeHive(t, path, &hivetest.Key{Subkeys: []*hivetest.Key{{Name: "Microsoft"}, {Name: "Classes"}}}, `\SystemRoot\System32\Config\SOFTWARE`)
	data := append([]byte(nil), b.Bytes...)
	copy(data[4096+0x20+4:], "xx") // the root cell is no key node any more
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), Options{Paths: []string{dir}, Analyzers: analyzers.All()})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Inputs) != 1 || r.Inputs[0].Kind != "SOFTWARE" {
		t.Fatalf("inputs: %+v", r.Inputs)
	}
	var unread, starved bool
	for _, p := range r.Problems {
		unread = unread || p.Path == path && strings.Contains(p.Message, "root key")
		starved = starved || strings.Contains(p.Message, "analyzers not run") && strings.Contains(p.Message, "for want of a SOFTWARE hive (runkeys") && strings.Contains(p.Message, path+" (SOFTWARE, could not be read)")
	}
	if !unread || !starved {
		t.Errorf("problems (unread %v, starved analyzers %v): %+v", unread, starved, r.Problems)
	}
}

// An UNKNOWN hive is a problem, and --kind settles it.
func TestUnknownHiveAndOverride(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "case/hive1")
	writeHive(t, path, &hivetest.Key{Subkeys: []*hivetest.Key{{Name: "Odd"}}}, "")
	r, err := Run(context.Background(), Options{Paths: []string{path}, Analyzers: analyzers.All()})
	if err != nil {
		t.Fatal(err)
	}
	var undecided bool
	for _, p := range r.Problems {
		undecided = undecided || strings.Contains(p.Message, "hive kind could not be decided") && strings.Contains(p.Message, "root keys Odd")
	}
	if !undecided || r.Inputs[0].Kind != "UNKNOWN" {
		t.Errorf("kind %s, problems %+v", r.Inputs[0].Kind, r.Problems)
	}
	r, err = Run(context.Background(), Options{Paths: []string{path}, Analyzers: analyzers.All(), Kinds: []KindOverride{{Path: path, Kind: hive.KindNTUser}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Inputs[0].Kind != "NTUSER" || strings.Join(r.Inputs[0].KindBy, ",") != "override" || len(r.Problems) != 0 {
		t.Errorf("with --kind: kind %s by %v, problems %+v", r.Inputs[0].Kind, r.Inputs[0].KindBy, r.Problems)
	}
	r, err = Run(context.Background(), Options{Paths: []string{path}, Kinds: []KindOverride{{Path: "elsewhere", Kind: hive.KindNTUser}}})
	if err != nil {
		t.Fatal(err)
	}
	var unused bool
	for _, p := range r.Problems {
		unused = unused || strings.Contains(p.Message, "matched no hive")
	}
	if !unused {
		t.Errorf("an override that matched nothing is not reported: %+v", r.Problems)
	}
}

// Two SYSTEM hives in one flat folder are two machines' hives read as one
// host: the report says so.
func TestCrowdedHostIsAProblem(t *testing.T) {
	dir := t.TempDir()
	sys := &hivetest.Key{Subkeys: []*hivetest.Key{{Name: "ControlSet001"}, {Name: "Select", Values: []hivetest.Value{hivetest.DWORD("Current", 1)}}}}
	writeHive(t, filepath.Join(dir, "SYSTEM-a"), sys, "SYSTEM")
	writeHive(t, filepath.Join(dir, "SYSTEM-b"), sys, "SYSTEM")
	r, err := Run(context.Background(), Options{Paths: []string{dir}, Analyzers: analyzers.All()})
	if err != nil {
		t.Fatal(err)
	}
	var crowded int
	for _, p := range r.Problems {
		if strings.Contains(p.Message, "2 SYSTEM hives in one host folder") {
			crowded++
		}
	}
	if len(r.Hosts) != 1 || crowded != 1 {
		t.Errorf("hosts %d, crowded problems %d: %+v", len(r.Hosts), crowded, r.Problems)
	}
}
