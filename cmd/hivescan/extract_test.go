package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive/image"
	"github.com/hivescan/hivescan/internal/imagetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// sampleE01 builds an E01 of a GPT disk holding the fake-smss-bootexecute
// sample host's hives.
func sampleE01(t *testing.T) string {
	t.Helper()
	files, err := samples.FakeSmssBootExecute().Build()
	if err != nil {
		t.Fatal(err)
	}
	vol := imagetest.NTFS(t, 8<<20, imagetest.Tree{Files: files})
	return imagetest.E01(t, imagetest.GPT(t, vol).Path)
}

func scanJSON(t *testing.T, path string) report.Report {
	t.Helper()
	code, out, stderr := runCLI(t, "scan", "--format", "json", path)
	if code != 0 {
		t.Fatalf("scan %s: exit %d: %s", path, code, stderr)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// comparable drops what differs by design between an image and the folder
// extracted from it: the host name and the rendering of hive paths. The
// fingerprint is recomputed with one host name.
func comparable(fs []report.Finding) []report.Finding {
	out := []report.Finding{}
	for _, f := range fs {
		f.Host, f.Hive = "host", ""
		f.Fingerprint = report.Fingerprint(f)
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b report.Finding) int { return strings.Compare(a.Fingerprint, b.Fingerprint) })
	return out
}

func TestExtractThenScan(t *testing.T) {
	e01 := sampleE01(t)
	dir := filepath.Join(t.TempDir(), "hives")
	code, out, stderr := runCLI(t, "extract", e01, "-o", dir)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"disk.E01 (ewf)", "partition 2 (NTFS): 4 files", "wrote 4 hives and 0 logs", "manifest: " + filepath.Join(dir, "manifest.json")} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	var m image.Manifest
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}

	fromImage, fromDir := scanJSON(t, e01), scanJSON(t, dir)
	if len(fromImage.Findings) == 0 {
		t.Fatal("no findings in the image")
	}
	if diff := cmp.Diff(comparable(fromImage.Findings), comparable(fromDir.Findings)); diff != "" {
		t.Errorf("findings (-image +extracted):\n%s", diff)
	}
	// The same bytes: image inputs, extracted files and the manifest agree.
	hashes := func(r report.Report) []string {
		var out []string
		for _, in := range r.Inputs {
			out = append(out, in.Kind+" "+in.SHA256)
		}
		slices.Sort(out)
		return out
	}
	var manifest []string
	for _, f := range m.Files {
		manifest = append(manifest, strings.ToUpper(f.Kind)+" "+f.SHA256)
	}
	slices.Sort(manifest)
	if diff := cmp.Diff(hashes(fromImage), hashes(fromDir)); diff != "" {
		t.Errorf("input hashes (-image +extracted):\n%s", diff)
	}
	if diff := cmp.Diff(hashes(fromImage), manifest); diff != "" {
		t.Errorf("manifest hashes (-scan +manifest):\n%s", diff)
	}

	// A second extraction into the same folder changes nothing.
	before := tree(t, dir)
	code, _, stderr = runCLI(t, "extract", "-o", dir, e01)
	if code != 2 || !strings.Contains(stderr, "not empty") {
		t.Errorf("second extract: exit %d, stderr %q", code, stderr)
	}
	if diff := cmp.Diff(before, tree(t, dir)); diff != "" {
		t.Errorf("second extract changed the folder:\n%s", diff)
	}
}

// tree reads every file below dir.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExtractUsage(t *testing.T) {
	dir := t.TempDir()
	notEmpty := t.TempDir()
	if err := os.WriteFile(filepath.Join(notEmpty, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	hive := evidence + "/clean-host/Windows/System32/config/SYSTEM"
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"no image", []string{"extract", "-o", dir}, "give the IMAGE"},
		{"no output", []string{"extract", "disk.E01"}, "-o DIR"},
		{"two images", []string{"extract", "-o", dir, "a.E01", "b.E01"}, "one IMAGE"},
		{"unknown flag after image", []string{"extract", "a.E01", "--format", "json"}, "flag provided but not defined: -format"},
		{"output without dir", []string{"extract", "a.E01", "-o"}, "flag needs an argument: -o"},
		{"missing image", []string{"extract", "-o", filepath.Join(dir, "out"), "no/such.E01"}, "no/such.E01"},
		{"a hive, not an image", []string{"extract", "-o", filepath.Join(dir, "out2"), hive}, "no NTFS volume"},
		{"output not empty", []string{"extract", "-o", notEmpty, hive}, "not empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.err) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.err)
			}
			if out != "" {
				t.Errorf("stdout %q", out)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed extractions wrote %v", entries)
	}
}

func TestExtractHelp(t *testing.T) {
	code, out, _ := runCLI(t, "extract", "--help")
	if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "manifest.json") {
		t.Errorf("exit %d, help:\n%s", code, out)
	}
	if !strings.Contains(out, "--output DIR, -o DIR") {
		t.Errorf("help lacks the -o flag:\n%s", out)
	}
}
