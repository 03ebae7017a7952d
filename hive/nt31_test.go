package hive_test

import (
	"encoding/binary"
	"os"
	"testing"
	"time"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/internal/corpus"
)

// countCells counts the allocated key and value cells of a hive by walking
// its hive bins, independently of the reader: the reference for a hive no
// peer reads. header is the bytes before a cell's payload.
func countCells(t *testing.T, data []byte, header int) (keys, values int) {
	t.Helper()
	le := binary.LittleEndian
	for bin := hive.BaseBlockSize; bin+32 <= len(data) && string(data[bin:bin+4]) == "hbin"; {
		size := int(le.Uint32(data[bin+8:]))
		if size < 4096 || bin+size > len(data) {
			t.Fatalf("hbin at %#x: size %d", bin, size)
		}
		for c := bin + 32; c+header+2 <= bin+size; {
			n := int(int32(le.Uint32(data[c:])))
			if n < 0 {
				switch string(data[c+header : c+header+2]) {
				case "nk":
					keys++
				case "vk":
					values++
				}
				n = -n
			}
			if n < 8 {
				t.Fatalf("cell at %#x: size %d", c, n)
			}
			c += n
		}
		bin += size
	}
	return keys, values
}

// TestNT31Layout reads the Windows NT 3.1 SOFTWARE hive (regf 1.1, cells with
// an 8-byte header), which reglookup and hivex both refuse: every allocated
// key and value cell is reached from the root, with the data Windows wrote.
func TestNT31Layout(t *testing.T) {
	path := corpus.Path(t, "msuhanov__regf-samples/3.1/SOFTWARE")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := hive.Parse(data, path)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := h.Header.Version(); got != "1.1" {
		t.Errorf("version %s, want 1.1", got)
	}
	if h.Kind() != hive.KindSoftware {
		t.Errorf("kind %v, want SOFTWARE", h.Kind())
	}
	s, err := scanHive(h)
	if err != nil || len(s.Errs) > 0 {
		t.Fatalf("Walk: %v %v", err, s.Errs)
	}
	wantKeys, wantValues := countCells(t, data, 8)
	if s.NumKeys != wantKeys || s.NumValues != wantValues {
		t.Errorf("walk reached %d keys and %d values; the bins hold %d allocated key cells and %d value cells", s.NumKeys, s.NumValues, wantKeys, wantValues)
	}
	k, err := h.Key(`\Classes\.txt`)
	if err != nil {
		t.Fatal(err)
	}
	v, err := k.Value("")
	if err != nil {
		t.Fatal(err)
	}
	if txt, err := v.Text(); err != nil || txt != "txtfile" {
		t.Errorf(`\Classes\.txt default = %q, %v; want "txtfile"`, txt, err)
	}
	if lw := k.LastWrite(); lw.Year() != 1993 || lw.Location() != time.UTC {
		t.Errorf("last write %v, want a 1993 UTC time", lw)
	}
}
