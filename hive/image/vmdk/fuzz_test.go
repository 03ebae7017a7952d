package vmdk

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/hivescan/hivescan/hive/image/internal/readertest"
)

// seedDisk is 192 KiB with every 7th sector of the first 64 KiB numbered.
func seedDisk() []byte {
	b := make([]byte, 192<<10)
	for s := 0; s < 128; s += 7 {
		b[s*512] = byte(s + 1)
	}
	return b
}

// FuzzOpenVMDK is seeded with sparse and stream-optimized disks made by
// qemu-img in the test (qemu's smallest VMDKs exceed 64 KiB, too large to
// keep under testdata).
func FuzzOpenVMDK(f *testing.F) {
	for _, sub := range []string{"streamOptimized", "monolithicSparse"} {
		b, err := os.ReadFile(readertest.QemuConvert(f, seedDisk(), "vmdk", "-o", "subformat="+sub))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		n := min(r.Size(), 4<<20)
		got, err := io.ReadAll(io.NewSectionReader(r, 0, n))
		if err == nil && int64(len(got)) != n {
			t.Fatalf("read %d of %d bytes without error", len(got), n)
		}
	})
}

func FuzzDescriptor(f *testing.F) {
	f.Add("# Disk DescriptorFile\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\nRW 512 FLAT \"f-flat.vmdk\" 0\nRW 10 ZERO\n")
	f.Add("RW 8 FLAT \"a b\" 128\nparentCID=1234\nparentFileNameHint=\"p.vmdk\"\n")
	f.Fuzz(func(t *testing.T, s string) {
		d := parseDescriptor(s)
		if len(d.extents) > maxExtents {
			t.Fatalf("%d extents", len(d.extents))
		}
		for _, e := range d.extents {
			if e.sectors < 0 || e.offset < 0 {
				t.Fatalf("negative extent field: %+v", e)
			}
		}
	})
}
