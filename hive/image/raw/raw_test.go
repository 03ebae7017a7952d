package raw

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive/image/internal/readertest"
	"github.com/hivescan/hivescan/internal/corpus"
)

// pattern returns a recognisable raw disk of size bytes, with zero holes.
func pattern(size int) []byte {
	return readertest.Pattern(size, [2]int{2 << 20, 3 << 20}, [2]int{5 << 20, 6<<20 + 512<<10})
}

// compareReads checks r against want, with reads across 1 MiB boundaries.
func compareReads(t *testing.T, r io.ReaderAt, want []byte) {
	t.Helper()
	readertest.CompareReads(t, r, want, 1<<20-3, 2<<20-100)
}

func TestSplitSuffix(t *testing.T) {
	for _, tc := range []struct {
		name, prefix, suffix string
		ok                   bool
	}{
		{"d/x.001", "d/x.", "001", true},
		{"x.raw.000", "x.raw.", "000", true},
		{"img.aa", "img.", "aa", true},
		{"d/xaa", "d/x", "aa", true},
		{"x.E01", "", "", false},
		{"disk.1", "", "", false},
	} {
		p, s, ok := splitSuffix(tc.name)
		if diff := cmp.Diff([]any{tc.prefix, tc.suffix, tc.ok}, []any{p, s, ok}); diff != "" {
			t.Errorf("splitSuffix(%q) (-want +got):\n%s", tc.name, diff)
		}
	}
	for _, tc := range [][2]string{{"001", "002"}, {"009", "010"}, {"aa", "ab"}, {"az", "ba"}, {"AZ", "BA"}} {
		if got, _ := increment(tc[0]); got != tc[1] {
			t.Errorf("increment(%q) = %q, want %q", tc[0], got, tc[1])
		}
	}
	if _, ok := increment("99"); ok {
		t.Error("increment(99) did not report overflow")
	}
}

func TestSingle(t *testing.T) {
	dir := t.TempDir()
	want := pattern(3<<20 + 1000)
	name := filepath.Join(dir, "disk.dd")
	if err := os.WriteFile(name, want, 0o444); err != nil {
		t.Fatal(err)
	}
	r, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Size() != int64(len(want)) {
		t.Fatalf("Size = %d, want %d", r.Size(), len(want))
	}
	compareReads(t, r, want)
	if r.BytesRead() == 0 {
		t.Error("BytesRead = 0 after reads")
	}
	if IsSplit(name) {
		t.Error("IsSplit(disk.dd) = true")
	}
}

func TestSplit(t *testing.T) {
	splitTool := corpus.RequireTool(t, "split")
	want := pattern(8 << 20)
	for _, tc := range []struct {
		args  []string
		first string
		n     int
	}{
		{[]string{"-b", "1000000", "-d", "-a", "3", "--numeric-suffixes=1"}, "img.001", 9},
		{[]string{"-b", "3000000"}, "img.aa", 3},
		{[]string{"-b", "1048576", "-d"}, "img.00", 8},
	} {
		t.Run(tc.first, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "src")
			if err := os.WriteFile(src, want, 0o644); err != nil {
				t.Fatal(err)
			}
			args := append(tc.args, src, filepath.Join(dir, "img."))
			if out, err := exec.Command(splitTool, args...).CombinedOutput(); err != nil {
				t.Fatalf("split: %v\n%s", err, out)
			}
			first := filepath.Join(dir, tc.first)
			if !IsSplit(first) {
				t.Fatalf("IsSplit(%s) = false", tc.first)
			}
			r, err := OpenSplit(first)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if len(r.Segments) != tc.n {
				t.Fatalf("found %d segments, want %d: %v", len(r.Segments), tc.n, r.Segments)
			}
			compareReads(t, r, want)
		})
	}
}

func TestNegativeOffset(t *testing.T) {
	r := NewReader(bytes.NewReader([]byte("abc")), 3)
	if _, err := r.ReadAt(make([]byte, 1), -1); err == nil {
		t.Error("ReadAt(-1) succeeded")
	}
}

func TestShrunkSegment(t *testing.T) {
	r := NewReader(bytes.NewReader([]byte("abc")), 10)
	n, err := r.ReadAt(make([]byte, 5), 0)
	if n != 3 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("ReadAt = %d, %v; want 3, ErrUnexpectedEOF", n, err)
	}
}

func BenchmarkRead(b *testing.B) {
	name := filepath.Join(b.TempDir(), "disk.dd")
	if err := os.WriteFile(name, pattern(8<<20), 0o644); err != nil {
		b.Fatal(err)
	}
	r, err := Open(name)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	readertest.BenchReads(b, r, r.Size())
}
