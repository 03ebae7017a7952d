package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// stack reads scan output (JSON and JSON lines alike) and lists entries
// rarest first; a JSON report's hosts without findings count too.
func TestStackCommand(t *testing.T) {
	dir := t.TempDir()
	lines := filepath.Join(dir, "a.jsonl")
	scanTo(t, lines, evidence+"/fake-smss-autostarts", evidence+"/deleted-traces")
	doc := filepath.Join(dir, "b.json")
	scanTo(t, doc, evidence+"/clean-host", evidence+"/fake-smss-service")
	code, out, stderr := runCLI(t, "stack", "--format", "json", lines, doc)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Hosts   int
		Entries []struct {
			Count    int
			Location string
			Hosts    []string
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Hosts != 4 || len(res.Entries) == 0 {
		t.Fatalf("%d hosts, %d entries", res.Hosts, len(res.Entries))
	}
	for i, e := range res.Entries {
		if e.Count != len(e.Hosts) || i > 0 && e.Count < res.Entries[i-1].Count {
			t.Errorf("entry %d (%s): count %d, hosts %v: not rarest first", i, e.Location, e.Count, e.Hosts)
		}
	}
	code, out, _ = runCLI(t, "stack", "--max-hosts", "1", "--min-severity", "high", lines)
	if code != 0 || !strings.Contains(out, "rarest first") || strings.Contains(out, " info ") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
	os.WriteFile(filepath.Join(dir, "x"), []byte("nope\n"), 0o644)
	if code, _, _ := runCLI(t, "stack", filepath.Join(dir, "x")); code != exitUsage {
		t.Errorf("bad input: exit %d", code)
	}
	if code, _, _ := runCLI(t, "stack", "--format", "xml", lines); code != exitUsage {
		t.Errorf("bad format: exit %d", code)
	}
}
