package part

import (
	"encoding/binary"
	"fmt"
	"io"
)

// maxLogical bounds the number of logical partitions followed in an
// extended partition chain.
const maxLogical = 128

type mbrEntry struct {
	status byte
	typ    byte
	start  uint32 // LBA
	count  uint32 // sectors
}

func (e mbrEntry) empty() bool { return e.typ == 0 || e.count == 0 }

func isExtended(typ byte) bool { return typ == 0x05 || typ == 0x0F || typ == 0x85 }

// mbrEntries decodes the four entries of an MBR or EBR sector and reports
// whether the sector carries the 0x55AA signature.
func mbrEntries(s []byte) ([4]mbrEntry, bool) {
	var es [4]mbrEntry
	for i := range es {
		b := s[446+16*i:]
		es[i] = mbrEntry{
			status: b[0],
			typ:    b[4],
			start:  binary.LittleEndian.Uint32(b[8:]),
			count:  binary.LittleEndian.Uint32(b[12:]),
		}
	}
	return es, s[510] == 0x55 && s[511] == 0xAA
}

// readMBR builds a table from the primary entries and the EBR chain of the
// first extended partition. ok is false when the entries do not look like a
// partition table (bad status bytes, no partition at all).
func readMBR(r io.ReaderAt, size int64, es [4]mbrEntry) (*Table, bool) {
	t := &Table{Scheme: MBR, SectorSize: 512}
	const ss = 512
	any := false
	for _, e := range es {
		if e.status != 0 && e.status != 0x80 {
			return nil, false
		}
		if !e.empty() {
			if e.start == 0 {
				return nil, false
			}
			any = true
		}
	}
	if !any {
		return nil, false
	}
	extended := -1
	for i, e := range es {
		if e.empty() {
			continue
		}
		if isExtended(e.typ) {
			if extended < 0 {
				extended = i
			} else {
				t.Warnings = append(t.Warnings, fmt.Sprintf("entry %d: second extended partition ignored", i+1))
			}
			continue
		}
		t.add(Partition{
			Index:  i + 1,
			Start:  int64(e.start) * ss,
			Length: int64(e.count) * ss,
			Type:   mbrTypeName(e.typ),
		}, size)
	}
	if extended >= 0 {
		t.readEBRChain(r, size, int64(es[extended].start)*ss, int64(es[extended].count)*ss)
	}
	return t, true
}

// add appends p, noting partitions that extend past the disk end and
// dropping those that start beyond it.
func (t *Table) add(p Partition, size int64) {
	switch {
	case p.Start >= size:
		t.Warnings = append(t.Warnings, fmt.Sprintf("partition %d starts at %d, beyond the disk end (%d): skipped", p.Index, p.Start, size))
		return
	case p.Start+p.Length > size:
		t.Warnings = append(t.Warnings, fmt.Sprintf("partition %d ends at %d, beyond the disk end (%d)", p.Index, p.Start+p.Length, size))
	}
	t.Partitions = append(t.Partitions, p)
}

// readEBRChain follows the extended boot records starting at extStart.
// Each EBR's first entry is a logical partition relative to the EBR, its
// second entry links to the next EBR relative to extStart.
func (t *Table) readEBRChain(r io.ReaderAt, size, extStart, extLen int64) {
	const ss = 512
	seen := make(map[int64]bool)
	sector := make([]byte, ss)
	ebr := extStart
	index := 5
	for {
		if seen[ebr] {
			t.Warnings = append(t.Warnings, fmt.Sprintf("extended partition chain loops back to offset %#x: cut", ebr))
			return
		}
		if len(seen) >= maxLogical {
			t.Warnings = append(t.Warnings, fmt.Sprintf("extended partition chain longer than %d: cut", maxLogical))
			return
		}
		seen[ebr] = true
		if ebr+ss > size {
			t.Warnings = append(t.Warnings, fmt.Sprintf("extended boot record at %#x beyond the disk end", ebr))
			return
		}
		if err := readFull(r, sector, ebr); err != nil {
			t.Warnings = append(t.Warnings, fmt.Sprintf("reading extended boot record at %#x: %v", ebr, err))
			return
		}
		es, sig := mbrEntries(sector)
		if !sig {
			t.Warnings = append(t.Warnings, fmt.Sprintf("extended boot record at %#x has no signature", ebr))
			return
		}
		if l := es[0]; !l.empty() && !isExtended(l.typ) {
			p := Partition{
				Index:  index,
				Start:  ebr + int64(l.start)*ss,
				Length: int64(l.count) * ss,
				Type:   mbrTypeName(l.typ),
			}
			if extLen > 0 && (p.Start < extStart || p.Start+p.Length > extStart+extLen) {
				t.Warnings = append(t.Warnings, fmt.Sprintf("logical partition %d lies outside its extended partition", index))
			}
			t.add(p, size)
			index++
		}
		next := es[1]
		if next.empty() || !isExtended(next.typ) {
			return
		}
		ebr = extStart + int64(next.start)*ss
	}
}

var mbrTypes = map[byte]string{
	0x01: "FAT12",
	0x04: "FAT16 <32M",
	0x05: "Extended",
	0x06: "FAT16",
	0x07: "NTFS/exFAT",
	0x0B: "FAT32",
	0x0C: "FAT32 (LBA)",
	0x0E: "FAT16 (LBA)",
	0x0F: "Extended (LBA)",
	0x11: "Hidden FAT12",
	0x12: "Compaq diagnostics",
	0x14: "Hidden FAT16 <32M",
	0x16: "Hidden FAT16",
	0x17: "Hidden NTFS/exFAT",
	0x1B: "Hidden FAT32",
	0x1C: "Hidden FAT32 (LBA)",
	0x1E: "Hidden FAT16 (LBA)",
	0x27: "Windows RE",
	0x42: "Windows LDM",
	0x82: "Linux swap",
	0x83: "Linux",
	0x85: "Linux extended",
	0x8E: "Linux LVM",
	0xA5: "FreeBSD",
	0xAF: "HFS+",
	0xEE: "GPT protective",
	0xEF: "EFI System",
	0xFD: "Linux RAID",
}

func mbrTypeName(typ byte) string {
	if n, ok := mbrTypes[typ]; ok {
		return fmt.Sprintf("%#02x %s", typ, n)
	}
	return fmt.Sprintf("%#02x", typ)
}
