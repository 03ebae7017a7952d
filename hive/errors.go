package hive

import (
	"errors"
	"fmt"

	"github.com/hivescan/hivescan/hive/internal/formaterr"
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
	// ErrDamaged is matched (errors.Is) by every error that says data
	// could not be read: a *FormatError (of this package or any of its
	// subpackages), and a lookup (Key, Subkey, Value) whose subkey or value
	// list is damaged so that the entry asked for may exist but cannot be
	// reached. Such an error never also matches fs.ErrNotExist, which means
	// only "not there": a lookup fails with fs.ErrNotExist only when the
	// whole list was read and holds no such entry.
	ErrDamaged = formaterr.ErrDamaged
)

// FormatError reports malformed data at a byte offset of a file. Package
// hive sets Format "hive", File the hive's name as given to
// Open/NewReader/Parse, and Offset the absolute file offset of the offending
// structure. The same type is the FormatError of hive's subpackages (txlog,
// deleted, the image formats), each with its own Format. errors.Is matches
// every FormatError with ErrDamaged.
type FormatError = formaterr.Error

// damaged returns err so that it matches ErrDamaged: as it is when it does
// already (a *FormatError does), wrapped otherwise.
func damaged(err error) error {
	if errors.Is(err, ErrDamaged) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrDamaged, err)
}
