// Package archive reads triage collections as they arrive: .zip (KAPE,
// Velociraptor's offline collector, CyLR), .tar, .tar.gz and .7z, each as
// an io/fs.FS read in place. Nothing is extracted to disk.
//
// Member names are cleaned with CleanName, so that the path encodings of
// collection tools all give the same tree. Members that climb out of the
// archive, repeat an earlier name or exceed the size limits are not offered
// and are listed in Archive.Skipped with the reason.
//
// Memory stays bounded: zip, 7z and plain tar members are streamed from the
// archive file; a .tar.gz has no random access, so a member of one is
// decompressed into memory when it is read past its first 512 bytes (the
// first 512 bytes of every member are kept from the one pass that lists the
// archive, so that telling hives from other files costs nothing). No member
// is read past the size it declares, and none above Options.MaxMemberSize
// is offered.
package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// Formats an archive can have.
const (
	Zip      = "zip"
	Tar      = "tar"
	TarGzip  = "tar.gz"
	SevenZip = "7z"
)

// ErrNotArchive is returned by Open and New for data of no format this
// package reads.
var ErrNotArchive = errors.New("not a zip, tar, tar.gz or 7z archive")

// ErrTooLarge is wrapped by reads of members above Options.MaxMemberSize and
// archives above Options.MaxTotalSize.
var ErrTooLarge = errors.New("archive member larger than the size limit")

// Options bound what an archive may cost.
type Options struct {
	// MaxMembers bounds the members listed (default 1,000,000); the rest
	// are skipped.
	MaxMembers int
	// MaxMemberSize bounds the declared size of a member (default 4 GiB,
	// hive.DefaultMaxSize); larger members are skipped.
	MaxMemberSize int64
	// MaxTotalSize bounds the sum of the members' sizes, and for a
	// .tar.gz the bytes decompressed by one pass (default 256 GiB).
	MaxTotalSize int64
}

func (o Options) withDefaults() Options {
	if o.MaxMembers <= 0 {
		o.MaxMembers = 1_000_000
	}
	if o.MaxMemberSize <= 0 {
		o.MaxMemberSize = 4 << 30
	}
	if o.MaxTotalSize <= 0 {
		o.MaxTotalSize = 256 << 30
	}
	return o
}

// Skipped is a member the archive's file system does not offer, and why.
type Skipped struct {
	Name   string // as stored in the archive
	Reason string
}

// Archive is an open archive. It implements fs.FS, fs.ReadDirFS and
// fs.StatFS over the cleaned member names, and is safe for concurrent use.
type Archive struct {
	Format  string    // Zip, Tar, TarGzip or SevenZip
	Skipped []Skipped // sorted by name
	files   map[string]*member
	dirs    map[string][]string // folder -> sorted child names
	closer  io.Closer
}

// member is one offered file.
type member struct {
	name string // cleaned
	raw  string
	size int64
	mod  time.Time
	head []byte                        // first bytes, when kept
	open func() (io.ReadCloser, error) // the member's bytes
	at   func() (io.ReaderAt, bool)    // random access, for stored members
}

// Identify returns the format head (the first 512 bytes of a file or more)
// starts with, or "" when it is none this package reads. A gzip stream is
// reported as TarGzip; New finds out whether it holds a tar.
func Identify(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return Zip
	case bytes.HasPrefix(head, []byte("7z\xbc\xaf\x27\x1c")):
		return SevenZip
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return TarGzip
	case isTarHeader(head):
		return Tar
	}
	return ""
}

// isTarHeader checks the ustar magic and the header checksum.
func isTarHeader(b []byte) bool {
	if len(b) < 512 {
		return false
	}
	if string(b[257:262]) != "ustar" {
		return false
	}
	var sum int64
	for i, c := range b[:512] {
		if 148 <= i && i < 156 {
			c = ' '
		}
		sum += int64(c)
	}
	stored := strings.TrimRight(strings.TrimSpace(string(b[148:156])), "\x00 ")
	var v int64
	for _, c := range stored {
		if c < '0' || c > '7' {
			return false
		}
		v = v*8 + int64(c-'0')
	}
	return v == sum
}

// Open opens the archive file name. Close it when done.
func Open(name string, opts Options) (*Archive, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	a, err := New(f, st.Size(), opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	a.closer = f
	return a, nil
}

// New reads the archive in r, of size bytes. r must stay readable until the
// archive is no longer used; Close does not close it.
func New(r io.ReaderAt, size int64, opts Options) (a *Archive, err error) {
	opts = opts.withDefaults()
	head := make([]byte, 512)
	n, err := r.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			a, err = nil, fmt.Errorf("archive: malformed (%v)", p)
		}
	}()
	b := &builder{opts: opts, files: map[string]*member{}}
	switch Identify(head[:n]) {
	case Zip:
		err = b.zip(r, size)
	case SevenZip:
		err = b.sevenZip(r, size)
	case TarGzip:
		err = b.tarGzip(r, size)
	case Tar:
		err = b.tar(r, size)
	default:
		return nil, ErrNotArchive
	}
	if err != nil {
		return nil, err
	}
	return b.finish(), nil
}

// builder collects members while an archive is listed.
type builder struct {
	opts    Options
	format  string
	files   map[string]*member
	skipped []Skipped
	total   int64
	count   int
}

// add offers a member unless a limit or its name forbids it; it reports
// whether the member was taken.
func (b *builder) add(m *member) bool {
	name, ok := CleanName(m.raw)
	switch {
	case !ok:
		b.skip(m.raw, "name leaves the archive or is empty")
	case m.size < 0:
		b.skip(m.raw, "negative size")
	case m.size > b.opts.MaxMemberSize:
		b.skip(m.raw, fmt.Sprintf("%d bytes: larger than the member size limit (%d)", m.size, b.opts.MaxMemberSize))
	case b.count >= b.opts.MaxMembers:
		b.skip(m.raw, fmt.Sprintf("more than %d members", b.opts.MaxMembers))
	case b.total+m.size > b.opts.MaxTotalSize:
		b.skip(m.raw, fmt.Sprintf("members add up to more than the size limit (%d bytes)", b.opts.MaxTotalSize))
	case b.files[name] != nil:
		b.skip(m.raw, "same path as "+b.files[name].raw)
	default:
		m.name = name
		b.files[name] = m
		b.count++
		b.total += m.size
		return true
	}
	return false
}

func (b *builder) skip(raw, reason string) {
	if len(b.skipped) < 1000 {
		b.skipped = append(b.skipped, Skipped{Name: raw, Reason: reason})
	}
}

func (b *builder) finish() *Archive {
	a := &Archive{Format: b.format, files: b.files, dirs: map[string][]string{".": nil}, Skipped: b.skipped}
	children := map[string]map[string]bool{".": {}}
	for name := range b.files {
		for p := name; p != "."; {
			dir := path.Dir(p)
			if children[dir] == nil {
				children[dir] = map[string]bool{}
			}
			if children[dir][path.Base(p)] {
				break
			}
			children[dir][path.Base(p)] = true
			p = dir
		}
	}
	for dir, set := range children {
		if _, isFile := b.files[dir]; isFile && dir != "." {
			continue // a file and a folder of one name: the file wins
		}
		names := make([]string, 0, len(set))
		for n := range set {
			names = append(names, n)
		}
		sort.Strings(names)
		a.dirs[dir] = names
	}
	sort.Slice(a.Skipped, func(i, j int) bool { return a.Skipped[i].Name < a.Skipped[j].Name })
	return a
}

// Close releases the archive file when the archive was opened with Open.
func (a *Archive) Close() error {
	if a.closer != nil {
		return a.closer.Close()
	}
	return nil
}

// RawName returns the name the archive stores for the cleaned name, or
// name itself when it is no member.
func (a *Archive) RawName(name string) string {
	if m := a.files[name]; m != nil {
		return m.raw
	}
	return name
}

// Len returns the number of members offered.
func (a *Archive) Len() int { return len(a.files) }

// ReaderAt returns random access to a member stored uncompressed (a zip
// member stored without compression, a member of a plain tar), for example a
// disk image; ok is false for other members.
func (a *Archive) ReaderAt(name string) (r io.ReaderAt, size int64, ok bool) {
	m := a.files[name]
	if m == nil || m.at == nil {
		return nil, 0, false
	}
	r, ok = m.at()
	return r, m.size, ok
}

// Open opens a member or folder.
func (a *Archive) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if m := a.files[name]; m != nil {
		return &file{m: m}, nil
	}
	if names, ok := a.dirs[name]; ok {
		return &dir{a: a, name: name, names: names}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// Stat describes a member or folder.
func (a *Archive) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	if m := a.files[name]; m != nil {
		return info{m: m}, nil
	}
	if _, ok := a.dirs[name]; ok {
		return dirInfo(path.Base(name)), nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// ReadDir lists a folder, sorted by name.
func (a *Archive) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	names, ok := a.dirs[name]
	if !ok {
		if a.files[name] != nil {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a folder")}
		}
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	out := make([]fs.DirEntry, 0, len(names))
	for _, n := range names {
		p := path.Join(name, n)
		if m := a.files[p]; m != nil {
			out = append(out, fs.FileInfoToDirEntry(info{m: m}))
		} else {
			out = append(out, fs.FileInfoToDirEntry(dirInfo(n)))
		}
	}
	return out, nil
}

var (
	_ fs.ReadDirFS = (*Archive)(nil)
	_ fs.StatFS    = (*Archive)(nil)
)

// file is an open member. Reads within the kept head are served from it;
// the member's stream is opened on the first read past it.
type file struct {
	m   *member
	off int64
	rc  io.ReadCloser
	err error
}

func (f *file) Stat() (fs.FileInfo, error) { return info{m: f.m}, nil }

func (f *file) Read(p []byte) (int, error) {
	if f.off >= f.m.size {
		return 0, io.EOF
	}
	if f.rc == nil && f.off < int64(len(f.m.head)) {
		n := copy(p, f.m.head[f.off:])
		f.off += int64(n)
		return n, nil
	}
	if f.err != nil {
		return 0, f.err
	}
	if f.rc == nil {
		rc, err := f.m.open()
		if err != nil {
			f.err = fmt.Errorf("%s: %w", f.m.raw, err)
			return 0, f.err
		}
		if _, err := io.CopyN(io.Discard, rc, f.off); err != nil {
			rc.Close()
			f.err = fmt.Errorf("%s: %w", f.m.raw, err)
			return 0, f.err
		}
		f.rc = rc
	}
	if rest := f.m.size - f.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := f.rc.Read(p)
	f.off += int64(n)
	if err == nil && f.off == f.m.size {
		// The declared size is reached: the stream must end here, and
		// ending lets zip check the CRC.
		var probe [1]byte
		k, perr := f.rc.Read(probe[:])
		for i := 0; k == 0 && perr == nil && i < 100; i++ {
			k, perr = f.rc.Read(probe[:])
		}
		switch {
		case k > 0:
			err = fmt.Errorf("%s: more data than the %d bytes its header declares", f.m.raw, f.m.size)
		case perr != io.EOF:
			err = fmt.Errorf("%s: %w", f.m.raw, perr)
		}
	}
	if err == io.EOF && f.off < f.m.size {
		err = fmt.Errorf("%s: %w after %d of %d bytes", f.m.raw, io.ErrUnexpectedEOF, f.off, f.m.size)
	}
	if err != nil && err != io.EOF {
		f.err = err
	}
	return n, err
}

func (f *file) Close() error {
	if f.rc != nil {
		return f.rc.Close()
	}
	return nil
}

type info struct{ m *member }

func (i info) Name() string       { return path.Base(i.m.name) }
func (i info) Size() int64        { return i.m.size }
func (i info) Mode() fs.FileMode  { return 0o444 }
func (i info) ModTime() time.Time { return i.m.mod }
func (i info) IsDir() bool        { return false }
func (i info) Sys() any           { return nil }

type dirInfo string

func (d dirInfo) Name() string       { return string(d) }
func (d dirInfo) Size() int64        { return 0 }
func (d dirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o555 }
func (d dirInfo) ModTime() time.Time { return time.Time{} }
func (d dirInfo) IsDir() bool        { return true }
func (d dirInfo) Sys() any           { return nil }

// dir is an open folder.
type dir struct {
	a     *Archive
	name  string
	names []string
	read  int
}

func (d *dir) Stat() (fs.FileInfo, error) { return dirInfo(path.Base(d.name)), nil }
func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a folder")}
}
func (d *dir) Close() error { return nil }

func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	all, err := d.a.ReadDir(d.name)
	if err != nil {
		return nil, err
	}
	rest := all[d.read:]
	if n <= 0 {
		d.read = len(all)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if n > len(rest) {
		n = len(rest)
	}
	d.read += n
	return rest[:n], nil
}
