package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hivescan/hivescan/hive"
)

// sizedFS serves one file whose Stat reports size, whatever its contents
// (a file that grew or shrank between Stat and Read).
type sizedFS struct {
	data []byte
	size int64
}

func (s sizedFS) Open(string) (fs.File, error) {
	return &sizedFile{Reader: bytes.NewReader(s.data), size: s.size}, nil
}

type sizedFile struct {
	*bytes.Reader
	size int64
}

func (f *sizedFile) Stat() (fs.FileInfo, error) { return sizedInfo(f.size), nil }
func (f *sizedFile) Close() error               { return nil }

type sizedInfo int64

func (i sizedInfo) Name() string       { return "f" }
func (i sizedInfo) Size() int64        { return int64(i) }
func (i sizedInfo) Mode() fs.FileMode  { return 0o444 }
func (i sizedInfo) ModTime() time.Time { return time.Time{} }
func (i sizedInfo) IsDir() bool        { return false }
func (i sizedInfo) Sys() any           { return nil }

func TestReadAll(t *testing.T) {
	content := bytes.Repeat([]byte("regf0123"), 1000)
	want := sha256.Sum256(content)
	for _, tc := range []struct {
		name string
		fsys fs.FS
		max  int64
		err  error
	}{
		{"as stated", fstest.MapFS{"f": {Data: content}}, 0, nil},
		{"grew since Stat", sizedFS{content, 100}, 0, nil},
		{"shrank since Stat", sizedFS{content, int64(len(content)) + 5000}, 0, nil},
		{"empty Stat", sizedFS{content, 0}, 0, nil},
		{"grew past the limit", sizedFS{content, 100}, 4096, hive.ErrTooLarge},
		{"stated above the limit", fstest.MapFS{"f": {Data: content}}, 4096, hive.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, sum, info, err := readAll(tc.fsys, "f", hive.Options{MaxSize: tc.max})
			if tc.err != nil {
				if !errors.Is(err, tc.err) || data != nil || sum != "" || info == nil {
					t.Fatalf("readAll = %d bytes, %q, %v, %v; want nil, no hash, the file's info and %v", len(data), sum, info, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, content) || sum != hex.EncodeToString(want[:]) {
				t.Errorf("readAll = %d bytes, %s; want %d bytes, %x", len(data), sum, len(content), want)
			}
		})
	}
}
