package raw

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/internal/corpus"
)

// pattern returns size bytes where each 512-byte sector starts with its
// number, with zero holes so that sparse formats have something to skip.
func pattern(size int) []byte {
	b := make([]byte, size)
	for s := 0; s*512 < size; s++ {
		off := s * 512
		if off >= 2<<20 && off < 3<<20 || off >= 5<<20 && off < 6<<20+512<<10 {
			continue
		}
		for i := off; i+8 <= off+512 && i+8 <= size; i += 8 {
			binary.LittleEndian.PutUint64(b[i:], uint64(s)<<16|uint64(i-off))
		}
	}
	return b
}

func compareReads(t *testing.T, r io.ReaderAt, want []byte) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	size := int64(len(want))
	check := func(off int64, n int) {
		t.Helper()
		got := make([]byte, n)
		m, err := r.ReadAt(got, off)
		wantN := n
		if off+int64(n) > size {
			wantN = max(0, int(size-off))
		}
		if m != wantN {
			t.Fatalf("ReadAt(%d, %d) = %d, %v; want %d", off, n, m, err, wantN)
		}
		if wantN < n && err != io.EOF {
			t.Fatalf("ReadAt(%d, %d) past end: err = %v, want io.EOF", off, n, err)
		}
		if wantN == n && err != nil {
			t.Fatalf("ReadAt(%d, %d): %v", off, n, err)
		}
		if m > 0 && !bytes.Equal(got[:m], want[off:off+int64(m)]) {
			t.Fatalf("ReadAt(%d, %d): content differs", off, n)
		}
	}
	for i := 0; i < 300; i++ {
		check(rng.Int64N(size), 1+rng.IntN(200000))
	}
	for _, off := range []int64{0, 511, 1<<20 - 3, 2<<20 - 100, size - 1, size - 4096, size, size + 10} {
		check(off, 8192)
	}
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
	benchReads(b, r)
}

func benchReads(b *testing.B, r interface {
	io.ReaderAt
	Size() int64
}) {
	buf := make([]byte, 4096)
	blocks := r.Size() / 4096
	b.Run("seq4k", func(b *testing.B) {
		b.SetBytes(4096)
		for i := 0; b.Loop(); i++ {
			if _, err := r.ReadAt(buf, int64(i)%blocks*4096); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rand4k", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(3, 4))
		b.SetBytes(4096)
		for b.Loop() {
			if _, err := r.ReadAt(buf, rng.Int64N(blocks)*4096); err != nil {
				b.Fatal(err)
			}
		}
	})
}
