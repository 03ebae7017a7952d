package readertest

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestPattern(t *testing.T) {
	b := Pattern(4<<10+100, [2]int{1 << 10, 2 << 10})
	if got := binary.LittleEndian.Uint64(b[5*512+16:]); got != 5<<16|16 {
		t.Errorf("sector 5, word 2 = %#x, want %#x", got, 5<<16|16)
	}
	if !bytes.Equal(b[1<<10:2<<10], make([]byte, 1<<10)) {
		t.Error("hole not zero")
	}
	if got := binary.LittleEndian.Uint64(b[8*512+88:]); got != 8<<16|88 {
		t.Errorf("last partial sector, word 11 = %#x", got)
	}
}

func TestRandomPattern(t *testing.T) {
	b := RandomPattern(4 << 10)
	if !bytes.Equal(b, RandomPattern(4<<10)) {
		t.Error("RandomPattern differs between calls")
	}
	if binary.LittleEndian.Uint64(b[5*512:]) != 5 || !bytes.Equal(b[3*512+16:4*512], make([]byte, 512-16)) {
		t.Error("sector number or compressible sector missing")
	}
}

func TestCompareReads(t *testing.T) {
	want := Pattern(3 << 20)
	CompareReads(t, bytes.NewReader(want), want, 1<<20-3)
}
