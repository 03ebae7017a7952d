package vhdx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive/image/internal/readertest"
)

// compact rewrites a qemu-made VHDX without payload blocks into a small
// file: the headers and region tables, then the BAT and the metadata
// region moved right after them (320 KiB and 324 KiB).
func compact(t testing.TB, img []byte) []byte {
	t.Helper()
	out := bytes.Clone(img[:320<<10])
	rt := out[192<<10 : 256<<10]
	n := binary.LittleEndian.Uint32(rt[8:])
	for i := 0; i < int(n); i++ {
		e := rt[16+32*i:]
		off := binary.LittleEndian.Uint64(e[16:])
		switch [16]byte(e[:16]) {
		case guidBAT:
			binary.LittleEndian.PutUint64(e[16:], 320<<10)
			binary.LittleEndian.PutUint32(e[24:], 4<<10)
			out = append(out, img[off:off+4<<10]...)
		case guidMetadata:
			binary.LittleEndian.PutUint64(e[16:], 324<<10)
			binary.LittleEndian.PutUint32(e[24:], 68<<10)
			out = append(out[:324<<10], img[off:off+68<<10]...)
		}
	}
	setCRC(rt)
	copy(out[256<<10:320<<10], rt)
	return out
}

func setCRC(b []byte) {
	binary.LittleEndian.PutUint32(b[4:], 0)
	binary.LittleEndian.PutUint32(b[4:], crc32.Checksum(b, castagnoli))
}

func emptyVHDX(t testing.TB) []byte {
	img, err := os.ReadFile(readertest.QemuConvert(t, make([]byte, 4<<20), "vhdx", "-o", "block_size=1M"))
	if err != nil {
		t.Fatal(err)
	}
	return compact(t, img)
}

func TestCompact(t *testing.T) {
	b := emptyVHDX(t)
	r, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	compareReads(t, r, make([]byte, 4<<20))
}

func TestLogPending(t *testing.T) {
	b := emptyVHDX(t)
	for _, h := range []int{64 << 10, 128 << 10} {
		hdr := b[h : h+headerSize]
		copy(hdr[48:64], "pending-log-guid")
		setCRC(hdr)
	}
	r, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if !r.LogPending {
		t.Error("LogPending = false for a header with a log GUID")
	}
}

func TestHasParentFlag(t *testing.T) {
	b := emptyVHDX(t)
	meta := b[324<<10:]
	n := int(binary.LittleEndian.Uint16(meta[10:]))
	for i := 0; i < n; i++ {
		e := meta[32+32*i:]
		if [16]byte(e[:16]) == guidFileParams {
			off := binary.LittleEndian.Uint32(e[16:])
			meta[off+4] |= 2
		}
	}
	_, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if !errors.Is(err, ErrDifferencing) || !strings.Contains(err.Error(), "parent") {
		t.Errorf("NewReader = %v, want ErrDifferencing", err)
	}
}

func TestParentPath(t *testing.T) {
	// A parent locator with two keys, laid out as MS-VHDX 2.6.2.6 says.
	enc := func(s string) []byte {
		var b []byte
		for _, c := range s {
			b = binary.LittleEndian.AppendUint16(b, uint16(c))
		}
		return b
	}
	keys := [][2]string{{"parent_linkage", "{guid}"}, {"relative_path", `.\base.vhdx`}}
	b := make([]byte, 20+12*len(keys))
	binary.LittleEndian.PutUint16(b[18:], uint16(len(keys)))
	for i, kv := range keys {
		k, v := enc(kv[0]), enc(kv[1])
		e := b[20+12*i:]
		binary.LittleEndian.PutUint32(e, uint32(len(b)))
		binary.LittleEndian.PutUint16(e[8:], uint16(len(k)))
		b = append(b, k...)
		e = b[20+12*i:]
		binary.LittleEndian.PutUint32(e[4:], uint32(len(b)))
		binary.LittleEndian.PutUint16(e[10:], uint16(len(v)))
		b = append(b, v...)
	}
	if got, want := parentPath(b), `".\\base.vhdx" (relative_path)`; got != want {
		t.Errorf("parentPath = %s, want %s", got, want)
	}
}

// FuzzOpenVHDX is seeded with images made by qemu-img in the test (a VHDX
// is at least 320 KiB, too large to keep under testdata).
func FuzzOpenVHDX(f *testing.F) {
	seed := emptyVHDX(f)
	f.Add(seed)
	withBlock := bytes.Clone(seed)
	binary.LittleEndian.PutUint64(withBlock[320<<10:], 1<<20|StateFullyPresent)
	binary.LittleEndian.PutUint64(withBlock[320<<10+8:], StateZero)
	f.Add(append(withBlock, make([]byte, 1<<20)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Recompute the CRC-32C of headers and region tables so that
		// mutations reach the metadata and the BAT.
		for _, h := range [][2]int{{64 << 10, headerSize}, {128 << 10, headerSize}, {192 << 10, regionTableSize}, {256 << 10, regionTableSize}} {
			if h[0]+h[1] <= len(b) {
				setCRC(b[h[0] : h[0]+h[1]])
			}
		}
		r, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		n := min(r.Size(), 4<<20)
		got, err := io.ReadAll(io.NewSectionReader(r, 0, n))
		if err == nil && int64(len(got)) != n {
			t.Fatalf("read %d of %d bytes without error", len(got), n)
		}
	})
}
