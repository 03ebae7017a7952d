package vhd

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

	"github.com/hivescan/hivescan/internal/corpus"
)

// pattern returns size bytes where each 512-byte sector starts with its
// number, with zero holes so that dynamic disks have unallocated blocks.
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

// compareReads checks random reads of r against want; r may be longer than
// want (qemu rounds VHD sizes up to a CHS geometry): the rest reads as zeros.
func compareReads(t *testing.T, r interface {
	io.ReaderAt
	Size() int64
}, want []byte) {
	t.Helper()
	size := r.Size()
	if size < int64(len(want)) {
		t.Fatalf("Size = %d, want at least %d", size, len(want))
	}
	want = append(want[:len(want):len(want)], make([]byte, size-int64(len(want)))...)
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
	for _, off := range []int64{0, 511, 2<<20 - 100, 3<<20 + 1000, size - 1, size - 4096, size, size + 10} {
		check(off, 8192)
	}
}

func qemuConvert(t testing.TB, src []byte, args ...string) string {
	t.Helper()
	tool := corpus.RequireTool(t, "qemu-img")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "src.raw"), filepath.Join(dir, "out.img")
	if err := os.WriteFile(in, src, 0o644); err != nil {
		t.Fatal(err)
	}
	args = append(append([]string{"convert", "-f", "raw"}, args...), in, out)
	if b, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img %v: %v\n%s", args, err, b)
	}
	return out
}

func TestQemu(t *testing.T) {
	want := pattern(8 << 20)
	for _, tc := range []struct {
		name     string
		args     []string
		diskType uint32
	}{
		{"dynamic", []string{"-O", "vpc"}, TypeDynamic},
		{"fixed", []string{"-O", "vpc", "-o", "subformat=fixed"}, TypeFixed},
		{"dynamic-forcesize", []string{"-O", "vpc", "-o", "force_size=on"}, TypeDynamic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(qemuConvert(t, want, tc.args...))
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
	tool := corpus.RequireTool(t, "qemu-img")
	out := filepath.Join(t.TempDir(), "out.raw")
	if b, err := exec.Command(tool, "convert", "-f", "vpc", "-O", "raw", p, out).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v\n%s", err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
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
	img, err := os.ReadFile(qemuConvert(t, pattern(4<<20), "-O", "vpc"))
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
			r, err := Open(qemuConvert(b, pattern(8<<20), "-O", "vpc", "-o", "subformat="+sub))
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
		})
	}
}
