package ewf

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/adler32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive/image/internal/readertest"
	"github.com/hivescan/hivescan/internal/corpus"
)

// pattern returns size bytes of a raw disk, partly incompressible, with
// zero holes.
func pattern(size int) []byte {
	return readertest.RandomPattern(size, [2]int{2 << 20, 3 << 20}, [2]int{5 << 20, 6<<20 + 512<<10})
}

// compareReads checks r against want, with reads across the boundaries of
// 32 KiB chunks (ewfacquire's default) and of 64 KiB ones.
func compareReads(t *testing.T, r io.ReaderAt, want []byte) {
	t.Helper()
	readertest.CompareReads(t, r, want, 32<<10-7, 64<<10-7, 1<<20-3, 2<<20-100)
}

// acquire writes src as an EWF image with ewfacquire and returns the path
// of its first segment.
func acquire(t testing.TB, src []byte, args ...string) string {
	t.Helper()
	tool := corpus.RequireTool(t, "ewfacquire")
	dir := t.TempDir()
	in := filepath.Join(dir, "src.raw")
	if err := os.WriteFile(in, src, 0o644); err != nil {
		t.Fatal(err)
	}
	args = append([]string{"-u", "-q", "-t", filepath.Join(dir, "img"), "-C", "case 42", "-e", "Examiner Bob", "-E", "EV-7"}, args...)
	if out, err := exec.Command(tool, append(args, in)...).CombinedOutput(); err != nil {
		t.Fatalf("ewfacquire: %v\n%s", err, out)
	}
	first, _ := filepath.Glob(filepath.Join(dir, "img.[EeSs]01"))
	if len(first) != 1 {
		t.Fatalf("ewfacquire wrote no first segment: %v", first)
	}
	return first[0]
}

func TestAcquired(t *testing.T) {
	want := pattern(8<<20 + 4096) // not a multiple of the chunk size
	sum := md5.Sum(want)
	for _, tc := range []struct {
		name     string
		args     []string
		segments int
	}{
		{"deflate-fast-split", []string{"-c", "deflate:fast", "-S", "1MiB", "-d", "sha1"}, 4},
		{"none-split", []string{"-c", "none", "-S", "3MiB"}, 3},
		{"best-chunk16", []string{"-c", "deflate:best", "-b", "16"}, 1},
		{"empty-block-encase5", []string{"-c", "empty-block", "-f", "encase5", "-S", "2MiB"}, 3},
		{"ewf", []string{"-f", "ewf", "-c", "deflate:fast", "-S", "1MiB"}, 4},
		{"smart", []string{"-f", "smart", "-c", "deflate:fast", "-S", "1MiB"}, 4},
		{"ftk", []string{"-f", "ftk", "-c", "deflate:fast", "-S", "1MiB"}, 4},
		{"encase2", []string{"-f", "encase2", "-c", "deflate:fast", "-S", "1MiB"}, 4},
		{"encase4", []string{"-f", "encase4", "-c", "none", "-S", "1MiB"}, 4},
		{"encase7", []string{"-f", "encase7", "-c", "deflate:best", "-S", "1MiB"}, 4},
		{"linen6", []string{"-f", "linen6", "-c", "deflate:fast", "-S", "1MiB"}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := acquire(t, want, tc.args...)
			r, err := Open(first)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			files, _ := filepath.Glob(first[:len(first)-2] + "*")
			if len(r.Segments) != len(files) || len(files) < tc.segments {
				t.Errorf("opened %d segments, ewfacquire wrote %d, want at least %d", len(r.Segments), len(files), tc.segments)
			}
			if r.Size() != int64(len(want)) {
				t.Fatalf("Size = %d, want %d", r.Size(), len(want))
			}
			if !bytes.Equal(r.MD5, sum[:]) {
				t.Errorf("stored MD5 %x, want %x", r.MD5, sum)
			}
			compareReads(t, r, want)
			ok, err := r.Verify()
			if !ok || err != nil {
				t.Errorf("Verify = %v, %v", ok, err)
			}
			got := []string{r.Header.CaseNumber, r.Header.Examiner, r.Header.EvidenceNumber}
			if diff := cmp.Diff([]string{"case 42", "Examiner Bob", "EV-7"}, got); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSegmentName(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{1, "x.E01"}, {99, "x.E99"}, {100, "x.EAA"}, {101, "x.EAB"}, {126, "x.EBA"}, {775, "x.EZZ"}, {776, "x.FAA"}} {
		if got, _ := SegmentName("x.E01", tc.n); got != tc.want {
			t.Errorf("SegmentName(x.E01, %d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	if got, _ := SegmentName("d/x.e01", 100); got != "d/x.eaa" {
		t.Errorf("lower case: %q", got)
	}
	if _, ok := SegmentName("x.E01", maxSegmentNumber+1); ok {
		t.Error("segment past .ZZZ accepted")
	}
}

// exportRaw extracts the media of an EWF image with ewfexport.
func exportRaw(t *testing.T, first string) []byte {
	t.Helper()
	tool := corpus.RequireTool(t, "ewfexport")
	target := filepath.Join(t.TempDir(), "out")
	if out, err := exec.Command(tool, "-u", "-q", "-f", "raw", "-t", target, first).CombinedOutput(); err != nil {
		t.Fatalf("ewfexport: %v\n%s", err, out)
	}
	b, err := os.ReadFile(target + ".raw")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCorpus(t *testing.T) {
	for _, tc := range []struct {
		path     string
		segments int
	}{
		{"Velocidex__velociraptor/artifacts/testdata/files/partition_image.E01", 1},
		{"Velocidex__go-ewf/test/test.ntfs.dd.E01", 1},
		{"log2timeline__plaso/test_data/image.E01", 1},
		{"log2timeline__plaso/test_data/image-split.E01", 2},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			p := corpus.Path(t, tc.path)
			r, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if len(r.Segments) != tc.segments {
				t.Errorf("%d segments, want %d", len(r.Segments), tc.segments)
			}
			want := exportRaw(t, p)
			compareReads(t, r, want)
			// sleuthkit (through its own libewf binding) agrees.
			cat, err := exec.Command(corpus.RequireTool(t, "img_cat"), "-i", "ewf", p).Output()
			if err != nil {
				t.Fatalf("img_cat: %v", err)
			}
			if !bytes.Equal(cat, want) {
				t.Errorf("img_cat gives %d bytes differing from ewfexport's %d", len(cat), len(want))
			}
			ok, err := r.Verify()
			if !ok || err != nil {
				t.Errorf("Verify = %v, %v", ok, err)
			}
			// ewfverify agrees on the stored MD5.
			out, _ := exec.Command(corpus.RequireTool(t, "ewfinfo"), p).CombinedOutput()
			if !strings.Contains(string(out), hex.EncodeToString(r.MD5)) {
				t.Errorf("ewfinfo does not show MD5 %x:\n%s", r.MD5, out)
			}
		})
	}
}

func TestDamaged(t *testing.T) {
	first := acquire(t, pattern(2<<20), "-c", "deflate:fast")
	img, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	open := func(b []byte) (*Reader, error) {
		return NewReader([]io.ReaderAt{bytes.NewReader(b)}, []int64{int64(len(b))})
	}
	readAll := func(r *Reader) error {
		_, err := io.Copy(io.Discard, io.NewSectionReader(r, 0, r.Size()))
		return err
	}
	var fe *FormatError
	for _, cut := range []int{5, 13, 100, len(img) / 2, len(img) - 200, len(img) - 1} {
		if _, err := open(img[:cut]); !errors.As(err, &fe) {
			t.Errorf("cut at %d: Open error = %v, want FormatError", cut, err)
		}
	}
	tableOff := bytes.Index(img, []byte("table\x00"))
	table2Off := bytes.Index(img, []byte("table2\x00"))
	sectorsOff := bytes.Index(img, []byte("sectors\x00"))
	if tableOff < 0 || table2Off < 0 || sectorsOff < 0 {
		t.Fatal("no table/table2/sectors section in the acquired image")
	}
	// A damaged table entry is repaired from table2.
	b := bytes.Clone(img)
	b[tableOff+76+24+40] ^= 0x55
	r, err := open(b)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := r.Verify(); !ok || err != nil {
		t.Errorf("table damaged, table2 intact: Verify = %v, %v", ok, err)
	}
	// Both damaged: a FormatError on read.
	b[table2Off+76+24+40] ^= 0x55
	if r, err = open(b); err != nil {
		t.Fatal(err)
	}
	if err := readAll(r); !errors.As(err, &fe) {
		t.Errorf("tables damaged: read error = %v, want FormatError", err)
	}
	// Damaged chunk data: zlib or checksum error.
	b = bytes.Clone(img)
	for i := sectorsOff + 200; i < sectorsOff+400; i++ {
		b[i] ^= 0xff
	}
	if r, err = open(b); err != nil {
		t.Fatal(err)
	}
	if err := readAll(r); !errors.As(err, &fe) {
		t.Errorf("chunk damaged: read error = %v, want FormatError", err)
	}
	// Table header damaged: refused at open.
	b = bytes.Clone(img)
	b[tableOff+76] ^= 1
	if _, err := open(b); !errors.As(err, &fe) {
		t.Errorf("table header damaged: Open error = %v, want FormatError", err)
	}
}

func TestMissingSegment(t *testing.T) {
	first := acquire(t, pattern(3<<20), "-c", "none", "-S", "1MiB")
	if err := os.Remove(strings.TrimSuffix(first, "01") + "02"); err != nil {
		t.Fatal(err)
	}
	_, err := Open(first)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "segment 2") {
		t.Errorf("Open = %v, want missing segment 2", err)
	}
}

func BenchmarkRead(b *testing.B) {
	r, err := Open(acquire(b, pattern(8<<20), "-c", "deflate:fast"))
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	readertest.BenchReads(b, r, r.Size())
}

func TestFindTable(t *testing.T) {
	r := &Reader{tables: []tableRef{{first: 0, count: 3}, {first: 3, count: 0}, {first: 3, count: 5}, {first: 8, count: 1}}}
	var got []int
	for idx := int64(0); idx < 9; idx++ {
		got = append(got, r.findTable(idx))
	}
	if diff := cmp.Diff([]int{0, 0, 0, 2, 2, 2, 2, 2, 3}, got); diff != "" {
		t.Errorf("findTable (-want +got):\n%s", diff)
	}
}

// TestAcquisitionErrors splices an error2 section (libewf's layout: count,
// 512 bytes, Adler-32, then first-sector/count pairs and their Adler-32)
// before the done section of an acquired image.
func TestAcquisitionErrors(t *testing.T) {
	img, err := os.ReadFile(acquire(t, pattern(1<<20), "-c", "deflate:fast"))
	if err != nil {
		t.Fatal(err)
	}
	done := bytes.LastIndex(img, []byte("done\x00"))
	if done < 0 {
		t.Fatal("no done section")
	}
	ranges := []SectorRange{{First: 100, Count: 8}, {First: 2000, Count: 1}}
	data := make([]byte, 520)
	binary.LittleEndian.PutUint32(data, uint32(len(ranges)))
	binary.LittleEndian.PutUint32(data[516:], adler32.Checksum(data[:516]))
	var entries []byte
	for _, sr := range ranges {
		entries = binary.LittleEndian.AppendUint32(entries, uint32(sr.First))
		entries = binary.LittleEndian.AppendUint32(entries, uint32(sr.Count))
	}
	data = append(append(data, entries...), binary.LittleEndian.AppendUint32(nil, adler32.Checksum(entries))...)
	desc := func(typ string, size, next int64) []byte {
		d := make([]byte, sectionDescLen)
		copy(d, typ)
		binary.LittleEndian.PutUint64(d[16:], uint64(next))
		binary.LittleEndian.PutUint64(d[24:], uint64(size))
		binary.LittleEndian.PutUint32(d[72:], adler32.Checksum(d[:72]))
		return d
	}
	errSize := int64(sectionDescLen + len(data))
	b := append(bytes.Clone(img[:done]), desc("error2", errSize, int64(done)+errSize)...)
	b = append(b, data...)
	b = append(b, desc("done", 0, int64(len(b)))...)
	r, err := NewReader([]io.ReaderAt{bytes.NewReader(b)}, []int64{int64(len(b))})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ranges, r.AcquisitionErrors); diff != "" {
		t.Errorf("AcquisitionErrors (-want +got):\n%s", diff)
	}
	if ok, err := r.Verify(); !ok || err != nil {
		t.Errorf("Verify = %v, %v", ok, err)
	}
}
