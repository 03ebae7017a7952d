package vhdx

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive/image/internal/readertest"
	"github.com/hivescan/hivescan/internal/corpus"
)

// pattern returns a recognisable raw disk of size bytes, with zero holes
// covering whole 1 MiB blocks.
func pattern(size int) []byte {
	return readertest.Pattern(size, [2]int{2 << 20, 4<<20 + 1024}, [2]int{5 << 20, 6<<20 + 512<<10})
}

// compareReads checks r against want, with reads across 1 MiB block
// boundaries and into and out of the holes.
func compareReads(t *testing.T, r io.ReaderAt, want []byte) {
	t.Helper()
	readertest.CompareReads(t, r, want, 1<<20-100, 2<<20-100, 4<<20-7)
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
			r, err := Open(readertest.QemuConvert(t, want, "vhdx", tc.args...))
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
	r, err := Open(readertest.QemuConvert(t, pattern(8<<20), "vhdx", "-o", "block_size=1M"))
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
	want := readertest.QemuRaw(t, p, "vhdx")
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
	img, err := os.ReadFile(readertest.QemuConvert(t, pattern(4<<20), "vhdx", "-o", "block_size=1M"))
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
	r, err := Open(readertest.QemuConvert(b, pattern(8<<20), "vhdx", "-o", "block_size=1M"))
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	readertest.BenchReads(b, r, r.Size())
}
