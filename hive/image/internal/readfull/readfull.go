// Package readfull reads whole byte ranges of the files behind disk-image
// readers, counting the bytes read.
package readfull

import (
	"io"
	"sync/atomic"
)

// At reads len(p) bytes at off from r, a file of size bytes, and adds the
// number of bytes read to count. A range that is not wholly inside size,
// or a read that comes back short, is io.ErrUnexpectedEOF (or the read's
// own error when it gave one other than io.EOF): the file was cut, or
// shrank after it was opened.
func At(r io.ReaderAt, size int64, p []byte, off int64, count *atomic.Int64) error {
	if off < 0 || off > size || int64(len(p)) > size-off {
		return io.ErrUnexpectedEOF
	}
	n, err := r.ReadAt(p, off)
	count.Add(int64(n))
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}
