package part

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/hivescan/hivescan/internal/wintext"
)

// maxEntryBytes caps the GPT partition entry array read from disk. The
// specification requires at least 16 KiB; real tables use exactly that.
const maxEntryBytes = 1 << 20

var errNoGPT = errors.New("no GPT header")

type gptHeader struct {
	myLBA, altLBA uint64
	firstUsable   uint64
	lastUsable    uint64
	entriesLBA    uint64
	numEntries    uint32
	entrySize     uint32
	entriesCRC    uint32
}

// readGPT reads the primary header at LBA 1 and, when it is damaged, the
// backup header at the last LBA.
func readGPT(r io.ReaderAt, size int64, ss int) (*Table, error) {
	primary, perr := readGPTHeader(r, size, ss, 1)
	if perr == nil {
		t, err := readGPTEntries(r, size, ss, primary)
		if err == nil {
			return t, nil
		}
		perr = err
	}
	last := uint64(size/int64(ss)) - 1
	backup, berr := readGPTHeader(r, size, ss, last)
	if berr != nil && perr == nil {
		return nil, berr
	}
	if berr != nil {
		if errors.Is(perr, errNoGPT) && errors.Is(berr, errNoGPT) {
			return nil, errNoGPT
		}
		return nil, fmt.Errorf("GPT (%d-byte sectors): primary: %w; backup: %w", ss, perr, berr)
	}
	t, err := readGPTEntries(r, size, ss, backup)
	if err != nil {
		return nil, fmt.Errorf("GPT (%d-byte sectors): primary: %w; backup: %w", ss, perr, err)
	}
	if !errors.Is(perr, errNoGPT) {
		t.Warnings = append(t.Warnings, fmt.Sprintf("primary GPT header unusable (%v): used the backup", perr))
	} else {
		t.Warnings = append(t.Warnings, "primary GPT header missing: used the backup")
	}
	return t, nil
}

func readGPTHeader(r io.ReaderAt, size int64, ss int, lba uint64) (*gptHeader, error) {
	off := int64(lba) * int64(ss)
	if off < 0 || off+int64(ss) > size {
		return nil, errNoGPT
	}
	buf := make([]byte, ss)
	if err := readFull(r, buf, off); err != nil {
		return nil, fmt.Errorf("reading GPT header: %w", err)
	}
	if string(buf[:8]) != "EFI PART" {
		return nil, errNoGPT
	}
	hsize := binary.LittleEndian.Uint32(buf[12:])
	if hsize < 92 || int(hsize) > ss {
		return nil, formatError(off+12, fmt.Sprintf("GPT header size %d", hsize))
	}
	want := binary.LittleEndian.Uint32(buf[16:])
	h := make([]byte, hsize)
	copy(h, buf)
	clear(h[16:20])
	if got := crc32.ChecksumIEEE(h); got != want {
		return nil, formatError(off+16, fmt.Sprintf("GPT header CRC32 %#08x, computed %#08x", want, got))
	}
	g := &gptHeader{
		myLBA:       binary.LittleEndian.Uint64(buf[24:]),
		altLBA:      binary.LittleEndian.Uint64(buf[32:]),
		firstUsable: binary.LittleEndian.Uint64(buf[40:]),
		lastUsable:  binary.LittleEndian.Uint64(buf[48:]),
		entriesLBA:  binary.LittleEndian.Uint64(buf[72:]),
		numEntries:  binary.LittleEndian.Uint32(buf[80:]),
		entrySize:   binary.LittleEndian.Uint32(buf[84:]),
		entriesCRC:  binary.LittleEndian.Uint32(buf[88:]),
	}
	if g.myLBA != lba {
		return nil, formatError(off+24, fmt.Sprintf("GPT header says it is at LBA %d, found at %d", g.myLBA, lba))
	}
	if g.entrySize < 128 || g.entrySize%8 != 0 {
		return nil, formatError(off+84, fmt.Sprintf("GPT entry size %d", g.entrySize))
	}
	if uint64(g.numEntries)*uint64(g.entrySize) > maxEntryBytes {
		return nil, formatError(off+80, fmt.Sprintf("GPT entry array of %d×%d bytes exceeds %d", g.numEntries, g.entrySize, maxEntryBytes))
	}
	return g, nil
}

func readGPTEntries(r io.ReaderAt, size int64, ss int, g *gptHeader) (*Table, error) {
	n := int64(g.numEntries) * int64(g.entrySize)
	off := int64(g.entriesLBA) * int64(ss)
	if g.entriesLBA > uint64(size) || off < 0 || off+n > size {
		return nil, formatError(off, "GPT entry array beyond the disk end")
	}
	buf := make([]byte, n)
	if err := readFull(r, buf, off); err != nil {
		return nil, fmt.Errorf("reading GPT entries: %w", err)
	}
	if got := crc32.ChecksumIEEE(buf); got != g.entriesCRC {
		return nil, formatError(off, fmt.Sprintf("GPT entry array CRC32 %#08x, computed %#08x", g.entriesCRC, got))
	}
	t := &Table{Scheme: GPT, SectorSize: ss}
	for i := 0; i < int(g.numEntries); i++ {
		e := buf[i*int(g.entrySize):][:128]
		var typ [16]byte
		copy(typ[:], e[:16])
		if typ == ([16]byte{}) {
			continue
		}
		first := binary.LittleEndian.Uint64(e[32:])
		last := binary.LittleEndian.Uint64(e[40:])
		if last < first || first > uint64(size) || last > uint64(size) {
			t.Warnings = append(t.Warnings, fmt.Sprintf("GPT entry %d: LBA range %d–%d: skipped", i+1, first, last))
			continue
		}
		t.add(Partition{
			Index:  i + 1,
			Start:  int64(first) * int64(ss),
			Length: int64(last-first+1) * int64(ss),
			Type:   gptTypeName(typ),
			Name:   utf16Name(e[56:128]),
		}, size)
	}
	return t, nil
}

func utf16Name(b []byte) string { return wintext.UTF16Z(b) }

// guidString formats a GUID stored in the mixed-endian on-disk layout.
func guidString(g [16]byte) string {
	return fmt.Sprintf("%08X-%04X-%04X-%X-%X",
		binary.LittleEndian.Uint32(g[0:]), binary.LittleEndian.Uint16(g[4:]),
		binary.LittleEndian.Uint16(g[6:]), g[8:10], g[10:16])
}

var gptTypes = map[string]string{
	"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7": "Basic data",
	"C12A7328-F81F-11D2-BA4B-00A0C93EC93B": "EFI System",
	"E3C9E316-0B5C-4DB8-817D-F92DF00215AE": "Microsoft reserved",
	"DE94BBA4-06D1-4D40-A16A-BFD50179D6AC": "Windows Recovery",
	"5808C8AA-7E8F-42E0-85D2-E1E90434CFB3": "LDM metadata",
	"AF9B60A0-1431-4F62-BC68-3311714A69AD": "LDM data",
	"E75CAF8F-F680-4CEE-AFA3-B001E56EFC2D": "Storage Spaces",
	"21686148-6449-6E6F-744E-656564454649": "BIOS boot",
	"0FC63DAF-8483-4772-8E79-3D69D8477DE4": "Linux filesystem",
	"0657FD6D-A4AB-43C4-84E5-0933C84B4F4F": "Linux swap",
	"E6D6D379-F507-44C2-A23C-238F2A3DF928": "Linux LVM",
	"A19D880F-05FC-4D3B-A006-743F0F84911E": "Linux RAID",
	"4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709": "Linux root (x86-64)",
	"933AC7E1-2EB4-4F13-B844-0E14E2AEF915": "Linux home",
	"48465300-0000-11AA-AA11-00306543ECAC": "Apple HFS+",
	"7C3457EF-0000-11AA-AA11-00306543ECAC": "Apple APFS",
	"516E7CB4-6ECF-11D6-8FF8-00022D09712B": "FreeBSD",
}

func gptTypeName(g [16]byte) string {
	s := guidString(g)
	if n, ok := gptTypes[s]; ok {
		return n
	}
	return s
}
