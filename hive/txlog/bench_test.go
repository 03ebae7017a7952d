package txlog

import (
	"bytes"
	"testing"
)

// BenchmarkRecover replays the largest dirty set in the corpus with logs
// (regipy's SYSTEM_B: 12 MiB primary, 24 entries in two 3 MiB logs); Copy
// is the cost of merely copying the primary, the floor for Recover.
func BenchmarkRecover(b *testing.B) {
	const rg = "mkorman90__regipy/regipy_tests/data/"
	primary, logs := readSet(b, rg+"SYSTEM_B", rg+"SYSTEM_B.LOG1", rg+"SYSTEM_B.LOG2")
	b.Run("Replay", func(b *testing.B) {
		b.SetBytes(int64(len(primary)))
		for b.Loop() {
			res, err := Recover(primary, logs)
			if err != nil || len(res.Applied) != 2 {
				b.Fatalf("%v %v", err, res.Applied)
			}
		}
	})
	b.Run("Copy", func(b *testing.B) {
		b.SetBytes(int64(len(primary)))
		for b.Loop() {
			_ = bytes.Clone(primary)
		}
	})
}
