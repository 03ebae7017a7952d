package evidence

import (
	"context"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// Parts runs n independent parts of one host's work, each exactly once: on
// helper goroutines, one per core taken from a semaphore of spare cores, and
// on the goroutine that asks for their results (Get), which does the parts
// no helper has claimed yet. Whoever runs a part, its result is taken in
// the order the caller asks for it, so the outcome does not depend on the
// number of helpers.
//
// Each part runs under its own Guard; a fault in a part is raised again on
// the goroutine that asks for it (Relay), whose Guard then ends the host as
// if the fault had been its own. Wait must be called before the mappings
// the parts read are released, also after a fault.
type Parts struct {
	run    func(ctx context.Context, i int)
	ctx    context.Context
	cancel context.CancelFunc
	next   atomic.Int64 // the next part nobody has claimed
	fault  []error
	done   []chan struct{}
	wg     sync.WaitGroup
	// Helpers is how many helper goroutines started.
	Helpers int
}

// StartParts prepares parts 0 to n-1 of run and starts a helper for each
// core spare yields (nil: none), at most n-1: the asking goroutine counts
// as one. run is given a context that Wait cancels.
func StartParts(ctx context.Context, n int, spare *semaphore.Weighted, run func(ctx context.Context, i int)) *Parts {
	p := &Parts{run: run, fault: make([]error, n), done: make([]chan struct{}, n)}
	p.ctx, p.cancel = context.WithCancel(ctx)
	for i := range p.done {
		p.done[i] = make(chan struct{})
	}
	ready := make(chan struct{}) // no core comes back before all are taken
	for p.Helpers+1 < n && spare != nil && spare.TryAcquire(1) {
		p.Helpers++
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer spare.Release(1)
			<-ready
			for p.claimAndRun() {
			}
		}()
	}
	close(ready)
	return p
}

// claimAndRun runs the next unclaimed part, reporting false when none is
// left.
func (p *Parts) claimAndRun() bool {
	i := int(p.next.Add(1) - 1)
	if i >= len(p.done) {
		return false
	}
	defer close(p.done[i])
	p.fault[i] = Guard(func() { p.run(p.ctx, i) })
	return true
}

// Get waits for part i, running on the calling goroutine the parts up to i
// that no helper has claimed, and raises again a fault that part i met
// (Relay): call it under Guard.
func (p *Parts) Get(i int) {
	for int(p.next.Load()) <= i {
		p.claimAndRun()
	}
	<-p.done[i]
	if p.fault[i] != nil {
		Relay(p.fault[i])
	}
}

// Wait cancels the parts' context and waits for the helpers: once it
// returns, no helper reads anything any more. The parts still unclaimed run
// with the cancelled context, at which run should return at once.
func (p *Parts) Wait() {
	p.cancel()
	p.wg.Wait()
}
