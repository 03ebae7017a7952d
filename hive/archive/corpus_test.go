package archive_test

import (
	"io"
	"testing"

	"github.com/hivescan/hivescan/hive/archive"
	"github.com/hivescan/hivescan/internal/corpus"
)

// The corpus's plain tar of a sparse 256 MiB disk: listed, and its boot
// sector read from the head kept at listing, without expanding the disk.
func TestCorpusSparseTar(t *testing.T) {
	a, err := archive.Open(corpus.Path(t, "msuhanov__dfir_ntfs/test_data/mbr-win-512.raw.tgz"), archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	st, err := a.Stat("mbr-win-512.raw")
	if a.Format != archive.Tar || err != nil || st.Size() != 256<<20 {
		t.Fatalf("format %s, %v, %v", a.Format, st, err)
	}
	f, _ := a.Open("mbr-win-512.raw")
	defer f.Close()
	mbr := make([]byte, 512)
	if _, err := io.ReadFull(f, mbr); err != nil || mbr[510] != 0x55 || mbr[511] != 0xAA {
		t.Errorf("boot sector: %v, % x", err, mbr[510:])
	}
	if _, _, ok := a.ReaderAt("mbr-win-512.raw"); ok {
		t.Error("random access to a sparse member")
	}
}

// The corpus's zip of a VHDX (Velociraptor test data).
func TestCorpusZip(t *testing.T) {
	a, err := archive.Open(corpus.Path(t, "Velocidex__velociraptor/artifacts/testdata/files/test.vhdx.zip"), archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	st, err := a.Stat("test.vhdx")
	if a.Format != archive.Zip || err != nil || st.Size() < 1<<20 {
		t.Fatalf("format %s, %v, %v", a.Format, st, err)
	}
	f, _ := a.Open("test.vhdx")
	defer f.Close()
	n, err := io.Copy(io.Discard, f)
	if err != nil || n != st.Size() {
		t.Errorf("read %d of %d: %v", n, st.Size(), err)
	}
}
