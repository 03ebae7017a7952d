// Package formaterr holds the one error type for malformed data that hive
// and its subpackages (transaction logs, deleted records, partition tables,
// disk image formats) report. Each package exports it under the name
// FormatError.
package formaterr

import (
	"errors"
	"fmt"
	"strings"
)

// ErrDamaged is matched (errors.Is) by every *Error; package hive exports
// it as hive.ErrDamaged.
var ErrDamaged = errors.New("damaged data")

// Error reports malformed data of one format at a byte offset of a file.
type Error struct {
	Format string // what was being read: "hive", "txlog", "vhd", "partition table", ...
	File   string // the file at fault (or "segment N"); "" when there is one file
	Offset int64  // byte offset of the offending structure in that file
	Msg    string // what is wrong
	Err    error  // the underlying error, if any (returned by Unwrap)
}

// New returns an *Error of format at offset off.
func New(format string, off int64, msg string) *Error {
	return &Error{Format: format, Offset: off, Msg: msg}
}

// Error reads "FORMAT FILE: MSG: ERR at offset 0xOFF" (FILE and ERR only
// when set).
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Format)
	if e.File != "" {
		b.WriteString(" ")
		b.WriteString(e.File)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Err != nil {
		if e.Msg != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	fmt.Fprintf(&b, " at offset %#x", e.Offset)
	return b.String()
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is(err, ErrDamaged) match.
func (e *Error) Is(target error) bool { return target == ErrDamaged }
