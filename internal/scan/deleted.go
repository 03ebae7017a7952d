package scan

import (
	"context"
	"fmt"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/deleted"
	"github.com/hivescan/hivescan/report"
)

// deletedNote is appended to the detail of findings made from deleted data.
const deletedNote = "Recovered from deleted registry data (an unallocated cell or cell slack of the hive): the entry no longer exists in the live hive, but it did, and someone removed it. Its key's last-write time may show when."

// scanDeleted recovers the deleted keys and values of every hive of set,
// runs the analyzers over a view of them, and returns the findings the live
// hives did not already give, marked deleted, with notes per hive path.
func scanDeleted(ctx context.Context, set *hive.Set, list []*analyzers.Analyzer, live []report.Finding) ([]report.Finding, []report.Problem, map[string][]string) {
	notes := map[string][]string{}
	var problems []report.Problem
	view := &hive.Set{Host: set.Host, Root: set.Root}
	for _, e := range set.Entries {
		if ctx.Err() != nil {
			break
		}
		rec, v, st, err := deleted.Analyze(ctx, e.Hive)
		if err != nil {
			problems = append(problems, report.Problem{Host: set.Host, Path: e.Path, Message: "deleted records: " + err.Error()})
			continue
		}
		if n := len(rec.Keys) + len(rec.Values); n > 0 {
			notes[e.Path] = append(notes[e.Path], fmt.Sprintf("deleted records: %d keys and %d values recovered; %d keys and %d values placed at their key for analysis, %d values of unknown keys (judged on their own), %d without their data",
				len(rec.Keys), len(rec.Values), st.Keys, st.Values, st.Unplaced, st.NoData))
		}
		if v != nil {
			view.Add(&hive.Entry{Hive: v, Path: e.Path, User: e.User, Label: e.Label, Logs: e.Logs, Deleted: true})
		}
	}
	if len(view.Entries) == 0 || list == nil {
		return nil, problems, notes
	}
	seen := map[string]bool{}
	for _, f := range live {
		seen[report.Fingerprint(f)] = true
	}
	res := analyzers.Run(ctx, view, list)
	var out []report.Finding
	for _, f := range res.Findings {
		if seen[report.Fingerprint(f)] {
			continue // the live hive has it too
		}
		f.Deleted = true
		f.Detail += " " + deletedNote
		out = append(out, f)
	}
	for _, p := range res.Problems {
		p.Message = "on deleted records: " + p.Message
		problems = append(problems, p)
	}
	return out, problems, notes
}
