package evidence

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// ErrFault is returned by Guard when reading memory faulted: a
// memory-mapped evidence file was shortened, or its storage failed, while
// it was read.
var ErrFault = errors.New("evidence file faulted while read (shortened or unreadable since it was opened)")

// faulter is the runtime error of a memory fault.
type faulter interface {
	error
	Addr() uintptr
}

// Guard runs fn on the calling goroutine with memory faults turned into
// ErrFault instead of crashing the process, so that a mapped hive that
// changes under the scan (LoadOptions.MapAbove) costs its host, not the
// run. Other panics, faults at addresses outside every mapped file (a nil
// pointer) among them, go on unchanged. fn must not start goroutines that touch
// mapped bytes: the guard covers the calling goroutine only.
func Guard(fn func()) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			f, ok := p.(faulter)
			if !ok || !inMapping(f.Addr()) {
				panic(p)
			}
			err = fmt.Errorf("%w: %v", ErrFault, f)
		}
	}()
	fn()
	return nil
}
