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

// relayed carries a fault that another goroutine's Guard returned.
type relayed struct{ err error }

// Relay raises again, on a goroutine running Guard, the error (wrapping
// ErrFault) that Guard returned on another goroutine which read the same
// mappings for it: that Guard returns err as if the fault had been its own.
// Called outside Guard it panics like any panic.
func Relay(err error) { panic(relayed{err}) }

// faulter is the runtime error of a memory fault.
type faulter interface {
	error
	Addr() uintptr
}

// Guard runs fn on the calling goroutine with memory faults turned into
// ErrFault instead of crashing the process, so that a mapped hive that
// changes under the scan (LoadOptions.MapAbove) costs its host, not the
// run. Other panics, faults at addresses outside every mapped file (a nil
// pointer) among them, go on unchanged. The guard covers the calling
// goroutine only: a goroutine fn starts that reads mapped bytes runs its own
// Guard, hands a fault back for Relay, and ends before the mappings are
// released.
func Guard(fn func()) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			if r, ok := p.(relayed); ok {
				err = r.err
				return
			}
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
