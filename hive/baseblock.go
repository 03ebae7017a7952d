package hive

import (
	"bytes"
	"encoding/binary"
	"time"

	"github.com/hivescan/hivescan/internal/wintext"
	"www.velocidex.com/golang/regparser"
)

// BaseBlockSize is the size of the regf header; hive bins start after it.
const BaseBlockSize = 4096

// File types stored in the base block.
const (
	FileTypePrimary  = 0 // a primary hive
	FileTypeLog      = 1 // an old-format transaction log (.LOG, .LOG1 on Vista/7)
	FileTypeLogVista = 2 // an old-format transaction log, alternate form
	FileTypeLogNew   = 6 // a new-format (HvLE) transaction log (Windows 8.1+)
)

// BaseBlock holds the fields of the 4096-byte regf header.
type BaseBlock struct {
	PrimarySequence   uint32
	SecondarySequence uint32
	LastWritten       time.Time // UTC, 100 ns precision; zero when unset
	Major, Minor      uint32
	FileType          uint32
	Format            uint32
	RootCell          uint32 // offset of the root key cell, relative to the first hive bin
	HiveBinsSize      uint32 // declared size of all hive bins, in bytes
	Clustering        uint32
	FileName          string // embedded name (UTF-16LE at 0x30, often truncated to its last 31 characters)
	Flags             uint32
	Checksum          uint32 // as stored
	ComputedChecksum  uint32 // XOR-32 of the first 508 bytes, as Windows computes it
}

// Dirty reports whether the sequence numbers differ: the hive was not
// written completely and its transaction logs hold newer data.
func (b *BaseBlock) Dirty() bool { return b.PrimarySequence != b.SecondarySequence }

// ChecksumOK reports whether the stored checksum matches the computed one.
func (b *BaseBlock) ChecksumOK() bool { return b.Checksum == b.ComputedChecksum }

// Version returns "major.minor", e.g. "1.5".
func (b *BaseBlock) Version() string {
	return itoa(b.Major) + "." + itoa(b.Minor)
}

func itoa(v uint32) string {
	var buf [10]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(buf[i:])
		}
	}
}

// Checksum computes the base-block checksum of the first 508 bytes of b
// (XOR of little-endian 32-bit words; 0 becomes 1 and 0xFFFFFFFF becomes
// 0xFFFFFFFE). b must hold at least 512 bytes.
func Checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < 0x1FC; i += 4 {
		sum ^= binary.LittleEndian.Uint32(b[i:])
	}
	switch sum {
	case 0:
		return 1
	case 0xFFFFFFFF:
		return 0xFFFFFFFE
	}
	return sum
}

// FileKind classifies the first bytes of a file, cheaply, for discovery.
type FileKind int

const (
	NotRegistry   FileKind = iota // anything else
	PrimaryHive                   // "regf" with file type 0
	LogFile                       // "regf" with a log file type, or a bare log
	Win9xRegistry                 // "CREG"
)

func (k FileKind) String() string {
	switch k {
	case PrimaryHive:
		return "hive"
	case LogFile:
		return "log"
	case Win9xRegistry:
		return "win9x"
	}
	return "none"
}

// Identify classifies a file from its first bytes (512 are enough).
func Identify(head []byte) FileKind {
	switch {
	case len(head) >= 4 && string(head[:4]) == "CREG":
		return Win9xRegistry
	case len(head) < 4 || string(head[:4]) != "regf":
		return NotRegistry
	case len(head) >= 0x20 && binary.LittleEndian.Uint32(head[0x1C:]) != FileTypePrimary:
		return LogFile
	}
	return PrimaryHive
}

// ParseBaseBlock decodes a regf base block. b must hold at least 512 bytes.
func ParseBaseBlock(b []byte) (BaseBlock, error) {
	if len(b) < 512 {
		return BaseBlock{}, ErrNotHive
	}
	if string(b[:4]) != "regf" {
		if string(b[:4]) == "CREG" {
			return BaseBlock{}, ErrWin9x
		}
		return BaseBlock{}, ErrNotHive
	}
	r := bytes.NewReader(b[:512])
	hb := regparser.NewRegistryProfile().HBASE_BLOCK(r, 0)
	bb := BaseBlock{
		PrimarySequence:   hb.Sequence1(),
		SecondarySequence: hb.Sequence2(),
		LastWritten:       Filetime(binary.LittleEndian.Uint64(b[hb.Profile.Off_HBASE_BLOCK_TimeStamp:])),
		Major:             hb.Major(),
		Minor:             hb.Minor(),
		FileType:          hb.Type(),
		Format:            hb.Format(),
		RootCell:          hb.RootCell(),
		HiveBinsSize:      hb.Length(),
		Clustering:        hb.Cluster(),
		Flags:             hb.Flags(),
		Checksum:          hb.CheckSum(),
		ComputedChecksum:  Checksum(b),
		FileName:          wintext.UTF16Z(b[0x30 : 0x30+64]),
	}
	return bb, nil
}

// Filetime converts a Windows FILETIME (100 ns intervals since 1601-01-01
// UTC) to a UTC time.Time with full precision. Zero stays the zero Time.
func Filetime(ft uint64) time.Time { return wintext.Filetime(ft) }
