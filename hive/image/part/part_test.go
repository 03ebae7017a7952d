package part

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/internal/corpus"
)

// putEntry writes an MBR/EBR entry into sector s.
func putEntry(s []byte, slot int, status, typ byte, start, count uint32) {
	b := s[446+16*slot:]
	b[0] = status
	b[4] = typ
	binary.LittleEndian.PutUint32(b[8:], start)
	binary.LittleEndian.PutUint32(b[12:], count)
	s[510], s[511] = 0x55, 0xAA
}

func sector(disk []byte, lba int) []byte { return disk[lba*512 : (lba+1)*512] }

func TestReadSynthetic(t *testing.T) {
	const size = 4096 * 512
	tests := []struct {
		name   string
		build  func(d []byte)
		want   *Table
		warned string
	}{
		{
			name:  "empty disk",
			build: func(d []byte) {},
			want:  &Table{Scheme: None, SectorSize: 512},
		},
		{
			name: "NTFS boot sector is not an MBR",
			build: func(d []byte) {
				copy(d[3:], "NTFS    ")
				putEntry(d, 0, 0, 0x07, 1, 10) // boot code bytes that happen to parse
			},
			want: &Table{Scheme: None, SectorSize: 512},
		},
		{
			name: "bad status byte",
			build: func(d []byte) {
				putEntry(d, 0, 0x33, 0x07, 2048, 100)
			},
			want: &Table{Scheme: None, SectorSize: 512},
		},
		{
			name: "primary and logical",
			build: func(d []byte) {
				putEntry(d, 0, 0x80, 0x07, 63, 100)
				putEntry(d, 1, 0, 0x0F, 200, 1000)
				e1 := sector(d, 200)
				putEntry(e1, 0, 0, 0x07, 2, 50)   // at 202
				putEntry(e1, 1, 0, 0x05, 100, 60) // next EBR at 300
				e2 := sector(d, 300)
				putEntry(e2, 0, 0, 0x83, 4, 20) // at 304
			},
			want: &Table{Scheme: MBR, SectorSize: 512, Partitions: []Partition{
				{Index: 1, Start: 63 * 512, Length: 100 * 512, Type: "0x07 NTFS/exFAT"},
				{Index: 5, Start: 202 * 512, Length: 50 * 512, Type: "0x07 NTFS/exFAT"},
				{Index: 6, Start: 304 * 512, Length: 20 * 512, Type: "0x83 Linux"},
			}},
		},
		{
			name: "EBR loop",
			build: func(d []byte) {
				putEntry(d, 0, 0, 0x05, 200, 1000)
				e1 := sector(d, 200)
				putEntry(e1, 0, 0, 0x07, 2, 50)
				putEntry(e1, 1, 0, 0x05, 100, 60)
				e2 := sector(d, 300)
				putEntry(e2, 0, 0, 0x07, 2, 50)
				putEntry(e2, 1, 0, 0x05, 0, 60) // back to the first EBR
			},
			want: &Table{Scheme: MBR, SectorSize: 512, Partitions: []Partition{
				{Index: 5, Start: 202 * 512, Length: 50 * 512, Type: "0x07 NTFS/exFAT"},
				{Index: 6, Start: 302 * 512, Length: 50 * 512, Type: "0x07 NTFS/exFAT"},
			}},
			warned: "loops",
		},
		{
			name: "EBR points at itself",
			build: func(d []byte) {
				putEntry(d, 0, 0, 0x05, 200, 1000)
				e1 := sector(d, 200)
				putEntry(e1, 0, 0, 0x07, 2, 50)
				putEntry(e1, 1, 0, 0x05, 0, 60)
			},
			want: &Table{Scheme: MBR, SectorSize: 512, Partitions: []Partition{
				{Index: 5, Start: 202 * 512, Length: 50 * 512, Type: "0x07 NTFS/exFAT"},
			}},
			warned: "loops",
		},
		{
			name: "partition beyond the disk",
			build: func(d []byte) {
				putEntry(d, 0, 0, 0x07, 63, 100)
				putEntry(d, 1, 0, 0x07, 100000, 100)
			},
			want: &Table{Scheme: MBR, SectorSize: 512, Partitions: []Partition{
				{Index: 1, Start: 63 * 512, Length: 100 * 512, Type: "0x07 NTFS/exFAT"},
			}},
			warned: "beyond the disk end",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := make([]byte, size)
			tt.build(d)
			got, err := Read(bytes.NewReader(d), size)
			if err != nil {
				t.Fatal(err)
			}
			warnings := got.Warnings
			got.Warnings = nil
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Read (-want +got):\n%s", diff)
			}
			if tt.warned == "" && len(warnings) > 0 {
				t.Errorf("unexpected warnings %q", warnings)
			}
			if tt.warned != "" && !strings.Contains(strings.Join(warnings, "\n"), tt.warned) {
				t.Errorf("warnings %q lack %q", warnings, tt.warned)
			}
		})
	}
}

// TestLongEBRChain checks that a chain of distinct EBRs longer than the
// bound is cut.
func TestLongEBRChain(t *testing.T) {
	n := maxLogical + 20
	size := (n*2 + 10) * 512
	d := make([]byte, size)
	putEntry(d, 0, 0, 0x05, 2, uint32(n*2+2))
	for i := 0; i < n; i++ {
		e := sector(d, 2+2*i)
		putEntry(e, 0, 0, 0x07, 1, 1)
		putEntry(e, 1, 0, 0x05, uint32(2*(i+1)), 2)
	}
	got, err := Read(bytes.NewReader(d), int64(size))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Partitions) != maxLogical {
		t.Errorf("got %d partitions, want %d", len(got.Partitions), maxLogical)
	}
	if !strings.Contains(strings.Join(got.Warnings, "\n"), "longer than") {
		t.Errorf("warnings %q", got.Warnings)
	}
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	tool := corpus.RequireTool(t, name)
	cmd := exec.Command(tool, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
}

func runStdin(t *testing.T, stdin, name string, args ...string) {
	t.Helper()
	tool := corpus.RequireTool(t, name)
	cmd := exec.Command(tool, args...)
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
}

func readFile(t *testing.T, path string) *Table {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := Read(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func emptyDisk(t *testing.T, size int64) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "disk.raw")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, size); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSfdisk(t *testing.T) {
	p := emptyDisk(t, 64<<20)
	runStdin(t, "label: dos\nstart=2048, size=20480, type=7\nstart=24576, size=100000, type=5\nstart=26624, size=20480, type=7\nstart=49152, size=8192, type=83\n",
		"sfdisk", "-q", p)
	got := readFile(t, p)
	want := &Table{Scheme: MBR, SectorSize: 512, Partitions: []Partition{
		{Index: 1, Start: 2048 * 512, Length: 20480 * 512, Type: "0x07 NTFS/exFAT"},
		{Index: 5, Start: 26624 * 512, Length: 20480 * 512, Type: "0x07 NTFS/exFAT"},
		{Index: 6, Start: 49152 * 512, Length: 8192 * 512, Type: "0x83 Linux"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSgdisk(t *testing.T) {
	p := emptyDisk(t, 64<<20)
	run(t, "sgdisk", "-n", "1:2048:+1M", "-t", "1:ef00", "-c", "1:EFI system partition",
		"-n", "3:4096:+20M", "-t", "3:0700", "-c", "3:Basic data partition", p)
	want := &Table{Scheme: GPT, SectorSize: 512, Partitions: []Partition{
		{Index: 1, Start: 2048 * 512, Length: 1 << 20, Type: "EFI System", Name: "EFI system partition"},
		{Index: 3, Start: 4096 * 512, Length: 20 << 20, Type: "Basic data", Name: "Basic data partition"},
	}}
	if diff := cmp.Diff(want, readFile(t, p)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// Damage the primary header: the backup must be used, with a warning.
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{0xFF, 0xFF}, 512+30); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, p)
	if len(got.Warnings) == 0 || !strings.Contains(got.Warnings[0], "backup") {
		t.Errorf("warnings %q, want one about the backup", got.Warnings)
	}
	got.Warnings = nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("from backup (-want +got):\n%s", diff)
	}

	// Damage the backup too: an error, which names the CRC.
	st, _ := f.Stat()
	if _, err := f.WriteAt([]byte{0xFF, 0xFF}, st.Size()-512+30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	f, _ = os.Open(p)
	defer f.Close()
	_, err = Read(f, st.Size())
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "CRC32") {
		t.Errorf("Read of a doubly damaged GPT: %v, want a CRC FormatError", err)
	}
}

// buildGPT4K lays out a GPT disk with 4096-byte sectors: header at LBA 1,
// 4 entries at LBA 2, one Basic data partition at LBA 6–9.
func buildGPT4K() []byte {
	const ss = 4096
	d := make([]byte, 16*ss)
	putEntry(d, 0, 0, 0xEE, 1, 15)
	entries := d[2*ss : 2*ss+4*128]
	copy(entries[0:16], []byte{0xA2, 0xA0, 0xD0, 0xEB, 0xE5, 0xB9, 0x33, 0x44, 0x87, 0xC0, 0x68, 0xB6, 0xB7, 0x26, 0x99, 0xC7})
	binary.LittleEndian.PutUint64(entries[32:], 6)
	binary.LittleEndian.PutUint64(entries[40:], 9)
	copy(entries[56:], []byte{'w', 0, 'i', 0, 'n', 0})
	h := d[ss : ss+92]
	copy(h, "EFI PART")
	binary.LittleEndian.PutUint32(h[8:], 0x00010000)
	binary.LittleEndian.PutUint32(h[12:], 92)
	binary.LittleEndian.PutUint64(h[24:], 1)
	binary.LittleEndian.PutUint64(h[32:], 15)
	binary.LittleEndian.PutUint64(h[40:], 6)
	binary.LittleEndian.PutUint64(h[48:], 14)
	binary.LittleEndian.PutUint64(h[72:], 2)
	binary.LittleEndian.PutUint32(h[80:], 4)
	binary.LittleEndian.PutUint32(h[84:], 128)
	binary.LittleEndian.PutUint32(h[88:], crc32.ChecksumIEEE(entries))
	binary.LittleEndian.PutUint32(h[16:], crc32.ChecksumIEEE(h))
	return d
}

func TestGPT4K(t *testing.T) {
	d := buildGPT4K()
	got, err := Read(bytes.NewReader(d), int64(len(d)))
	if err != nil {
		t.Fatal(err)
	}
	want := &Table{Scheme: GPT, SectorSize: 4096, Partitions: []Partition{
		{Index: 1, Start: 6 * 4096, Length: 4 * 4096, Type: "Basic data", Name: "win"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Entry array damaged and no backup: an error, not a silent MBR.
	d[2*4096+40]++
	if _, err := Read(bytes.NewReader(d), int64(len(d))); err == nil {
		t.Error("damaged entry array accepted")
	}
}

func FuzzRead(f *testing.F) {
	f.Add(buildGPT4K())
	d := make([]byte, 64*512)
	putEntry(d, 0, 0x80, 0x07, 1, 10)
	putEntry(d, 1, 0, 0x05, 20, 30)
	putEntry(sector(d, 20), 0, 0, 0x07, 1, 2)
	putEntry(sector(d, 20), 1, 0, 0x05, 5, 2)
	putEntry(sector(d, 25), 0, 0, 0x07, 1, 2)
	putEntry(sector(d, 25), 1, 0, 0x05, 0, 2)
	f.Add(d)
	f.Add(make([]byte, 512))
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		if len(tab.Partitions) > maxLogical+4 && tab.Scheme == MBR {
			t.Errorf("%d MBR partitions", len(tab.Partitions))
		}
		for _, p := range tab.Partitions {
			if p.Start < 0 || p.Start >= int64(len(b)) || p.Length < 0 {
				t.Errorf("partition %+v on a %d-byte disk", p, len(b))
			}
		}
	})
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(io.LimitReader(z, 64<<20))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCorpus(t *testing.T) {
	t.Run("tsk_volume_system", func(t *testing.T) {
		got := readFile(t, corpus.Path(t, "log2timeline__plaso/test_data/tsk_volume_system.raw"))
		if got.Scheme != MBR || len(got.Partitions) != 2 {
			t.Fatalf("got %+v, want MBR with a primary and a logical partition", got)
		}
		if got.Partitions[0].Index != 1 || got.Partitions[1].Index != 5 {
			t.Errorf("indexes %+v", got.Partitions)
		}
		for _, p := range got.Partitions {
			if p.Type != "0x83 Linux" {
				t.Errorf("partition %d type %q", p.Index, p.Type)
			}
		}
		if len(got.Warnings) > 0 {
			t.Errorf("warnings %q", got.Warnings)
		}
	})
	t.Run("gpt-512-3p", func(t *testing.T) {
		d := gunzip(t, corpus.Path(t, "msuhanov__dfir_ntfs/test_data/gpt-512-3p.raw.gz"))
		got, err := Read(bytes.NewReader(d), int64(len(d)))
		if err != nil {
			t.Fatal(err)
		}
		if got.Scheme != GPT || len(got.Partitions) != 3 {
			t.Fatalf("got %+v", got)
		}
		types := map[string]int{}
		for _, p := range got.Partitions {
			types[p.Type]++
		}
		if diff := cmp.Diff(map[string]int{"Linux filesystem": 2, "EFI System": 1}, types); diff != "" {
			t.Errorf("types (-want +got):\n%s", diff)
		}
	})
	t.Run("gpt-512-0p", func(t *testing.T) {
		d := gunzip(t, corpus.Path(t, "msuhanov__dfir_ntfs/test_data/gpt-512-0p.raw.gz"))
		got, err := Read(bytes.NewReader(d), int64(len(d)))
		if err != nil {
			t.Fatal(err)
		}
		if got.Scheme != GPT || len(got.Partitions) != 0 {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("mbr-win-512", func(t *testing.T) {
		f, err := os.Open(corpus.Path(t, "msuhanov__dfir_ntfs/test_data/mbr-win-512.raw.tgz"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		tr := tar.NewReader(f)
		if _, err := tr.Next(); err != nil {
			t.Fatal(err)
		}
		img := filepath.Join(t.TempDir(), "mbr.raw")
		if err := writeSparse(img, tr); err != nil {
			t.Fatal(err)
		}
		got := readFile(t, img)
		if got.Scheme != MBR {
			t.Fatalf("scheme %s", got.Scheme)
		}
		var prim, logical int
		for _, p := range got.Partitions {
			if p.Index <= 4 {
				prim++
			} else {
				logical++
			}
			if !strings.Contains(p.Type, "FAT16") {
				t.Errorf("partition %d type %q", p.Index, p.Type)
			}
		}
		if prim != 3 || logical < 2 {
			t.Errorf("%d primary, %d logical partitions: %+v", prim, logical, got.Partitions)
		}
		t.Logf("%+v", got.Partitions)
	})
}

// writeSparse copies r to a new file, seeking over zero blocks.
func writeSparse(path string, r io.Reader) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	var off int64
	for {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if !bytes.Equal(buf[:n], make([]byte, n)) {
				if _, werr := f.WriteAt(buf[:n], off); werr != nil {
					return werr
				}
			}
			off += int64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return err
		}
	}
	return f.Truncate(off)
}
