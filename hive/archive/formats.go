package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/bodgit/sevenzip"
	"github.com/klauspost/compress/gzip"
)

func (b *builder) zip(r io.ReaderAt, size int64) error {
	b.format = Zip
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return fmt.Errorf("zip: %w", err)
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || !f.Mode().IsRegular() {
			continue
		}
		if f.UncompressedSize64 > 1<<62 {
			b.skip(f.Name, "impossible size")
			continue
		}
		f := f
		m := &member{raw: f.Name, size: int64(f.UncompressedSize64), mod: f.Modified.UTC(),
			open: func() (io.ReadCloser, error) { return f.Open() }}
		if f.Method == zip.Store {
			m.at = func() (io.ReaderAt, bool) {
				off, err := f.DataOffset()
				if err != nil {
					return nil, false
				}
				return io.NewSectionReader(r, off, int64(f.UncompressedSize64)), true
			}
		}
		if f.Flags&0x1 != 0 {
			b.skip(f.Name, "encrypted")
			continue
		}
		b.add(m)
	}
	return nil
}

func (b *builder) sevenZip(r io.ReaderAt, size int64) error {
	b.format = SevenZip
	zr, err := sevenzip.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("7z: %w", err)
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || !f.Mode().IsRegular() {
			continue
		}
		if f.UncompressedSize > 1<<62 {
			b.skip(f.Name, "impossible size")
			continue
		}
		f := f
		b.add(&member{raw: f.Name, size: int64(f.UncompressedSize), mod: f.Modified.UTC(), open: func() (rc io.ReadCloser, err error) {
			defer func() {
				if p := recover(); p != nil {
					rc, err = nil, fmt.Errorf("7z: malformed (%v)", p)
				}
			}()
			rc, err = f.Open()
			if err != nil {
				return nil, err
			}
			return &safeReader{rc: rc}, nil
		}})
	}
	return nil
}

// safeReader turns a panic of a decompressor into an error.
type safeReader struct{ rc io.ReadCloser }

func (s *safeReader) Read(p []byte) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("malformed compressed data (%v)", r)
		}
	}()
	return s.rc.Read(p)
}

func (s *safeReader) Close() error { return s.rc.Close() }

// tar lists a plain tar. Members are read through their offsets in the file,
// except sparse ones, which are streamed through a tar reader.
func (b *builder) tar(r io.ReaderAt, size int64) error {
	b.format = Tar
	sr := io.NewSectionReader(r, 0, size)
	st := &tarStream{open: func() (io.Reader, func(), error) { return io.NewSectionReader(r, 0, size), func() {}, nil }, limit: b.opts.MaxTotalSize}
	tr := tar.NewReader(sr)
	for idx := 0; ; idx++ {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if idx == 0 {
				return fmt.Errorf("tar: %w", err)
			}
			b.skip("(after the last member read)", "tar: "+err.Error())
			return nil
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeGNUSparse {
			continue
		}
		off, _ := sr.Seek(0, io.SeekCurrent)
		m := &member{raw: h.Name, size: h.Size, mod: h.ModTime.UTC()}
		if sparse := h.Typeflag == tar.TypeGNUSparse || h.PAXRecords["GNU.sparse.major"] != "" || h.PAXRecords["GNU.sparse.map"] != ""; sparse {
			idx := idx
			m.open = func() (io.ReadCloser, error) { return st.member(idx, m.size) }
			// Keep the head, so that telling what the member is does not
			// expand it whole.
			head := make([]byte, min(512, m.size))
			k, _ := io.ReadFull(tr, head)
			m.head = head[:k]
		} else {
			m.open = func() (io.ReadCloser, error) { return io.NopCloser(io.NewSectionReader(r, off, m.size)), nil }
			m.at = func() (io.ReaderAt, bool) { return io.NewSectionReader(r, off, m.size), true }
		}
		b.add(m)
	}
}

// maxHeads bounds the memory kept for the heads of .tar.gz members.
const maxHeads = 64 << 20

// tarGzip lists a gzip-compressed tar in one pass, keeping each member's
// first 512 bytes.
func (b *builder) tarGzip(r io.ReaderAt, size int64) error {
	b.format = TarGzip
	st := &tarStream{open: func() (io.Reader, func(), error) {
		zr, err := gzip.NewReader(io.NewSectionReader(r, 0, size))
		if err != nil {
			return nil, nil, err
		}
		return zr, func() { zr.Close() }, nil
	}, limit: b.opts.MaxTotalSize}
	zr, err := gzip.NewReader(io.NewSectionReader(r, 0, size))
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	defer zr.Close()
	lim := &limitedReader{r: zr, n: b.opts.MaxTotalSize}
	first := make([]byte, 512)
	n, err := io.ReadFull(lim, first)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("gzip: %w", err)
	}
	if !isTarHeader(first[:n]) {
		return fmt.Errorf("a gzip stream that holds no tar: %w", ErrNotArchive)
	}
	tr := tar.NewReader(io.MultiReader(bytes.NewReader(first[:n]), lim))
	heads := 0
	for idx := 0; ; idx++ {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			b.skip("(after the last member read)", "tar.gz: "+err.Error())
			return nil
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeGNUSparse {
			continue
		}
		m := &member{raw: h.Name, size: h.Size, mod: h.ModTime.UTC()}
		idx := idx
		m.open = func() (io.ReadCloser, error) { return st.member(idx, m.size) }
		if !b.add(m) {
			continue
		}
		if heads < maxHeads {
			head := make([]byte, min(512, m.size))
			k, err := io.ReadFull(tr, head)
			if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
				b.skip("(after "+h.Name+")", "tar.gz: "+err.Error())
				return nil
			}
			m.head = head[:k]
			heads += k
		}
	}
}

// limitedReader fails, rather than ends, past n bytes.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, fmt.Errorf("decompressed past %w", ErrTooLarge)
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// tarStream reads members of a tar that can only be read in order. It keeps
// one reader and moves it forward, starting again from the beginning when
// an earlier member is asked for. A member is read whole into memory, so
// that several members can be open at once.
type tarStream struct {
	mu    sync.Mutex
	open  func() (io.Reader, func(), error)
	limit int64
	tr    *tar.Reader
	done  func()
	next  int // index of the header tr.Next returns next
}

func (s *tarStream) member(idx int, size int64) (io.ReadCloser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tr == nil || s.next > idx {
		if s.done != nil {
			s.done()
		}
		r, done, err := s.open()
		if err != nil {
			s.tr = nil
			return nil, err
		}
		s.tr, s.done, s.next = tar.NewReader(&limitedReader{r: r, n: s.limit}), done, 0
	}
	for s.next <= idx {
		if _, err := s.tr.Next(); err != nil {
			s.tr = nil
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		s.next++
	}
	data := make([]byte, 0, min(size, 64<<20))
	buf := bytes.NewBuffer(data)
	n, err := io.Copy(buf, io.LimitReader(s.tr, size+1))
	if err != nil {
		s.tr = nil
		return nil, err
	}
	if n != size {
		return nil, fmt.Errorf("member holds %d bytes, its header says %d", n, size)
	}
	return io.NopCloser(bytes.NewReader(buf.Bytes())), nil
}
