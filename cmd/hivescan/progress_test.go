package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/internal/scan"
)

func TestProgressOnlyOnTerminal(t *testing.T) {
	var buf bytes.Buffer
	if newProgress(&buf, false) != nil {
		t.Error("progress on a buffer")
	}
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if newProgress(f, false) != nil {
		t.Error("progress on a file")
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		if newProgress(tty, true) != nil {
			t.Error("progress under --quiet")
		}
		if newProgress(tty, false) == nil {
			t.Error("no progress on a terminal")
		}
	}
}

// The bar draws on its writer only: a scan's stdout is the report alone.
func TestProgressBar(t *testing.T) {
	var bar bytes.Buffer
	p := &barProgress{w: &bar}
	r, err := scan.Run(context.Background(), scan.Options{Paths: []string{"../../testdata/evidence"}, Jobs: 2, Progress: p})
	if err != nil {
		t.Fatal(err)
	}
	if p.done != len(r.Hosts) || p.total != len(r.Hosts) || !strings.Contains(bar.String(), "hosts") {
		t.Errorf("done %d of %d for %d hosts; drew %q", p.done, p.total, len(r.Hosts), bar.String())
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"hivescan", "scan", "--format", "jsonl", "../../testdata/evidence"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if !strings.HasPrefix(line, "{") {
			t.Errorf("stdout line not a finding: %q", line)
		}
	}
	if strings.Contains(stderr.String(), "hosts") {
		t.Errorf("progress on a captured stderr: %q", stderr.String())
	}
}
