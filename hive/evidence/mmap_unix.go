//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package evidence

import (
	"os"

	"golang.org/x/sys/unix"
)

// canMap tells whether this system maps files (mapFile works).
const canMap = true

// mapFile maps the first size bytes of f read-only and private: the kernel
// reads the file's pages as they are touched and may drop them again under
// memory pressure, and nothing done to the mapping can reach the file. The
// returned function unmaps it; the bytes must not be touched afterwards.
func mapFile(f *os.File, size int64) ([]byte, func() error, error) {
	return mapPrivate(f, size, unix.PROT_READ)
}

// mapCopy maps the first size bytes of f as a private copy that may be
// written: a page is copied from the file when it is first written, and no
// write reaches the file.
func mapCopy(f *os.File, size int64) ([]byte, func() error, error) {
	return mapPrivate(f, size, unix.PROT_READ|unix.PROT_WRITE)
}

func mapPrivate(f *os.File, size int64, prot int) ([]byte, func() error, error) {
	b, err := unix.Mmap(int(f.Fd()), 0, int(size), prot, unix.MAP_PRIVATE)
	if err != nil {
		return nil, nil, err
	}
	forget := track(b)
	return b, func() error {
		forget()
		return unix.Munmap(b)
	}, nil
}
