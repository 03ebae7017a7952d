//go:build !linux

package scan

// totalMemory is the machine's physical memory in bytes, 0 when unknown.
func totalMemory() int64 { return 0 }
