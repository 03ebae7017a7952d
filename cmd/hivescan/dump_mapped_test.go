package main

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/dump"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/internal/scan"
)

// dump reads a hive of DefaultMapAbove bytes or more through a memory
// mapping: its output is that of the hive read into memory.
func TestDumpMappedHive(t *testing.T) {
	p := corpus.Path(t, "mkorman90__regipy/regipy_tests/data/SYSTEM_WIN_10_1709")
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() < scan.DefaultMapAbove {
		t.Fatalf("%s: %d bytes, not enough to be mapped", p, st.Size())
	}
	h, err := hive.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := dump.Write(context.Background(), &want, h, `\`, "jsonl"); err != nil {
		t.Fatal(err)
	}
	code, got, stderr := runCLI(t, "dump", "--no-logs", "-f", "jsonl", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got != want.String() {
		t.Errorf("mapped dump differs from the hive read into memory (%d against %d bytes)", len(got), want.Len())
	}
}
