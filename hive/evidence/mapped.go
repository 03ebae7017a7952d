package evidence

import (
	"sync"
	"unsafe"
)

// mappings are the address ranges of the files mapped now, so that Guard
// tells a fault in one (the file changed under the scan) from any other
// bad address (a bug, which must not pass as the evidence's fault).
var mappings struct {
	sync.Mutex
	ranges map[uintptr]uintptr // start -> end
}

// track records b as mapped and returns the function that forgets it.
func track(b []byte) func() {
	if len(b) == 0 {
		return func() {}
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	mappings.Lock()
	if mappings.ranges == nil {
		mappings.ranges = map[uintptr]uintptr{}
	}
	mappings.ranges[start] = start + uintptr(len(b))
	mappings.Unlock()
	return func() {
		mappings.Lock()
		delete(mappings.ranges, start)
		mappings.Unlock()
	}
}

// inMapping reports whether addr lies in a file mapped now.
func inMapping(addr uintptr) bool {
	mappings.Lock()
	defer mappings.Unlock()
	for start, end := range mappings.ranges {
		if addr >= start && addr < end {
			return true
		}
	}
	return false
}
