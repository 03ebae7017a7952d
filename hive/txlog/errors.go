package txlog

import "fmt"

// FormatError reports a primary file that cannot be used at all: too short
// or not a registry primary file. Off is the byte offset of the problem.
type FormatError struct {
	Off int64
	Msg string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("txlog: %s (offset %#x)", e.Msg, e.Off)
}
