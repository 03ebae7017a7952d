package scan

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/rs/zerolog"
	"golang.org/x/sync/semaphore"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/deleted"
	"github.com/hivescan/hivescan/hive/evidence"
	"github.com/hivescan/hivescan/hive/txlog"
)

// recovery recovers the deleted records of a host's hives (deleted.
// AnalyzeViews), one hive after another, on the host's own goroutine and,
// when the scan has cores no other host uses (Options.Jobs above the number
// of hosts), on helper goroutines that start at once: a host's recovery then
// runs beside its live analysis, which does not need it. Results are taken
// in the order of the hives, whoever computed them, so the report is the
// same either way.
//
// Each hive is recovered under its own evidence.Guard; a fault is handed to
// the goroutine that takes the result (see get), and stop must be called
// before the host's mappings are released.
type recovery struct {
	set    *hive.Set
	ctx    context.Context
	cancel context.CancelFunc
	next   atomic.Int64 // the next hive nobody has claimed
	out    []recovered
	done   []chan struct{}
	wg     sync.WaitGroup
}

// recovered is one hive's recovery.
type recovered struct {
	rec   *deleted.Records
	views deleted.Views
	err   error
}

// startRecovery prepares the recovery of set's hives and starts a helper for
// each core that spare yields (nil: none), up to one per hive after the
// first, which the host's goroutine takes itself.
func startRecovery(ctx context.Context, set *hive.Set, spare *semaphore.Weighted) *recovery {
	r := &recovery{set: set, out: make([]recovered, len(set.Entries)), done: make([]chan struct{}, len(set.Entries))}
	r.ctx, r.cancel = context.WithCancel(ctx)
	for i := range r.done {
		r.done[i] = make(chan struct{})
	}
	helpers := 0
	for i := 1; spare != nil && i < len(set.Entries) && spare.TryAcquire(1); i++ {
		helpers++
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer spare.Release(1)
			for r.claimAndRun() {
			}
		}()
	}
	if helpers > 0 {
		zerolog.Ctx(ctx).Debug().Str("host", set.Host).Int("helpers", helpers).Msg("deleted records recovered beside the live analysis")
	}
	return r
}

// claimAndRun recovers the next unclaimed hive, reporting false when none
// is left.
func (r *recovery) claimAndRun() bool {
	i := int(r.next.Add(1) - 1)
	if i >= len(r.out) {
		return false
	}
	defer close(r.done[i])
	if err := r.ctx.Err(); err != nil {
		r.out[i].err = err
		return true
	}
	e := r.set.Entries[i]
	logs := make([]txlog.Log, len(e.LogData))
	for j, l := range e.LogData {
		logs[j] = txlog.Log{Name: l.Path, Data: l.Data}
	}
	if err := evidence.Guard(func() {
		r.out[i].rec, r.out[i].views, r.out[i].err = deleted.AnalyzeViews(r.ctx, e.Hive, logs...)
	}); err != nil {
		r.out[i] = recovered{err: err}
	}
	return true
}

// get returns the recovery of hive i of the set, recovering on the calling
// goroutine the hives up to i that no helper has claimed. A fault while
// hive i was read is raised again on the caller (evidence.Relay), whose
// Guard ends the host as it would a fault of its own.
func (r *recovery) get(i int) recovered {
	for int(r.next.Load()) <= i {
		r.claimAndRun()
	}
	<-r.done[i]
	if errors.Is(r.out[i].err, evidence.ErrFault) {
		evidence.Relay(r.out[i].err)
	}
	return r.out[i]
}

// stop ends the helpers, whatever they are doing, and waits for them: no
// goroutine reads the host's hives once it returns.
func (r *recovery) stop() {
	r.cancel()
	r.wg.Wait()
}
