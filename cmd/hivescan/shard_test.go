package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/report"
)

// scanTo runs scan with args writing to a new file and returns its bytes.
func scanTo(t *testing.T, path string, args ...string) []byte {
	t.Helper()
	code, _, stderr := runCLI(t, append([]string{"scan", "-o", path}, args...)...)
	if code != 0 && code != exitFindings && code != exitProblems {
		t.Fatalf("scan %q: exit %d: %s", args, code, stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sansArgs is a JSON report without what a sharded run must differ in:
// the command line, and the bytes read from images (every shard opens every
// image to find its hosts).
func sansArgs(t *testing.T, b []byte) report.Report {
	t.Helper()
	var r report.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	r.Args = nil
	for i := range r.Images {
		r.Images[i].BytesRead = 0
	}
	return r
}

// The shards of a scan cover every host once, and merging them gives the
// unsharded report: the same JSON report apart from the command line, and
// byte-identical JSON lines, whether the parts are JSON or JSON lines.
func TestShardMerge(t *testing.T) {
	for name, where := range map[string]func(t *testing.T) string{
		"samples": func(*testing.T) string { return evidence },
		"corpus":  func(t *testing.T) string { return corpus.Dir(t) },
	} {
		t.Run(name, func(t *testing.T) {
			ev := where(t)
			dir := t.TempDir()
			wholeJSON := scanTo(t, filepath.Join(dir, "whole.json"), ev)
			wholeLines := scanTo(t, filepath.Join(dir, "whole.jsonl"), ev)
			want := sansArgs(t, wholeJSON)
			if len(want.Hosts) < 3 {
				t.Fatalf("only %d hosts: the split says little", len(want.Hosts))
			}
			for _, n := range []int{1, 3, 7} {
				t.Run(fmt.Sprint(n), func(t *testing.T) {
					var jsonParts, lineParts []string
					hosts := 0
					for i := range n {
						shard := fmt.Sprintf("%d/%d", i, n)
						p := filepath.Join(dir, fmt.Sprintf("part-%d-%d.json", i, n))
						part := sansArgs(t, scanTo(t, p, "--shard", shard, ev))
						hosts += len(part.Hosts)
						jsonParts = append(jsonParts, p)
						lp := filepath.Join(dir, fmt.Sprintf("part-%d-%d.jsonl", i, n))
						scanTo(t, lp, "--shard", shard, ev)
						lineParts = append(lineParts, lp)
					}
					if hosts != len(want.Hosts) {
						t.Errorf("shards hold %d hosts, the whole scan %d", hosts, len(want.Hosts))
					}
					merged := filepath.Join(dir, fmt.Sprintf("merged-%d.json", n))
					if code, _, stderr := runCLI(t, append([]string{"merge", "-o", merged}, jsonParts...)...); code != 0 {
						t.Fatalf("merge: exit %d: %s", code, stderr)
					}
					b, _ := os.ReadFile(merged)
					if diff := cmp.Diff(want, sansArgs(t, b)); diff != "" {
						t.Errorf("merged JSON differs from the unsharded run (-whole +merged):\n%s", diff)
					}
					for _, parts := range [][]string{jsonParts, lineParts} {
						code, out, stderr := runCLI(t, append([]string{"merge", "--format", "jsonl"}, parts...)...)
						if code != 0 {
							t.Fatalf("merge: exit %d: %s", code, stderr)
						}
						if out != string(wholeLines) {
							t.Errorf("merged JSON lines (from %s) are not byte-identical to the unsharded run:\n%s", filepath.Ext(parts[0]), cmp.Diff(string(wholeLines), out))
						}
					}
				})
			}
		})
	}
}

// A JSON-lines line without "type" is a finding (schema 1); typed lines
// (schema 2) are findings and problems; other types are not read.
func TestMergeSchemaTolerance(t *testing.T) {
	dir := t.TempDir()
	lines := strings.TrimSpace(string(scanTo(t, filepath.Join(dir, "v1.jsonl"), evidence)))
	var v2 []string
	for _, l := range strings.Split(lines, "\n") {
		v2 = append(v2, `{"type":"finding",`+l[1:])
	}
	v2 = append(v2, `{"type":"problem","host":"h","path":"p","message":"m"}`, `{"type":"summary","hosts":3}`)
	p := filepath.Join(dir, "v2.jsonl")
	os.WriteFile(p, []byte(strings.Join(v2, "\n")+"\n"), 0o644)
	code, out, stderr := runCLI(t, "merge", "--format", "json", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != len(v2)-2 || len(r.Problems) != 1 || r.Problems[0].Message != "m" {
		t.Errorf("%d findings (want %d), problems %+v", len(r.Findings), len(v2)-2, r.Problems)
	}
	code, out, _ = runCLI(t, "merge", "--format", "jsonl", filepath.Join(dir, "v1.jsonl"))
	if code != 0 || strings.TrimSpace(out) != lines {
		t.Errorf("v1 round trip: exit %d, differs: %s", code, cmp.Diff(lines, strings.TrimSpace(out)))
	}
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{\"severity\":\"high\"}\n"), 0o644)
	if code, _, stderr := runCLI(t, "merge", bad); code != exitUsage || !strings.Contains(stderr, "not a hivescan finding") {
		t.Errorf("bad part: exit %d, %s", code, stderr)
	}
	whole := scanTo(t, filepath.Join(dir, "w.json"), evidence)
	os.WriteFile(filepath.Join(dir, "w2.json"), whole, 0o644)
	if code, _, stderr := runCLI(t, "merge", filepath.Join(dir, "w.json"), filepath.Join(dir, "w2.json")); code != exitUsage || !strings.Contains(stderr, "each once") {
		t.Errorf("one part twice: exit %d, %s", code, stderr)
	}
}
