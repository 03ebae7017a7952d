package txlog

import "github.com/hivescan/hivescan/hive/internal/formaterr"

// FormatError reports a primary file that cannot be used at all: too short or
// not a registry primary file: Format is "txlog", Offset the byte offset, Msg
// what is wrong. It is the FormatError of every hive package; errors.Is
// matches it with hive.ErrDamaged.
type FormatError = formaterr.Error

func formatError(off int64, msg string) *FormatError { return formaterr.New("txlog", off, msg) }
