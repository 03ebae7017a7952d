package evidence

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sync/semaphore"
)

// A fault in a part a helper ran is raised on the goroutine that asks for
// it, whose Guard returns it; the helper gives its core back.
func TestPartsRelayAHelpersFault(t *testing.T) {
	if !canMap {
		t.Skip("no memory-mapped files on this system")
	}
	p := filepath.Join(t.TempDir(), "hive")
	if err := os.WriteFile(p, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, unmap, err := mapFile(f, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer unmap()
	if err := os.Truncate(p, 0); err != nil {
		t.Fatal(err)
	}
	spare := semaphore.NewWeighted(1)
	started := make(chan struct{})
	var sum byte
	var ps *Parts
	err = Guard(func() {
		ps = StartParts(context.Background(), 2, spare, func(_ context.Context, i int) {
			if i == 0 {
				close(started)
			}
			sum += b[len(b)-1] // faults: the file is shorter than its mapping
		})
		<-started // part 0 is the helper's: this goroutine has not asked yet
		ps.Get(0)
	})
	ps.Wait()
	if ps.Helpers != 1 || !errors.Is(err, ErrFault) {
		t.Fatalf("%d helpers, guard returned %v, want a fault", ps.Helpers, err)
	}
	if !spare.TryAcquire(1) {
		t.Error("the helper kept its core")
	}
}

// Every part runs once, on whichever goroutine, and Get returns only once
// its part is done.
func TestPartsRunEachOnce(t *testing.T) {
	for _, spare := range []int64{0, 1, 7} {
		var sem *semaphore.Weighted
		if spare > 0 {
			sem = semaphore.NewWeighted(spare)
		}
		const n = 50
		var ran [n]int
		ps := StartParts(context.Background(), n, sem, func(_ context.Context, i int) { ran[i]++ })
		for i := range n {
			ps.Get(i)
			if ran[i] != 1 {
				t.Fatalf("spare %d: part %d ran %d times when Get returned", spare, i, ran[i])
			}
		}
		ps.Wait()
		if want := min(int(spare), n-1); ps.Helpers != want {
			t.Errorf("spare %d: %d helpers, want %d", spare, ps.Helpers, want)
		}
	}
}
