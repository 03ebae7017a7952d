//go:build unix

package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/imagetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// evidenceCase is a folder built for one way that evidence can hide from a
// scan, and the problem the scan must report for it.
type evidenceCase struct {
	name    string
	build   func(t *testing.T, dir string) // dir is the host folder
	path    string                         // problem path, relative to the evidence folder
	message string                         // substring of the problem message
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

const cleanConfig = evidence + "/clean-host/Windows/System32/config"

var evidenceCases = []evidenceCase{
	{
		// A real SYSTEM hive, made 20 GB by a sparse extension: over the
		// size limit, refused before it is read.
		name: "oversized",
		build: func(t *testing.T, dir string) {
			p := filepath.Join(dir, "Windows/System32/config/SYSTEM")
			copyFile(t, cleanConfig+"/SYSTEM", p)
			if err := os.Truncate(p, 20<<30); err != nil {
				t.Skipf("no sparse 20 GB file here: %v", err)
			}
		},
		path: "host/Windows/System32/config/SYSTEM", message: "21474836480 bytes: hive larger than the size limit",
	},
	{
		name: "fifo",
		build: func(t *testing.T, dir string) {
			copyFile(t, cleanConfig+"/SOFTWARE", filepath.Join(dir, "Windows/System32/config/SOFTWARE"))
			if err := syscall.Mkfifo(filepath.Join(dir, "Windows/System32/config/SYSTEM"), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		path: "host/Windows/System32/config/SYSTEM", message: "a named pipe (FIFO) where a hive would be",
	},
	{
		name: "folder",
		build: func(t *testing.T, dir string) {
			copyFile(t, cleanConfig+"/SOFTWARE", filepath.Join(dir, "Windows/System32/config/SOFTWARE"))
			if err := os.MkdirAll(filepath.Join(dir, "Windows/System32/config/SYSTEM"), 0o755); err != nil {
				t.Fatal(err)
			}
		},
		path: "host/Windows/System32/config/SYSTEM", message: "a folder where a hive would be",
	},
	{
		name: "link-outside",
		build: func(t *testing.T, dir string) {
			copyFile(t, cleanConfig+"/SOFTWARE", filepath.Join(dir, "Windows/System32/config/SOFTWARE"))
			abs, err := filepath.Abs(cleanConfig + "/SYSTEM")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(abs, filepath.Join(dir, "Windows/System32/config/SYSTEM")); err != nil {
				t.Fatal(err)
			}
		},
		path: "host/Windows/System32/config/SYSTEM", message: "outside the evidence folder: not followed",
	},
}

// Each way of hiding a hive from a folder scan gives, in every format, a
// problem record, one problem line on stderr and exit 3 under any
// --fail-on; --problems-ok gives back 0.
func TestProblemsInEveryFormat(t *testing.T) {
	for _, ec := range evidenceCases {
		t.Run(ec.name, func(t *testing.T) {
			root := t.TempDir()
			ev := filepath.Join(root, "ev")
			ec.build(t, filepath.Join(ev, "host"))
			wantPath := filepath.Join(ev, filepath.FromSlash(ec.path))
			for _, format := range []string{"json", "jsonl", "csv", "table"} {
				for _, failOn := range []string{"none", "info", "critical"} {
					code, out, stderr := runCLI(t, "scan", "--format", format, "--fail-on", failOn, ev)
					if code != 3 {
						t.Errorf("%s --fail-on %s: exit %d, want 3 (stderr %q)", format, failOn, code, stderr)
					}
					line := "hivescan: problem: " + wantPath + ": "
					hostLine := "hivescan: problem: [host] " + wantPath + ": "
					if !strings.Contains(stderr, line) && !strings.Contains(stderr, hostLine) || !strings.Contains(stderr, ec.message) {
						t.Errorf("%s: stderr lacks %q ... %q:\n%s", format, line, ec.message, stderr)
					}
					if failOn != "none" {
						continue
					}
					if !hasProblem(t, format, out, wantPath, ec.message) {
						t.Errorf("%s output lacks the problem %s: %s:\n%s", format, wantPath, ec.message, out)
					}
				}
				if code, _, stderr := runCLI(t, "scan", "--format", format, "--problems-ok", ev); code != 0 {
					t.Errorf("%s --problems-ok: exit %d, want 0 (%s)", format, code, stderr)
				}
			}
		})
	}
}

// hasProblem finds a problem record in a report of the given format; an
// empty path matches any.
func hasProblem(t *testing.T, format, out, path, message string) bool {
	t.Helper()
	switch format {
	case "json":
		var r report.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		for _, p := range r.Problems {
			if (path == "" || p.Path == path) && strings.Contains(p.Message, message) {
				return true
			}
		}
	case "jsonl":
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var p struct {
				Type, Path, Message string
			}
			if err := json.Unmarshal([]byte(line), &p); err != nil {
				t.Fatalf("%v: %q", err, line)
			}
			if p.Type == "problem" && (path == "" || p.Path == path) && strings.Contains(p.Message, message) {
				return true
			}
		}
	case "csv":
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, c := range rows[0] {
			col[c] = i
		}
		for _, row := range rows[1:] {
			if row[col["record"]] == "problem" && (path == "" || report.UnescapeCSVCell(row[col["hive"]]) == path) &&
				strings.Contains(report.UnescapeCSVCell(row[col["detail_full"]]), message) {
				return true
			}
		}
	case "table":
		return strings.Contains(out, path+": ") && strings.Contains(out, message)
	}
	return false
}

// A hive refused before reading is listed as not read, never as damaged.
func TestNotReadIsNotBadChecksum(t *testing.T) {
	ev := filepath.Join(t.TempDir(), "ev")
	evidenceCases[0].build(t, filepath.Join(ev, "host"))
	_, out, _ := runCLI(t, "scan", "--format", "json", "--problems-ok", ev)
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Inputs) != 1 || r.Inputs[0].State != report.InputNotRead {
		t.Fatalf("inputs %+v", r.Inputs)
	}
	if strings.Contains(out, `"checksum_ok"`) || strings.Contains(out, `"dirty"`) {
		t.Errorf("an input that was not read states a checksum:\n%s", out)
	}
	_, inv, _ := runCLI(t, "hives", ev)
	if strings.Contains(inv, "bad-checksum") || !strings.Contains(inv, "not-read") {
		t.Errorf("hives:\n%s", inv)
	}
}

// A hive reached through a symbolic link inside the evidence folder is
// scanned, and the input says it was a link; its logs' checksum is not
// claimed either way.
func TestLinkedHiveInsideEvidence(t *testing.T) {
	ev := filepath.Join(t.TempDir(), "ev")
	copyFile(t, cleanConfig+"/SYSTEM", filepath.Join(ev, "store/SYSTEM.hive"))
	cfg := filepath.Join(ev, "host/Windows/System32/config")
	if err := os.MkdirAll(cfg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../../store/SYSTEM.hive", filepath.Join(cfg, "SYSTEM")); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "scan", "--format", "json", ev)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var linked bool
	for _, in := range r.Inputs {
		if strings.HasSuffix(in.Path, "config/SYSTEM") && in.Kind == "SYSTEM" && in.State == report.InputRead {
			for _, n := range in.Notes {
				linked = linked || strings.Contains(n, "symbolic link to store/SYSTEM.hive")
			}
		}
	}
	if !linked {
		t.Errorf("linked SYSTEM not scanned or not noted:\n%s", out)
	}
}

// -o inside a scanned folder, given relative or through a symbolic link,
// is refused before anything is written.
func TestOutputInsideEvidence(t *testing.T) {
	root := t.TempDir()
	ev := filepath.Join(root, "ev")
	copyFile(t, cleanConfig+"/SYSTEM", filepath.Join(ev, "Windows/System32/config/SYSTEM"))
	if err := os.Symlink(ev, filepath.Join(root, "alias")); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	relEv, err := filepath.Rel(wd, ev)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"json", "jsonl", "csv", "table"} {
		for _, tc := range []struct{ out, path string }{
			{filepath.Join(ev, "r."+format), ev},
			{filepath.Join(root, "alias", "Windows", "new", "r."+format), ev},
			{filepath.Join(relEv, "Windows", "..", "r."+format), filepath.Join(root, "alias")},
			{filepath.Join(ev, "Windows/System32/config/SYSTEM"), filepath.Join(ev, "Windows/System32/config/SYSTEM")},
		} {
			code, stdout, stderr := runCLI(t, "scan", "--format", format, "-o", tc.out, tc.path)
			if code != 2 || stdout != "" || !strings.Contains(stderr, "inside the evidence") || !strings.Contains(stderr, "write the report elsewhere") {
				t.Errorf("-o %s %s: exit %d, stdout %q, stderr %q", tc.out, tc.path, code, stdout, stderr)
			}
		}
	}
	var files []string
	filepath.WalkDir(ev, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 1 {
		t.Errorf("the evidence changed: %q", files)
	}
	// Beside the evidence is fine.
	if code, _, stderr := runCLI(t, "scan", "-o", filepath.Join(root, "r.json"), ev); code != 0 {
		t.Errorf("-o beside the evidence: exit %d %s", code, stderr)
	}
}

func TestDumpFolder(t *testing.T) {
	code, _, stderr := runCLI(t, "dump", evidence)
	if code != 2 || !strings.Contains(stderr, "is a folder") || strings.Contains(stderr, "not a registry hive") {
		t.Errorf("exit %d, %q", code, stderr)
	}
}

// A disk image whose user profile folder is named ".." (written into the
// NTFS index with libntfs-3g): its NTUSER.DAT is scanned through the index
// entry, and every format carries the problem naming the trick, with exit 3.
func TestOddNTFSNameInEveryFormat(t *testing.T) {
	files, err := samples.FakeSmssBootExecute().Build()
	if err != nil {
		t.Fatal(err)
	}
	user, err := os.ReadFile(evidence + "/clean-host/Users/alice/NTUSER.DAT")
	if err != nil {
		t.Fatal(err)
	}
	files["Users/%2E%2E/NTUSER.DAT"] = user
	files["Users/eve%2Fadmin/NTUSER.DAT"] = user
	vol := imagetest.NTFS(t, 8<<20, imagetest.Tree{Files: files})
	msgs := []string{
		`a folder named ".." (MFT record `,
		`a folder named "eve/admin" (MFT record `,
	}
	for _, format := range []string{"json", "jsonl", "csv", "table"} {
		code, out, stderr := runCLI(t, "scan", "--format", format, vol)
		if code != 3 {
			t.Errorf("%s: exit %d, want 3 (%s)", format, code, stderr)
		}
		for _, m := range msgs {
			if !strings.Contains(stderr, "hivescan: problem: ") || !strings.Contains(stderr, m) || !strings.Contains(stderr, `inside "Users"`) {
				t.Errorf("%s: stderr lacks %q:\n%s", format, m, stderr)
			}
			if !hasProblem(t, format, out, "", m) {
				t.Errorf("%s output lacks the problem %q:\n%s", format, m, out)
			}
		}
		if strings.Count(stderr, `named ".."`) != 1 {
			t.Errorf("%s: the odd folder is not reported exactly once:\n%s", format, stderr)
		}
	}
	r := scanJSONCode(t, 3, vol)
	var read int
	for _, in := range r.Inputs {
		if in.Kind == "NTUSER" && in.State == report.InputRead {
			for _, n := range in.Notes {
				if strings.Contains(n, `is really named ".."`) || strings.Contains(n, `is really named "eve/admin"`) {
					read++
				}
			}
		}
	}
	if read != 2 {
		t.Errorf("%d hives in odd folders read and noted, want 2: %+v", read, r.Inputs)
	}
}

func scanJSONCode(t *testing.T, want int, path string) report.Report {
	t.Helper()
	code, out, stderr := runCLI(t, "scan", "--format", "json", path)
	if code != want {
		t.Fatalf("scan %s: exit %d, want %d: %s", path, code, want, stderr)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// Transaction logs report their own base block: a valid checksum, a bad
// one, and none at all for a log without a base block.
func TestLogChecksumIsWhatIsTrue(t *testing.T) {
	ev := filepath.Join(t.TempDir(), "ev")
	cfg := filepath.Join(ev, "Windows/System32/config")
	copyFile(t, cleanConfig+"/SYSTEM", filepath.Join(cfg, "SYSTEM"))
	lg, err := hivetest.Build(&hivetest.Key{Name: "ROOT"}, hivetest.Options{FileType: 1})
	if err != nil {
		t.Fatal(err)
	}
	good := lg.Bytes[:4096]
	bad := append([]byte(nil), good...)
	bad[0x30] ^= 1 // inside the checksummed part of the base block
	for name, b := range map[string][]byte{"SYSTEM.LOG1": good, "SYSTEM.LOG2": bad, "SYSTEM.LOG": []byte("old")} {
		if err := os.WriteFile(filepath.Join(cfg, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, out, stderr := runCLI(t, "scan", "--format", "json", "--problems-ok", ev)
	var r struct {
		Inputs []map[string]any `json:"inputs"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	got := map[string]string{}
	for _, in := range r.Inputs {
		got[filepath.Base(in["path"].(string))] = fmt.Sprintf("%v %v", in["state"], in["checksum_ok"])
	}
	want := map[string]string{
		"SYSTEM":      "read true",
		"SYSTEM.LOG1": "read true",
		"SYSTEM.LOG2": "read false",
		"SYSTEM.LOG":  "not-parsed <nil>",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
}
