package vmdk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive/image/internal/readertest"
	"github.com/hivescan/hivescan/internal/corpus"
)

// pattern returns a recognisable raw disk of size bytes, with zero holes
// spanning whole grains and grain tables.
func pattern(size int) []byte {
	return readertest.Pattern(size, [2]int{2 << 20, 4<<20 + 1024}, [2]int{5 << 20, 6<<20 + 512<<10})
}

// compareReads checks r against want, with reads across 64 KiB grain
// boundaries and into and out of the holes.
func compareReads(t *testing.T, r io.ReaderAt, want []byte) {
	t.Helper()
	readertest.CompareReads(t, r, want, 64<<10-7, 2<<20-100, 4<<20-7)
}

func TestQemu(t *testing.T) {
	want := pattern(8<<20 + 64<<10)
	for _, tc := range []struct {
		subformat, createType string
		descriptor, compr     bool
		files                 int
	}{
		{"monolithicSparse", "monolithicSparse", false, false, 1},
		{"streamOptimized", "streamOptimized", false, true, 1},
		{"monolithicFlat", "monolithicFlat", true, false, 2},
		{"twoGbMaxExtentSparse", "twoGbMaxExtentSparse", true, false, 2},
		{"twoGbMaxExtentFlat", "twoGbMaxExtentFlat", true, false, 2},
	} {
		t.Run(tc.subformat, func(t *testing.T) {
			name := readertest.QemuConvert(t, want, "vmdk", "-o", "subformat="+tc.subformat)
			r, err := Open(name)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.CreateType != tc.createType || r.Descriptor != tc.descriptor || r.Compressed != tc.compr || len(r.Segments) != tc.files {
				t.Errorf("CreateType, Descriptor, Compressed, Segments = %q, %v, %v, %v; want %q, %v, %v, %d files",
					r.CreateType, r.Descriptor, r.Compressed, r.Segments, tc.createType, tc.descriptor, tc.compr, tc.files)
			}
			compareReads(t, r, want)
		})
	}
}

func TestDescriptorExtents(t *testing.T) {
	// A hand-written descriptor: a flat extent at an offset, a zero
	// extent, and a sparse extent, with a space in a file name.
	want := pattern(2 << 20)
	dir := t.TempDir()
	flat := append(bytes.Repeat([]byte{0xaa}, 4096), want[:1<<20]...)
	if err := os.WriteFile(filepath.Join(dir, "part one-flat.vmdk"), flat, 0o644); err != nil {
		t.Fatal(err)
	}
	sparse, err := os.ReadFile(readertest.QemuConvert(t, want[1<<20:], "vmdk"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "s.vmdk"), sparse, 0o644); err != nil {
		t.Fatal(err)
	}
	desc := `# Disk DescriptorFile
version=1
CID=fffffffe
parentCID=ffffffff
createType="custom"

# Extent description
RW 2048 FLAT "part one-flat.vmdk" 8
RW 1000 ZERO
RDONLY 2048 SPARSE "s.vmdk"
`
	name := filepath.Join(dir, "d.vmdk")
	if err := os.WriteFile(name, []byte(desc), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	full := append(append(append([]byte{}, want[:1<<20]...), make([]byte, 1000*512)...), want[1<<20:]...)
	compareReads(t, r, full)
}

func TestCorpus(t *testing.T) {
	p := corpus.Path(t, "log2timeline__plaso/test_data/image.vmdk")
	want := readertest.QemuRaw(t, p, "vmdk")
	r, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	compareReads(t, r, want)
	if want[1024+56] != 0x53 || want[1024+57] != 0xef {
		t.Error("no ext2 superblock magic in the converted image")
	}
}

func TestDifferencing(t *testing.T) {
	base := readertest.QemuConvert(t, pattern(1<<20), "vmdk")
	child := filepath.Join(t.TempDir(), "child.vmdk")
	tool := corpus.RequireTool(t, "qemu-img")
	if b, err := exec.Command(tool, "create", "-f", "vmdk", "-b", base, "-F", "vmdk", child).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img create: %v\n%s", err, b)
	}
	_, err := Open(child)
	if !errors.Is(err, ErrDifferencing) || !strings.Contains(err.Error(), "disk.vmdk") {
		t.Errorf("Open = %v, want ErrDifferencing naming disk.vmdk", err)
	}
}

func TestDamaged(t *testing.T) {
	var fe *FormatError
	open := func(b []byte) (*Reader, error) { return NewReader(bytes.NewReader(b), int64(len(b))) }
	readAll := func(r *Reader) error {
		_, err := io.Copy(io.Discard, io.NewSectionReader(r, 0, r.Size()))
		return err
	}
	for _, sub := range []string{"monolithicSparse", "streamOptimized"} {
		img, err := os.ReadFile(readertest.QemuConvert(t, pattern(4<<20), "vmdk", "-o", "subformat="+sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 100, 600} {
			if _, err := open(img[:n]); !errors.As(err, &fe) {
				t.Errorf("%s cut at %d: Open error = %v, want FormatError", sub, n, err)
			}
		}
		// Truncation: stream-optimized loses its footer (refused at open),
		// monolithic sparse loses grains (FormatError on read).
		r, err := open(img[:len(img)*2/3])
		if err == nil {
			err = readAll(r)
		}
		if !errors.As(err, &fe) {
			t.Errorf("%s truncated: error = %v, want FormatError", sub, err)
		}
		// Grain table entries pointing past the end of the file.
		h := parseSparseHeader(img)
		if h.gdOff == gdAtEnd {
			h = parseSparseHeader(img[len(img)-1024:])
		}
		gt := binary.LittleEndian.Uint32(img[h.gdOff*512:])
		b := bytes.Clone(img)
		for i := 0; i < 16; i++ {
			binary.LittleEndian.PutUint32(b[int(gt)*512+4*i:], 0x7ffffff0)
		}
		if r, err = open(b); err != nil {
			t.Fatal(err)
		}
		if err := readAll(r); !errors.As(err, &fe) {
			t.Errorf("%s GTE past EOF: read error = %v, want FormatError", sub, err)
		}
	}
}

func TestParseExtentLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		want extentLine
	}{
		{`RW 16384 SPARSE "x.vmdk"`, extentLine{access: "RW", sectors: 16384, kind: "SPARSE", file: "x.vmdk"}},
		{`RW 8 FLAT "a b-flat.vmdk" 128`, extentLine{access: "RW", sectors: 8, kind: "FLAT", file: "a b-flat.vmdk", offset: 128}},
		{`RDONLY 100 ZERO`, extentLine{access: "RDONLY", sectors: 100, kind: "ZERO"}},
		{`RW -1 FLAT "x"`, extentLine{}},
		{`RW 8 FLAT x`, extentLine{access: "RW", sectors: 8}},
		{`RW 8 FLAT "x" -5`, extentLine{access: "RW", sectors: 8, file: "x"}},
	} {
		got := parseExtentLine(tc.line, 0)
		if got != tc.want {
			t.Errorf("parseExtentLine(%q) = %+v, want %+v", tc.line, got, tc.want)
		}
	}
}

func BenchmarkRead(b *testing.B) {
	for _, sub := range []string{"monolithicSparse", "streamOptimized"} {
		b.Run(sub, func(b *testing.B) {
			r, err := Open(readertest.QemuConvert(b, pattern(8<<20), "vmdk", "-o", "subformat="+sub))
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			readertest.BenchReads(b, r, r.Size())
		})
	}
}
