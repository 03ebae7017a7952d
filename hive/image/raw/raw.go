// Package raw reads raw (dd) disk images, single files or split into numbered
// segments, as one io.ReaderAt. Files are opened read-only and read lazily.
package raw

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
)

// maxSegments bounds how many sibling segments a split image may have.
const maxSegments = 100000

// Reader reads a raw image made of one or more concatenated segments.
// It is safe for concurrent use.
type Reader struct {
	// Segments lists the files read, in order.
	Segments []string

	parts []part
	size  int64
	read  atomic.Int64
}

type part struct {
	r     io.ReaderAt
	start int64
	size  int64
	c     io.Closer
}

// Open opens a single raw image file.
func Open(name string) (*Reader, error) {
	return openFiles([]string{name})
}

// OpenSplit opens a split raw image given its first segment (x.001, x.000,
// x.aa, xaa, ...). The following segments are the siblings whose suffix
// counts up from the first one, with the same width, until one is missing.
// A first segment without siblings is read as a single file.
func OpenSplit(first string) (*Reader, error) {
	names, err := SplitSegments(first)
	if err != nil {
		return nil, err
	}
	return openFiles(names)
}

// SplitSegments returns first followed by its existing numbered siblings.
// It returns only first when the name carries no segment suffix.
func SplitSegments(first string) ([]string, error) {
	names := []string{first}
	prefix, suffix, ok := splitSuffix(first)
	if !ok || !isFirst(suffix) {
		return names, nil
	}
	for len(names) < maxSegments {
		next, ok := increment(suffix)
		if !ok {
			break
		}
		suffix = next
		name := prefix + suffix
		st, err := os.Stat(name)
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			return nil, err
		}
		if !st.Mode().IsRegular() {
			break
		}
		names = append(names, name)
	}
	return names, nil
}

// IsSplit reports whether name looks like the first segment of a split raw
// image: a segment suffix (.000, .001, .aa, aa after a dot-less prefix) with
// the next segment present beside it.
func IsSplit(name string) bool {
	prefix, suffix, ok := splitSuffix(name)
	if !ok || !isFirst(suffix) {
		return false
	}
	next, ok := increment(suffix)
	if !ok {
		return false
	}
	st, err := os.Stat(prefix + next)
	return err == nil && st.Mode().IsRegular()
}

// isFirst reports whether a segment counter is a plausible first one:
// 000, 001, aa or AA (any width).
func isFirst(s string) bool {
	head := s[:len(s)-1]
	return strings.Trim(head, "0") == "" && (s[len(s)-1] == '0' || s[len(s)-1] == '1') ||
		strings.Trim(s, "a") == "" || strings.Trim(s, "A") == ""
}

// splitSuffix splits a segment name into its prefix and its counter: the
// trailing run of digits (at least 2) after a dot, or the trailing 2-4
// letters of a name produced by split(1).
func splitSuffix(name string) (prefix, suffix string, ok bool) {
	base := filepath.Base(name)
	dir := name[:len(name)-len(base)]
	i := len(base)
	for i > 0 && base[i-1] >= '0' && base[i-1] <= '9' {
		i--
	}
	if n := len(base) - i; n >= 2 && n <= 6 && i > 0 && base[i-1] == '.' {
		return dir + base[:i], base[i:], true
	}
	i = len(base)
	for i > 0 && isLetter(base[i-1]) {
		i--
	}
	n := len(base) - i
	if n < 2 || n > 4 || !sameCase(base[i:]) {
		return "", "", false
	}
	// split(1) suffixes start at aa; keep only the last 2..n letters that
	// look like a counter (a prefix such as "img.aa" or "xaa").
	if i > 0 && base[i-1] == '.' {
		return dir + base[:i], base[i:], true
	}
	if n >= 3 {
		// "xaa": letters before the counter belong to the prefix.
		return dir + base[:len(base)-2], base[len(base)-2:], true
	}
	return "", "", false
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func sameCase(s string) bool {
	return strings.ToLower(s) == s || strings.ToUpper(s) == s
}

// increment counts a decimal or alphabetic suffix up by one, keeping its
// width; ok is false when it would overflow.
func increment(s string) (string, bool) {
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		switch c := b[i]; {
		case c >= '0' && c < '9', c >= 'a' && c < 'z', c >= 'A' && c < 'Z':
			b[i]++
			return string(b), true
		case c == '9':
			b[i] = '0'
		case c == 'z':
			b[i] = 'a'
		case c == 'Z':
			b[i] = 'A'
		default:
			return "", false
		}
	}
	return "", false
}

func openFiles(names []string) (*Reader, error) {
	r := &Reader{Segments: names}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			r.Close()
			return nil, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			r.Close()
			return nil, err
		}
		if !st.Mode().IsRegular() {
			f.Close()
			r.Close()
			return nil, fmt.Errorf("raw: %s: not a regular file", name)
		}
		r.parts = append(r.parts, part{r: f, start: r.size, size: st.Size(), c: f})
		r.size += st.Size()
	}
	return r, nil
}

// NewReader returns a Reader over r, which holds size bytes.
func NewReader(r io.ReaderAt, size int64) *Reader {
	return &Reader{parts: []part{{r: r, size: size}}, size: size}
}

// Size returns the image size in bytes.
func (r *Reader) Size() int64 { return r.size }

// BytesRead returns the number of bytes read from the underlying files.
func (r *Reader) BytesRead() int64 { return r.read.Load() }

// ReadAt implements io.ReaderAt over the concatenated segments.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("raw: negative offset")
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= r.size {
			return n, io.EOF
		}
		i := r.find(pos)
		pt := r.parts[i]
		want := p[n:]
		if rest := pt.start + pt.size - pos; int64(len(want)) > rest {
			want = want[:rest]
		}
		m, err := pt.r.ReadAt(want, pos-pt.start)
		r.read.Add(int64(m))
		n += m
		if m < len(want) {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF // the segment shrank since Open
			}
			return n, err
		}
	}
	return n, nil
}

// find returns the index of the part holding pos, which is below r.size.
func (r *Reader) find(pos int64) int {
	// The last part starting at or before pos.
	lo := max(0, sort.Search(len(r.parts), func(i int) bool { return r.parts[i].start > pos })-1)
	for lo < len(r.parts)-1 && r.parts[lo].size == 0 {
		lo++
	}
	return lo
}

// Close closes the segment files.
func (r *Reader) Close() error {
	var errs []error
	for _, p := range r.parts {
		if p.c != nil {
			errs = append(errs, p.c.Close())
		}
	}
	r.parts = nil
	return errors.Join(errs...)
}
