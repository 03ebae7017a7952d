package ntfsfs

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"time"

	"www.velocidex.com/golang/go-ntfs/parser"
)

type fileInfo struct {
	name  string
	size  int64
	isDir bool
	rec   Record
}

func (fi *fileInfo) Name() string { return fi.name }
func (fi *fileInfo) Size() int64  { return fi.size }
func (fi *fileInfo) Mode() fs.FileMode {
	if fi.isDir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}

// ModTime is the $STANDARD_INFORMATION modification time.
func (fi *fileInfo) ModTime() time.Time { return fi.rec.StandardInformation.Modified }
func (fi *fileInfo) IsDir() bool        { return fi.isDir }

// Sys returns a *Record.
func (fi *fileInfo) Sys() any { return &fi.rec }

type dirEntry struct {
	fs  *FS
	dir string
	d   dirent
}

func (e *dirEntry) Name() string { return e.d.name }
func (e *dirEntry) IsDir() bool  { return e.d.isDir }
func (e *dirEntry) Type() fs.FileMode {
	if e.d.isDir {
		return fs.ModeDir
	}
	return 0
}

func (e *dirEntry) Info() (fs.FileInfo, error) {
	e.fs.mu.Lock()
	defer e.fs.mu.Unlock()
	name := path.Join(e.dir, e.d.name)
	_, fi, err := e.fs.stat("stat", name, e.d)
	if err != nil {
		return nil, err
	}
	if _, odd, err := e.fs.resolve("stat", name); err == nil {
		fi.rec.OddNames = odd
	}
	return fi, nil
}

// File is an open regular file. It implements io.ReaderAt and io.Seeker.
type File struct {
	fs     *FS
	name   string
	info   *fileInfo
	stream parser.RangeReaderAt // nil for a file without data
	size   int64
	off    int64
	closed bool
}

var errClosed = errors.New("file closed")

func (f *File) Stat() (fs.FileInfo, error) { return f.info, nil }

func (f *File) Close() error {
	if f.closed {
		return &fs.PathError{Op: "close", Path: f.name, Err: errClosed}
	}
	f.closed = true
	return nil
}

func (f *File) Read(p []byte) (int, error) {
	n, err := f.ReadAt(p, f.off)
	f.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// ReadAt reads the unnamed data stream; it returns io.EOF at the end.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if f.closed {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: errClosed}
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: fs.ErrInvalid}
	}
	if off >= f.size {
		return 0, io.EOF
	}
	want := len(p)
	if rest := f.size - off; int64(want) > rest {
		want = int(rest)
	}
	var n int
	f.fs.mu.Lock()
	err := guard("read "+f.name, func() error {
		for n < want {
			m, err := f.stream.ReadAt(p[n:want], off+int64(n))
			n += m
			if m == 0 || (err != nil && err != io.EOF) {
				if err == nil || err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return err
			}
		}
		return nil
	})
	f.fs.mu.Unlock()
	if err != nil {
		return n, &fs.PathError{Op: "read", Path: f.name, Err: err}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *File) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += f.size
	default:
		return 0, &fs.PathError{Op: "seek", Path: f.name, Err: fs.ErrInvalid}
	}
	if offset < 0 {
		return 0, &fs.PathError{Op: "seek", Path: f.name, Err: fs.ErrInvalid}
	}
	f.off = offset
	return offset, nil
}

type dir struct {
	fs      *FS
	name    string
	info    *fileInfo
	rec     uint64
	entries []fs.DirEntry
	read    bool
	closed  bool
}

func (d *dir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}
func (d *dir) Close() error {
	if d.closed {
		return &fs.PathError{Op: "close", Path: d.name, Err: errClosed}
	}
	d.closed = true
	return nil
}

func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		d.fs.mu.Lock()
		list, err := d.fs.listDir(d.rec)
		d.fs.mu.Unlock()
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: d.name, Err: err}
		}
		for _, e := range list {
			d.entries = append(d.entries, &dirEntry{fs: d.fs, dir: d.name, d: e})
		}
		d.read = true
	}
	if n <= 0 {
		out := d.entries
		d.entries = nil
		return out, nil
	}
	if len(d.entries) == 0 {
		return nil, io.EOF
	}
	if n > len(d.entries) {
		n = len(d.entries)
	}
	out := d.entries[:n:n]
	d.entries = d.entries[n:]
	return out, nil
}
