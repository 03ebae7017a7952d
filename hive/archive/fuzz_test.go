package archive_test

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"testing"

	"github.com/hivescan/hivescan/hive/archive"
)

// FuzzNew lists and reads every member of mutated archives of each format:
// no panic, no read past the limits.
func FuzzNew(f *testing.F) {
	f.Add(buildZip(f, collection, zip.Deflate))
	f.Add(buildZip(f, collection, zip.Store))
	f.Add(buildTar(f, collection))
	f.Add(gzipped(f, buildTar(f, collection)))
	f.Fuzz(func(t *testing.T, b []byte) {
		opts := archive.Options{MaxMembers: 100, MaxMemberSize: 1 << 20, MaxTotalSize: 4 << 20}
		a, err := archive.New(bytes.NewReader(b), int64(len(b)), opts)
		if err != nil {
			return
		}
		fs.WalkDir(a, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			f, err := a.Open(p)
			if err != nil {
				return nil
			}
			defer f.Close()
			n, _ := io.Copy(io.Discard, f)
			if n > opts.MaxMemberSize {
				t.Fatalf("%s: read %d bytes", p, n)
			}
			return nil
		})
	})
}
