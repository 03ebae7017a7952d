package vhd

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/hivescan/hivescan/hive/image/internal/readertest"
	"github.com/hivescan/hivescan/internal/corpus"
)

// pattern returns a recognisable raw disk of size bytes, with zero holes
// so that dynamic disks have unallocated blocks.
func pattern(size int) []byte {
	return readertest.Pattern(size, [2]int{2 << 20, 4<<20 + 1024}, [2]int{5 << 20, 6<<20 + 512<<10})
}

// compareReads checks r against want, with reads across 2 MiB block
// boundaries; r may be longer than want (qemu rounds VHD sizes up to a CHS
// geometry): the rest must read as zeros.
func compareReads(t *testing.T, r *Reader, want []byte) {
	t.Helper()
	if r.Size() < int64(len(want)) {
		t.Fatalf("Size = %d, want at least %d", r.Size(), len(want))
	}
	want = append(want[:len(want):len(want)], make([]byte, r.Size()-int64(len(want)))...)
	readertest.CompareReads(t, r, want, 2<<20-100, 3<<20+1000)
}

func TestQemu(t *testing.T) {
	want := pattern(8 << 20)
	for _, tc := range []struct {
		name     string
		args     []string
		diskType uint32
	}{
		{"dynamic", nil, TypeDynamic},
		{"fixed", []string{"-o", "subformat=fixed"}, TypeFixed},
		{"dynamic-forcesize", []string{"-o", "force_size=on"}, TypeDynamic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(readertest.QemuConvert(t, want, "vpc", tc.args...))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.DiskType != tc.diskType {
				t.Errorf("DiskType = %d, want %d", r.DiskType, tc.diskType)
			}
			compareReads(t, r, want)
			before := r.BytesRead()
			if _, err := io.Copy(io.Discard, io.NewSectionReader(r, 0, r.Size())); err != nil {
				t.Fatal(err)
			}
			if read := r.BytesRead() - before; tc.diskType == TypeDynamic && read > r.Size()-2<<20 {
				t.Errorf("read %d bytes of the file for a %d-byte disk with a 2 MiB hole", read, r.Size())
			}
		})
	}
}

func TestCorpus(t *testing.T) {
	p := corpus.Path(t, "log2timeline__plaso/test_data/image.vhd")
	want := readertest.QemuRaw(t, p, "vpc")
	r, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.DiskType != TypeDynamic {
		t.Errorf("DiskType = %d", r.DiskType)
	}
	if int64(len(want)) > r.Size() {
		want = want[:r.Size()] // qemu's geometry-derived size; the tail is zeros
	}
	compareReads(t, r, want)
}

func TestDamaged(t *testing.T) {
	img, err := os.ReadFile(readertest.QemuConvert(t, pattern(4<<20), "vpc"))
	if err != nil {
		t.Fatal(err)
	}
	open := func(b []byte) (*Reader, error) { return NewReader(bytes.NewReader(b), int64(len(b))) }
	var fe *FormatError
	// Truncation: the footer copy at 0 still opens the disk, but reads of
	// blocks past the end fail cleanly.
	cut := img[:len(img)/2]
	r, err := open(cut)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, io.NewSectionReader(r, 0, r.Size())); !errors.As(err, &fe) {
		t.Errorf("truncated: read error = %v, want FormatError", err)
	}
	for _, n := range []int{0, 100, 600} {
		if _, err := open(img[:n]); !errors.As(err, &fe) {
			t.Errorf("cut at %d: Open error = %v, want FormatError", n, err)
		}
	}
	// A BAT entry pointing past the end of the file.
	hoff := binary.BigEndian.Uint64(img[16:])
	bat := binary.BigEndian.Uint64(img[hoff+16:])
	b := bytes.Clone(img)
	binary.BigEndian.PutUint32(b[bat:], 0x7fffffff)
	if r, err = open(b); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadAt(make([]byte, 512), 0); !errors.As(err, &fe) {
		t.Errorf("BAT past EOF: read error = %v, want FormatError", err)
	}
	// A damaged dynamic header.
	b = bytes.Clone(img)
	b[hoff+30] ^= 0xff
	if _, err := open(b); !errors.As(err, &fe) {
		t.Errorf("damaged header: Open error = %v, want FormatError", err)
	}
}

func BenchmarkRead(b *testing.B) {
	for _, sub := range []string{"dynamic", "fixed"} {
		b.Run(sub, func(b *testing.B) {
			r, err := Open(readertest.QemuConvert(b, pattern(8<<20), "vpc", "-o", "subformat="+sub))
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			readertest.BenchReads(b, r, r.Size())
		})
	}
}
