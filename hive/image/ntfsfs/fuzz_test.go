package ntfsfs

import (
	"bytes"
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
	})
}
