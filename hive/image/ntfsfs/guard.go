package ntfsfs

import (
	"fmt"
	"runtime/debug"
	"sync"

	"www.velocidex.com/golang/go-ntfs/parser"
)

var quietOnce sync.Once

// quiet keeps go-ntfs from printing. Its debug output goes to os.Stdout
// when NTFS_DEBUG has a bit of a subsystem set; when NTFS_DEBUG is zero it
// reads the NTFS_DEBUG environment variable and may turn every subsystem
// on. A bit outside all subsystems makes it non-zero and silent.
func quiet() {
	quietOnce.Do(func() { parser.NTFS_DEBUG = 1 << 40 })
}

// PanicError is a panic raised inside go-ntfs on malformed input,
// recovered into an error.
type PanicError struct {
	Op    string
	Value any
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("ntfs: %s: malformed volume (parser panic: %v)", e.Op, e.Value)
}

// guard runs fn, turning a panic into a *PanicError.
func guard(op string, fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Op: op, Value: v, Stack: debug.Stack()}
		}
	}()
	return fn()
}
