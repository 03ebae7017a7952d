package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/report"
)

// dump --format bodyfile writes one line per key; mactime reads it back
// and lists every key that dump --format jsonl lists, at its last write.
func TestDumpBodyfileMactime(t *testing.T) {
	mactime := corpus.RequireTool(t, "mactime")
	hivePath := evidence + "/fake-smss-bootexecute/Windows/System32/config/SYSTEM"
	code, body, stderr := runCLI(t, "dump", "--format", "bodyfile", hivePath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, jsonl, _ := runCLI(t, "dump", "--format", "jsonl", hivePath)
	var want []string
	sc := bufio.NewScanner(strings.NewReader(jsonl))
	for sc.Scan() {
		var rec struct {
			Type, Path string
			LastWrite  time.Time `json:"last_write"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Type == "key" {
			want = append(want, rec.LastWrite.UTC().Format("2006-01-02T15:04:05")+" "+report.RegistryPath("SYSTEM", "", "", strings.Trim(rec.Path, `\`)))
		}
	}
	path := filepath.Join(t.TempDir(), "system.body")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(mactime, "-b", path, "-y", "-d", "1970-01-02")
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("mactime: %v", err)
	}
	records, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rec := range records[1:] {
		got = append(got, rec[0][:19]+" "+rec[7])
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(want) < 20 || !slices.Equal(got, want) {
		t.Errorf("mactime lists %d keys, dump %d:\ngot  %q\nwant %q", len(got), len(want), got, want)
	}
	if !strings.Contains(body, "|HKLM\\SYSTEM\\ControlSet001\\Control\\Session Manager|") {
		t.Errorf("no Session Manager key line:\n%s", body)
	}
}

func TestDumpBodyfileDeleted(t *testing.T) {
	hivePath := evidence + "/deleted-traces/Windows/System32/config/SYSTEM"
	code, plain, stderr := runCLI(t, "dump", "-f", "bodyfile", hivePath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, withDeleted, stderr := runCLI(t, "dump", "-f", "bodyfile", "--deleted", hivePath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(withDeleted, plain) || !strings.Contains(withDeleted[len(plain):], " (deleted)|") {
		t.Errorf("--deleted should append deleted keys:\n%s", withDeleted[len(plain):])
	}
	if code, _, _ := runCLI(t, "dump", "-f", "xml", hivePath); code != exitUsage {
		t.Errorf("unknown format: exit %d", code)
	}
}
