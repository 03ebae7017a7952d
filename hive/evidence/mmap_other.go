//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package evidence

import (
	"errors"
	"os"
)

// canMap tells whether this system maps files (mapFile works).
const canMap = false

func mapFile(*os.File, int64) ([]byte, func() error, error) {
	return nil, nil, errors.New("memory-mapped files are not supported on this system")
}

func mapCopy(*os.File, int64) ([]byte, func() error, error) {
	return nil, nil, errors.New("memory-mapped files are not supported on this system")
}
