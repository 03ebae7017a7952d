// Package hivetest is the registry hive builder under the name tests use:
// every identifier is hive/hivewrite's (the same types, not copies), so a
// fixture built here can be passed to code that takes hivewrite values.
//
// Only tests and sample generators import hivetest; production code that
// needs to write a hive imports hive/hivewrite.
package hivetest

import (
	"time"

	"github.com/hivescan/hivescan/hive/hivewrite"
)

// The builder's types; see hive/hivewrite.
type (
	Key     = hivewrite.Key
	Value   = hivewrite.Value
	Options = hivewrite.Options
	Hive    = hivewrite.Hive
	Bin     = hivewrite.Bin
)

// HiveBinsOffset is the file offset of the hive bins data; see
// hivewrite.HiveBinsOffset.
const HiveBinsOffset = hivewrite.HiveBinsOffset

// Value types; see hive/hivewrite.
const (
	TypeNone                     = hivewrite.TypeNone
	TypeSZ                       = hivewrite.TypeSZ
	TypeExpandSZ                 = hivewrite.TypeExpandSZ
	TypeBinary                   = hivewrite.TypeBinary
	TypeDWORD                    = hivewrite.TypeDWORD
	TypeDWORDBigEndian           = hivewrite.TypeDWORDBigEndian
	TypeLink                     = hivewrite.TypeLink
	TypeMultiSZ                  = hivewrite.TypeMultiSZ
	TypeResourceList             = hivewrite.TypeResourceList
	TypeFullResourceDescriptor   = hivewrite.TypeFullResourceDescriptor
	TypeResourceRequirementsList = hivewrite.TypeResourceRequirementsList
	TypeQWORD                    = hivewrite.TypeQWORD
)

// Build lays out root as a hive file; see hivewrite.Build.
func Build(root *Key, opts Options) (*Hive, error) { return hivewrite.Build(root, opts) }

// Checksum returns the XOR-32 checksum of a base block; see
// hivewrite.Checksum.
func Checksum(base []byte) uint32 { return hivewrite.Checksum(base) }

// DefaultTime is the timestamp used where a description leaves one zero;
// see hivewrite.DefaultTime.
func DefaultTime() time.Time { return hivewrite.DefaultTime() }

// Value constructors; see hive/hivewrite.
func SZ(name, s string) Value                { return hivewrite.SZ(name, s) }
func ExpandSZ(name, s string) Value          { return hivewrite.ExpandSZ(name, s) }
func MultiSZ(name string, s ...string) Value { return hivewrite.MultiSZ(name, s...) }
func DWORD(name string, v uint32) Value      { return hivewrite.DWORD(name, v) }
func QWORD(name string, v uint64) Value      { return hivewrite.QWORD(name, v) }
func Binary(name string, b []byte) Value     { return hivewrite.Binary(name, b) }

// Transaction logs; see hive/hivewrite.
type (
	LogEntry = hivewrite.LogEntry
	LogPage  = hivewrite.LogPage
)

// NewLog returns a new-format transaction log of the hive file primary;
// see hivewrite.NewLog.
func NewLog(primary []byte, seq uint32, entries ...LogEntry) []byte {
	return hivewrite.NewLog(primary, seq, entries...)
}

// ChangedPages returns the pages a flush from before to after writes; see
// hivewrite.ChangedPages.
func ChangedPages(before, after []byte) []LogPage { return hivewrite.ChangedPages(before, after) }

// HbinsSize returns a hive file's hive bins data size; see
// hivewrite.HbinsSize.
func HbinsSize(file []byte) uint32 { return hivewrite.HbinsSize(file) }

// MarkDirty makes a hive file dirty at sequence number seq; see
// hivewrite.MarkDirty.
func MarkDirty(file []byte, seq uint32) { hivewrite.MarkDirty(file, seq) }
