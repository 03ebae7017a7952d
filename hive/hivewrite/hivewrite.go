// Package hivewrite builds Windows registry hive files (regf 1.3 and 1.5)
// with exact content: the fixtures of tests (through hive/hivetest), the
// sample evidence (internal/samples) and the recovered-records view of
// hive/deleted.
//
// Build lays out a Key tree the way Windows stores it (per the msuhanov
// "Windows registry file format specification"): a 4096-byte base block with
// its XOR-32 checksum, hive bins of 4096-byte multiples, 8-byte aligned cells
// (negative size when allocated, the unused end of every bin one free cell),
// nk/vk/sk/lh/lf/li/ri/db records, Latin-1 compressed names where possible,
// subkey lists sorted by upper-cased name, one security cell shared by every
// key. The same description always yields the same bytes.
//
// The returned Hive records where each cell went, so tests can patch bytes,
// and offers helpers that damage a hive the way real evidence is damaged.
package hivewrite

import (
	"time"
)

// Key describes one registry key and its subtree.
type Key struct {
	// Name is the key name, at most 255 UTF-16 units, without `\`. An empty
	// root name becomes "ROOT".
	Name string
	// Class is the key's class name; empty means none.
	Class string
	// LastWrite is the key's last written time (100 ns precision); zero
	// means DefaultTime.
	LastWrite time.Time
	Values    []Value
	Subkeys   []*Key

	// DeletedValues are written into freed cells (size made positive, bytes
	// left) and are not in the value list, as after a Windows deletion.
	DeletedValues []Value
	// DeletedSubkeys are written, with their whole subtree, into freed cells
	// whose nk parent offset points at this key. They are not in the
	// subkey list and not counted in the security cell's reference count.
	DeletedSubkeys []*Key
}

// Options control the hive header and layout. The zero value builds a clean
// regf 1.5 primary file.
type Options struct {
	// Minor is the format minor version, 3 to 6; 0 means 5. Big data (db)
	// is used from 4 on.
	Minor uint32
	// Sequence1 and Sequence2 are the base-block sequence numbers; 0 means
	// 1. Different numbers make a dirty hive.
	Sequence1, Sequence2 uint32
	// FileName is embedded at offset 0x30, e.g.
	// `\SystemRoot\System32\Config\SYSTEM`. Like Windows, only its last 31
	// UTF-16 units are kept.
	FileName string
	// LastWritten is the base-block and first-bin timestamp; zero means
	// DefaultTime.
	LastWritten time.Time
	// SubkeyList is the leaf kind: "lh", "lf" or "li". Empty means "lh"
	// from minor 5 on and "lf" before.
	SubkeyList string
	// RIThreshold is the largest number of subkeys kept in one leaf; a key
	// with more gets an ri index of leaves of at most this many. 0 means
	// 512.
	RIThreshold int
	// FileType is the base-block file type: 0 primary (the default), 1 log.
	FileType uint32
	// BadChecksum stores a base-block checksum that does not match, here and
	// after every later patch.
	BadChecksum bool
}

// DefaultTime is the timestamp used where a description leaves one zero:
// 2024-01-02 03:04:05.1234567 UTC. It has a sub-second part so readers'
// 100 ns precision can be checked.
func DefaultTime() time.Time { return time.Date(2024, 1, 2, 3, 4, 5, 123456700, time.UTC) }

func (o Options) withDefaults() Options {
	if o.Minor == 0 {
		o.Minor = 5
	}
	if o.Sequence1 == 0 {
		o.Sequence1 = 1
	}
	if o.Sequence2 == 0 {
		o.Sequence2 = 1
	}
	if o.LastWritten.IsZero() {
		o.LastWritten = DefaultTime()
	}
	if o.SubkeyList == "" {
		o.SubkeyList = "lh"
		if o.Minor < 5 {
			o.SubkeyList = "lf"
		}
	}
	if o.RIThreshold <= 0 {
		o.RIThreshold = 512
	}
	return o
}
