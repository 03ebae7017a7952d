// Package readertest holds the test scaffolding shared by the disk-image
// readers below hive/image: recognisable raw disks, a check of a reader
// against the bytes it should give, and conversions with qemu-img.
//
// It imports no hive/image package, so that their internal tests can
// import it.
package readertest

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hivescan/hivescan/internal/corpus"
)

// sector is the sector size the patterns are laid out in.
const sector = 512

// Pattern returns size bytes of a raw disk in which every 512-byte sector
// is filled with little-endian 8-byte words holding the sector number
// shifted left by 16 bits ORed with the word's offset in the sector, so that
// any misplaced read shows. Sectors that start inside one of holes (byte
// ranges [start, end)) stay zero, for sparse formats to leave unallocated.
// A last partial sector gets only the words that fit whole.
func Pattern(size int, holes ...[2]int) []byte {
	b := make([]byte, size)
	for s := 0; s*sector < size; s++ {
		off := s * sector
		if inHole(off, holes) {
			continue
		}
		for i := off; i+8 <= off+sector && i+8 <= size; i += 8 {
			binary.LittleEndian.PutUint64(b[i:], uint64(s)<<16|uint64(i-off))
		}
	}
	return b
}

// RandomPattern returns size bytes of a raw disk in which every 512-byte
// sector starts with its number as a little-endian 8-byte word followed by
// pseudo-random bytes, so that compressing formats meet incompressible
// data; every third sector (0, 3, 6...) is zero after its first 16 bytes,
// so that they meet compressible data too. Sectors that start inside one of
// holes stay zero. The bytes are the same on every call.
func RandomPattern(size int, holes ...[2]int) []byte {
	b := make([]byte, size)
	rng := rand.New(rand.NewPCG(7, 8))
	for s := 0; s*sector < size; s++ {
		off := s * sector
		if inHole(off, holes) {
			continue
		}
		end := min(off+sector, size)
		for i := off; i < end; i++ {
			b[i] = byte(rng.Uint32())
		}
		if s%3 == 0 && off+16 < end {
			clear(b[off+16 : end])
		}
		if off+8 <= end {
			binary.LittleEndian.PutUint64(b[off:], uint64(s))
		}
	}
	return b
}

func inHole(off int, holes [][2]int) bool {
	for _, h := range holes {
		if off >= h[0] && off < h[1] {
			return true
		}
	}
	return false
}

// CompareReads checks that r reads as want. It makes 300 reads of 1 to
// 200,000 bytes at pseudo-random offsets (the same on every call), then
// reads of 8 KiB at 0, 511, each of extraOffsets (meant for the format's
// chunk, grain or block boundaries), and at and past the end. Every read
// must give the bytes of want it covers; one that runs past the end must
// stop there and return io.EOF, one that does not must return no error.
// When r has a Size method, it must return len(want). The first failure
// ends the test.
func CompareReads(t testing.TB, r io.ReaderAt, want []byte, extraOffsets ...int64) {
	t.Helper()
	size := int64(len(want))
	if s, ok := r.(interface{ Size() int64 }); ok && s.Size() != size {
		t.Fatalf("Size = %d, want %d", s.Size(), size)
	}
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
	if size > 0 {
		rng := rand.New(rand.NewPCG(1, 2))
		for range 300 {
			check(rng.Int64N(size), 1+rng.IntN(200000))
		}
	}
	offsets := append([]int64{0, 511}, extraOffsets...)
	for _, off := range append(offsets, size-1, size-4096, size, size+10) {
		if off >= 0 {
			check(off, 8192)
		}
	}
}

// QemuConvert converts the raw disk src with qemu-img to format (as
// qemu-img names it: vpc, vhdx, vmdk...), passing args (such as "-o",
// "subformat=fixed") before the file names, and returns the path of the
// image: disk.<format> in a temporary folder, disk.vhd for vpc. It skips
// t when qemu-img is missing (failing under CI).
func QemuConvert(t testing.TB, src []byte, format string, args ...string) string {
	t.Helper()
	tool := corpus.RequireTool(t, "qemu-img")
	ext := format
	if format == "vpc" {
		ext = "vhd"
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "src.raw"), filepath.Join(dir, "disk."+ext)
	if err := os.WriteFile(in, src, 0o644); err != nil {
		t.Fatal(err)
	}
	args = append(append([]string{"convert", "-f", "raw", "-O", format}, args...), in, out)
	if b, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img %v: %v\n%s", args, err, b)
	}
	return out
}

// QemuRaw returns the disk held in the image at path, of format (as
// qemu-img names it), as qemu-img reads it. It skips t when qemu-img is
// missing (failing under CI).
func QemuRaw(t testing.TB, path, format string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.raw")
	if b, err := exec.Command(corpus.RequireTool(t, "qemu-img"), "convert", "-f", format, "-O", "raw", path, out).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchReads measures 4 KiB reads of r, a disk of size bytes, in two
// sub-benchmarks: seq4k reads the disk in order, rand4k at pseudo-random
// 4 KiB-aligned offsets.
func BenchReads(b *testing.B, r io.ReaderAt, size int64) {
	buf := make([]byte, 4096)
	blocks := size / 4096
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
