package ewf

import (
	"bytes"
	"encoding/binary"
	"hash/adler32"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// testdata/small.E01 holds 64 KiB (even sectors numbered and partly random,
// odd sectors zero), made by:
//
//	ewfacquire -u -q -t testdata/small -b 16 -c deflate:fast -C seed small.raw
//
// Its media MD5 is 0516c1e06cb21bc1643e4e4a6cfaf09b.
func TestSmallSeed(t *testing.T) {
	r, err := Open(filepath.Join("testdata", "small.E01"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if ok, err := r.Verify(); !ok || err != nil {
		t.Fatalf("Verify = %v, %v", ok, err)
	}
	if got := r.Header.CaseNumber; got != "seed" {
		t.Errorf("case number %q, want seed", got)
	}
}

// fuzzReadLimit bounds how much media one fuzz input reads.
const fuzzReadLimit = 4 << 20

func FuzzOpenEWF(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "small.E01"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed, false)
	f.Add(seed, true)
	if testing.Short() {
		return
	}
	f.Add(acquireSeed(f, "-c", "none", "-f", "encase5"), true)
	f.Fuzz(func(t *testing.T, b []byte, fix bool) {
		if fix {
			fixChecksums(b)
		}
		r, err := NewReader([]io.ReaderAt{bytes.NewReader(b)}, []int64{int64(len(b))})
		if err != nil {
			return
		}
		n := min(r.Size(), fuzzReadLimit)
		got, err := io.ReadAll(io.NewSectionReader(r, 0, n))
		if err == nil && int64(len(got)) != n {
			t.Fatalf("read %d bytes of %d without error", len(got), n)
		}
		buf := make([]byte, 100)
		if m, err := r.ReadAt(buf, r.Size()-10); m > 10 || m == 10 && err != io.EOF {
			t.Fatalf("ReadAt near end = %d, %v", m, err)
		}
	})
}

// fixChecksums recomputes the Adler-32 of the section descriptors and table
// headers of a mutated image, so that the fuzzer reaches past them.
func fixChecksums(b []byte) {
	off := int64(fileHeaderLen)
	for i := 0; i < 1000 && off >= 0 && off+sectionDescLen <= int64(len(b)); i++ {
		d := b[off : off+sectionDescLen]
		binary.LittleEndian.PutUint32(d[72:], adler32.Checksum(d[:72]))
		typ := string(bytes.TrimRight(d[:16], "\x00"))
		if (typ == "table" || typ == "table2") && off+sectionDescLen+24 <= int64(len(b)) {
			h := b[off+sectionDescLen : off+sectionDescLen+24]
			binary.LittleEndian.PutUint32(h[20:], adler32.Checksum(h[:20]))
			n := int64(binary.LittleEndian.Uint32(h))
			if e := off + sectionDescLen + 24; n < 1<<20 && e+4*n+4 <= int64(len(b)) {
				binary.LittleEndian.PutUint32(b[e+4*n:], adler32.Checksum(b[e:e+4*n]))
			}
		}
		next := int64(binary.LittleEndian.Uint64(d[16:]))
		if next <= off {
			return
		}
		off = next
	}
}

// acquireSeed makes a small uncompressed image for the fuzz corpus.
func acquireSeed(f *testing.F, args ...string) []byte {
	f.Helper()
	src := make([]byte, 16<<10)
	for i := range src {
		src[i] = byte(i * 7 / 512)
	}
	b, err := os.ReadFile(acquire(f, src, append(args, "-b", "16")...))
	if err != nil {
		f.Fatal(err)
	}
	return b
}
