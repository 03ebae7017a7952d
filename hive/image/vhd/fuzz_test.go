package vhd

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf16"
)

// buildDynamic writes a dynamic VHD of data (a multiple of blockSize) with
// the given block size; blocks that are all zero stay unallocated, and in
// allocated blocks only sectors with nonzero bytes get their bitmap bit.
// diskType and parent let the test forge a differencing disk.
func buildDynamic(data []byte, blockSize int, diskType uint32, parent string) []byte {
	nblocks := len(data) / blockSize
	footer := make([]byte, footerLen)
	copy(footer, Cookie)
	binary.BigEndian.PutUint64(footer[16:], footerLen)
	binary.BigEndian.PutUint64(footer[40:], uint64(len(data)))
	binary.BigEndian.PutUint64(footer[48:], uint64(len(data)))
	binary.BigEndian.PutUint32(footer[60:], diskType)
	setChecksum(footer, 64)
	hdr := make([]byte, dynHeaderLen)
	copy(hdr, DynamicCookie)
	batOff := footerLen + dynHeaderLen
	binary.BigEndian.PutUint64(hdr[8:], ^uint64(0))
	binary.BigEndian.PutUint64(hdr[16:], uint64(batOff))
	binary.BigEndian.PutUint32(hdr[28:], uint32(nblocks))
	binary.BigEndian.PutUint32(hdr[32:], uint32(blockSize))
	for i, c := range utf16.Encode([]rune(parent)) {
		binary.BigEndian.PutUint16(hdr[64+2*i:], c)
	}
	setChecksum(hdr, 36)
	bat := make([]byte, (nblocks*4+511)/512*512)
	bitmapLen := ((blockSize/512+7)/8 + 511) / 512 * 512
	var blocks []byte
	next := (batOff + len(bat)) / 512
	for b := 0; b < nblocks; b++ {
		blk := data[b*blockSize : (b+1)*blockSize]
		if bytes.Count(blk, []byte{0}) == len(blk) {
			binary.BigEndian.PutUint32(bat[4*b:], unusedEntry)
			continue
		}
		binary.BigEndian.PutUint32(bat[4*b:], uint32(next))
		bitmap := make([]byte, bitmapLen)
		stored := make([]byte, blockSize)
		for s := 0; s < blockSize/512; s++ {
			sec := blk[s*512 : (s+1)*512]
			if bytes.Count(sec, []byte{0}) != 512 {
				bitmap[s/8] |= 0x80 >> (s % 8)
				copy(stored[s*512:], sec)
			} else {
				copy(stored[s*512:], bytes.Repeat([]byte{0xee}, 512)) // garbage behind a clear bit
			}
		}
		blocks = append(append(blocks, bitmap...), stored...)
		next += (bitmapLen + blockSize) / 512
	}
	out := append(append(append(append([]byte{}, footer...), hdr...), bat...), blocks...)
	return append(out, footer...)
}

func setChecksum(b []byte, off int) {
	binary.BigEndian.PutUint32(b[off:], 0)
	var sum uint32
	for _, c := range b {
		sum += uint32(c)
	}
	binary.BigEndian.PutUint32(b[off:], ^sum)
}

// fixChecksums recomputes the footer and dynamic header checksums of a
// mutated image, so that the fuzzer reaches past them.
func fixChecksums(b []byte) {
	if len(b) < footerLen {
		return
	}
	setChecksum(b[len(b)-footerLen:], 64)
	setChecksum(b[:footerLen], 64)
	if h := binary.BigEndian.Uint64(b[16:]); h < uint64(len(b)) && uint64(len(b))-h >= dynHeaderLen {
		setChecksum(b[h:h+dynHeaderLen], 36)
	}
}

func smallDisk() []byte {
	data := make([]byte, 64<<10)
	for s := 0; s < len(data)/512; s++ {
		if s%5 == 0 || s >= 32 && s < 48 {
			continue
		}
		binary.LittleEndian.PutUint64(data[s*512:], uint64(s)+1)
	}
	return data
}

func TestSynthetic(t *testing.T) {
	data := smallDisk()
	img := buildDynamic(data, 4096, TypeDynamic, "")
	r, err := NewReader(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	compareReads(t, r, data)
}

func TestDifferencingSynthetic(t *testing.T) {
	img := buildDynamic(smallDisk(), 4096, TypeDifferencing, `C:\vms\base disk.vhd`)
	_, err := NewReader(bytes.NewReader(img), int64(len(img)))
	if !errors.Is(err, ErrDifferencing) || !strings.Contains(err.Error(), `C:\\vms\\base disk.vhd`) {
		t.Errorf("Open = %v, want ErrDifferencing naming the parent", err)
	}
}

func FuzzOpenVHD(f *testing.F) {
	f.Add(buildDynamic(smallDisk(), 4096, TypeDynamic, ""))
	f.Add(buildDynamic(smallDisk()[:8192], 512, TypeDynamic, ""))
	fixed := append(smallDisk()[:4096], buildDynamic(make([]byte, 512), 512, TypeDynamic, "")[:footerLen]...)
	binary.BigEndian.PutUint64(fixed[4096+48:], 4096)
	binary.BigEndian.PutUint32(fixed[4096+60:], TypeFixed)
	setChecksum(fixed[4096:], 64)
	f.Add(fixed)
	f.Fuzz(func(t *testing.T, b []byte) {
		fixChecksums(b)
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
