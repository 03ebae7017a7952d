// Package part reads partition tables of disk images: MBR with extended
// and logical partitions, GPT (primary or backup header), or none (a bare
// file system at offset 0).
//
// All offsets and lengths are in bytes from the start of the disk. Reads
// are bounded: at most maxLogical logical partitions are followed in an
// extended chain, a chain that loops is cut, and a GPT entry array larger
// than maxEntryBytes is refused. Read never panics on malformed input.
package part

import (
	"errors"
	"fmt"
	"io"

	"github.com/hivescan/hivescan/hive/internal/formaterr"
)

// Scheme names the kind of partition table.
type Scheme string

const (
	None Scheme = "none" // no partition table: a bare volume at offset 0
	MBR  Scheme = "mbr"
	GPT  Scheme = "gpt"
)

// Partition is one partition, as recorded in its table.
type Partition struct {
	Index  int    // MBR: 1–4 primary, 5… logical in chain order; GPT: entry number from 1
	Start  int64  // byte offset from the start of the disk
	Length int64  // bytes
	Type   string // "0x07 NTFS/exFAT", or a GPT type name such as "Basic data" (the GUID if unknown)
	Name   string // GPT partition name; empty for MBR
}

// Table is a decoded partition table.
type Table struct {
	Scheme     Scheme
	SectorSize int // bytes per logical sector the table was read with
	Partitions []Partition
	// Warnings lists problems that did not stop decoding: a damaged
	// primary GPT header, a looping or overlong EBR chain, partitions that
	// lie beyond the end of the disk (kept, since images are often truncated).
	Warnings []string
}

// FormatError reports malformed partition data at a byte offset: Format is
// "partition table", Offset the byte offset, Msg what is wrong. It is the
// FormatError of every hive package; errors.Is matches it with
// hive.ErrDamaged.
type FormatError = formaterr.Error

func formatError(off int64, msg string) *FormatError {
	return formaterr.New("partition table", off, msg)
}

// Read decodes the partition table of a disk of size bytes read through r.
// A disk whose first sector is not a partition table (a volume boot record,
// zeros, anything else) gives Scheme None and no partitions.
func Read(r io.ReaderAt, size int64) (*Table, error) {
	if size < 512 {
		return &Table{Scheme: None, SectorSize: 512}, nil
	}
	sector0 := make([]byte, 512)
	if err := readFull(r, sector0, 0); err != nil {
		return nil, fmt.Errorf("partition table: reading sector 0: %w", err)
	}
	entries, hasSig := mbrEntries(sector0)
	protective := false
	for _, e := range entries {
		if e.typ == 0xEE {
			protective = true
		}
	}

	// GPT: look for a header whenever the MBR is protective or the header
	// signature is present; try both sector sizes.
	var gptErrs []error
	for _, ss := range []int{512, 4096} {
		if int64(ss)*2 > size {
			continue
		}
		t, err := readGPT(r, size, ss)
		if err == nil {
			if !protective {
				t.Warnings = append(t.Warnings, "GPT found without a protective MBR")
			}
			return t, nil
		}
		if !errors.Is(err, errNoGPT) {
			gptErrs = append(gptErrs, err)
		}
	}
	if protective {
		if len(gptErrs) > 0 {
			return nil, errors.Join(gptErrs...)
		}
		return nil, formatError(512, "protective MBR but no GPT header")
	}
	if len(gptErrs) > 0 && !hasSig {
		// A damaged GPT with a damaged MBR: report the GPT problem.
		return nil, errors.Join(gptErrs...)
	}

	if hasSig && !looksLikeVBR(sector0) {
		if t, ok := readMBR(r, size, entries); ok {
			return t, nil
		}
	}
	return &Table{Scheme: None, SectorSize: 512}, nil
}

func readFull(r io.ReaderAt, buf []byte, off int64) error {
	n, err := r.ReadAt(buf, off)
	if n == len(buf) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// looksLikeVBR reports whether a sector is a volume boot record of a file
// system (NTFS, exFAT, FAT) rather than a master boot record.
func looksLikeVBR(s []byte) bool {
	oem := string(s[3:11])
	if oem == "NTFS    " || oem == "EXFAT   " {
		return true
	}
	if string(s[0x36:0x3B]) == "FAT12" || string(s[0x36:0x3B]) == "FAT16" || string(s[0x52:0x57]) == "FAT32" {
		return true
	}
	return false
}
