package hive

import (
	"errors"
	"fmt"
)

var (
	// ErrNotHive is returned for data that is not a registry hive at all
	// (no "regf" signature): empty files, text, other formats.
	ErrNotHive = errors.New("not a registry hive")
	// ErrWin9x is returned for Windows 9x/Me "CREG" registry files.
	ErrWin9x = errors.New("Windows 9x CREG registry file (not supported)")
	// ErrTransactionLog is returned when a transaction log (.LOG, .LOG1,
	// .LOG2) is opened as a primary hive.
	ErrTransactionLog = errors.New("registry transaction log, not a primary hive")
	// ErrTooLarge is returned when a hive exceeds Options.MaxSize.
	ErrTooLarge = errors.New("hive larger than the size limit")
	// ErrCycle is passed to a WalkFunc for a key already visited on the
	// way down: its subkey list points back into the tree.
	ErrCycle = errors.New("subkey cycle")
	// ErrTooDeep is passed to a WalkFunc for a key nested deeper than MaxDepth.
	ErrTooDeep = errors.New("key nesting deeper than the limit")
)

// FormatError reports malformed hive data at a byte offset of the file.
type FormatError struct {
	Name   string // the hive's name as given to Open/NewReader/Parse
	Offset int64  // absolute file offset of the offending structure
	Msg    string
}

func (e *FormatError) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("hive: %s at offset %#x", e.Msg, e.Offset)
	}
	return fmt.Sprintf("hive %s: %s at offset %#x", e.Name, e.Msg, e.Offset)
}
