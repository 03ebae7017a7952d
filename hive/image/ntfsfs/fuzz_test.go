package ntfsfs

import (
	"bytes"
	"context"
	"encoding/binary"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// FuzzNew opens an NTFS volume from bytes and reads everything in it: it
// must fail with errors, never panic or print.
func FuzzNew(f *testing.F) {
	if mkntfs, err := exec.LookPath("mkntfs"); err == nil {
		p := filepath.Join(f.TempDir(), "v.raw")
		if err := os.WriteFile(p, make([]byte, 2<<20), 0o644); err != nil {
			f.Fatal(err)
		}
		if out, err := exec.Command(mkntfs, "-F", "-Q", "-q", p).CombinedOutput(); err == nil {
			b, _ := os.ReadFile(p)
			f.Add(b)
		} else {
			f.Logf("mkntfs: %v %s", err, out)
		}
	}
	f.Add(make([]byte, 4096))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := New(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		n := 0
		fs.WalkDir(v, ".", func(p string, d fs.DirEntry, err error) error {
			if n++; n > 10000 {
				return fs.SkipAll
			}
			if err == nil && !d.IsDir() {
				fi, err := d.Info()
				if err == nil && fi.Size() < 1<<20 {
					v.ReadFile(p)
				}
			}
			return nil
		})
		n = 0
		v.Walk(context.Background(), func(Entry) error {
			if n++; n > 10000 {
				return fs.SkipAll
			}
			return nil
		})
	})
}

// FuzzParseRawRecord decodes mutated MFT records: errors, never panics.
func FuzzParseRawRecord(f *testing.F) {
	rec := make([]byte, 1024)
	copy(rec, "FILE")
	binary.LittleEndian.PutUint16(rec[4:], 0x30)
	binary.LittleEndian.PutUint16(rec[6:], 3)
	binary.LittleEndian.PutUint16(rec[0x14:], 0x38)
	binary.LittleEndian.PutUint32(rec[0x38:], 0xFFFFFFFF)
	f.Add(rec)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseRawRecord(b)
		if err == nil && len(r.names) > maxNames {
			t.Fatalf("%d names", len(r.names))
		}
	})
}
