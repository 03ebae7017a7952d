package vhdx

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/internal/corpus"
)

// pattern returns size bytes where each 512-byte sector starts with its
// number, with zero holes covering whole 1 MiB blocks.
func pattern(size int) []byte {
	b := make([]byte, size)
	for s := 0; s*512 < size; s++ {
		off := s * 512
		if off >= 2<<20 && off < 4<<20+1024 || off >= 5<<20 && off < 6<<20+512<<10 {
			continue
		}
		for i := off; i+8 <= off+512; i += 8 {
			binary.LittleEndian.PutUint64(b[i:], uint64(s)<<16|uint64(i-off))
		}
	}
	return b
}

func compareReads(t *testing.T, r interface {
	io.ReaderAt
	Size() int64
}, want []byte) {
	t.Helper()
	size := r.Size()
	if size != int64(len(want)) {
		t.Fatalf("Size = %d, want %d", size, len(want))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(off int64, n int) {
		t.Helper()
		got := make([]byte, n)
		m, err := r.ReadAt(got, off)
		wantN := n
		if off+int64(n) > size {
			wantN = max(0, int(size-off))
		}
		if m != wantN || wantN < n && err != io.EOF || wantN == n && err != nil {
			t.Fatalf("ReadAt(%d, %d) = %d, %v; want %d", off, n, m, err, wantN)
		}
		if m > 0 && !bytes.Equal(got[:m], want[off:off+int64(m)]) {
			t.Fatalf("ReadAt(%d, %d): content differs", off, n)
		}
	}
	for i := 0; i < 300; i++ {
		check(rng.Int64N(size), 1+rng.IntN(150000))
	}
	for _, off := range []int64{0, 511, 1<<20 - 100, 2<<20 - 100, 4<<20 - 7, size - 1, size - 4096, size, size + 10} {
		check(off, 8192)
	}
}

func qemuConvert(t testing.TB, src []byte, args ...string) string {
	t.Helper()
	tool := corpus.RequireTool(t, "qemu-img")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "src.raw"), filepath.Join(dir, "out.vhdx")
	if err := os.WriteFile(in, src, 0o644); err != nil {
		t.Fatal(err)
	}
	args = append(append([]string{"convert", "-f", "raw", "-O", "vhdx"}, args...), in, out)
	if b, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img %v: %v\n%s", args, err, b)
	}
	return out
}

func TestQemu(t *testing.T) {
	want := pattern(8 << 20)
	for _, tc := range []struct {
		name  string
		args  []string
		fixed bool
	}{
		{"dynamic-1M", []string{"-o", "block_size=1M"}, false},
		{"dynamic-default", nil, false},
		{"fixed", []string{"-o", "subformat=fixed"}, true},
		{"dynamic-log1M", []string{"-o", "block_size=1M,log_size=1M"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(qemuConvert(t, want, tc.args...))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.Fixed != tc.fixed || r.LogPending {
				t.Errorf("Fixed, LogPending = %v, %v; want %v, false", r.Fixed, r.LogPending, tc.fixed)
			}
			compareReads(t, r, want)
		})
	}
}

func TestSparseReadsLess(t *testing.T) {
	r, err := Open(qemuConvert(t, pattern(8<<20), "-o", "block_size=1M"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	before := r.BytesRead()
	if _, err := io.Copy(io.Discard, io.NewSectionReader(r, 0, r.Size())); err != nil {
		t.Fatal(err)
	}
	if read := r.BytesRead() - before; read > r.Size()-2<<20 {
		t.Errorf("read %d bytes for a %d-byte disk with 2 MiB of empty blocks", read, r.Size())
	}
}

func TestCorpus(t *testing.T) {
	zr, err := zip.OpenReader(corpus.Path(t, "Velocidex__velociraptor/artifacts/testdata/files/test.vhdx.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	dir := t.TempDir()
	p := filepath.Join(dir, "test.vhdx")
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".vhdx") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, io.LimitReader(rc, 64<<20)); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		out.Close()
	}
	raw := filepath.Join(dir, "test.raw")
	if b, err := exec.Command(corpus.RequireTool(t, "qemu-img"), "convert", "-f", "vhdx", "-O", "raw", p, raw).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v\n%s", err, b)
	}
	want, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	compareReads(t, r, want)
	if string(want[512:520]) != "EFI PART" {
		t.Errorf("no GPT header at LBA 1")
	}
}

func TestDamaged(t *testing.T) {
	img, err := os.ReadFile(qemuConvert(t, pattern(4<<20), "-o", "block_size=1M"))
	if err != nil {
		t.Fatal(err)
	}
	open := func(b []byte) (*Reader, error) { return NewReader(bytes.NewReader(b), int64(len(b))) }
	var fe *FormatError
	for _, n := range []int{0, 100, 70 << 10, 200 << 10, 300 << 10} {
		if _, err := open(img[:n]); !errors.As(err, &fe) {
			t.Errorf("cut at %d: Open error = %v, want FormatError", n, err)
		}
	}
	// One damaged header: the other one is used.
	b := bytes.Clone(img)
	b[64<<10+100] ^= 1
	if _, err := open(b); err != nil {
		t.Errorf("header 1 damaged: %v", err)
	}
	b[128<<10+100] ^= 1
	if _, err := open(b); !errors.As(err, &fe) {
		t.Errorf("both headers damaged: Open error = %v, want FormatError", err)
	}
	// Truncated payload: a FormatError on read, not at open.
	r, err := open(img[:len(img)-1<<20])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, io.NewSectionReader(r, 0, r.Size())); !errors.As(err, &fe) {
		t.Errorf("truncated payload: read error = %v, want FormatError", err)
	}
}

func BenchmarkRead(b *testing.B) {
	r, err := Open(qemuConvert(b, pattern(8<<20), "-o", "block_size=1M"))
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
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
