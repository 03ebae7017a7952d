package scan

import (
	"context"

	"github.com/rs/zerolog"
	"golang.org/x/sync/semaphore"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/deleted"
	"github.com/hivescan/hivescan/hive/evidence"
	"github.com/hivescan/hivescan/hive/txlog"
)

// recovery recovers the deleted records of a host's hives (deleted.
// AnalyzeViews), one hive after another, as evidence.Parts: on the host's
// own goroutine and, when the scan has cores no other host uses
// (Options.Jobs above the number of hosts), on helpers that start at once,
// so that a host's recovery runs beside its live analysis, which does not
// need it. Results are taken in the order of the hives, whoever computed
// them, so the report is the same either way. stop must be called before
// the host's mappings are released, also after a fault.
type recovery struct {
	set   *hive.Set
	out   []recovered
	parts *evidence.Parts
}

// recovered is one hive's recovery.
type recovered struct {
	rec   *deleted.Records
	views deleted.Views
	err   error
}

// startRecovery starts the recovery of set's hives, with a helper for each
// core spare yields (nil: none).
func startRecovery(ctx context.Context, set *hive.Set, spare *semaphore.Weighted) *recovery {
	r := &recovery{set: set, out: make([]recovered, len(set.Entries))}
	r.parts = evidence.StartParts(ctx, len(set.Entries), spare, func(ctx context.Context, i int) {
		if err := ctx.Err(); err != nil {
			r.out[i].err = err
			return
		}
		e := set.Entries[i]
		logs := make([]txlog.Log, len(e.LogData))
		for j, l := range e.LogData {
			logs[j] = txlog.Log{Name: l.Path, Data: l.Data}
		}
		r.out[i].rec, r.out[i].views, r.out[i].err = deleted.AnalyzeViews(ctx, e.Hive, logs...)
	})
	if n := r.parts.Helpers; n > 0 {
		zerolog.Ctx(ctx).Debug().Str("host", set.Host).Int("helpers", n).Msg("deleted records recovered beside the live analysis")
	}
	return r
}

// get returns the recovery of hive i of the set (evidence.Parts.Get: call
// it under Guard).
func (r *recovery) get(i int) recovered {
	r.parts.Get(i)
	return r.out[i]
}

// stop ends the helpers and waits for them: no goroutine reads the host's
// hives once it returns.
func (r *recovery) stop() { r.parts.Wait() }
