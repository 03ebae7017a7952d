package readfull

import (
	"bytes"
	"errors"
	"io"
	"sync/atomic"
	"testing"
)

func TestAt(t *testing.T) {
	r := bytes.NewReader([]byte("0123456789"))
	for _, tc := range []struct {
		size      int64
		off       int64
		n         int
		want      error
		wantCount int64
	}{
		{10, 2, 5, nil, 5},
		{10, 8, 2, nil, 2},
		{10, 8, 3, io.ErrUnexpectedEOF, 0}, // past size: not read
		{10, -1, 1, io.ErrUnexpectedEOF, 0},
		{10, 11, 0, io.ErrUnexpectedEOF, 0},
		{20, 8, 5, io.ErrUnexpectedEOF, 2}, // the file shrank below size
	} {
		var count atomic.Int64
		err := At(r, tc.size, make([]byte, tc.n), tc.off, &count)
		if !errors.Is(err, tc.want) || count.Load() != tc.wantCount {
			t.Errorf("At(size %d, off %d, %d bytes) = %v, counted %d; want %v, %d", tc.size, tc.off, tc.n, err, count.Load(), tc.want, tc.wantCount)
		}
	}
}
