package scan

import (
	"fmt"

	"github.com/hivescan/hivescan/hive/evidence"
	"github.com/hivescan/hivescan/hive/txlog"
)

// replay applies transaction logs to work, a copy of a dirty hive (hive/txlog),
// and describes what it did for the report. It returns nil data when no log
// changed anything, so that the hive is parsed as found.
func replay(primary, work []byte, logs []evidence.NamedData) ([]byte, []string, error) {
	in := make([]txlog.Log, len(logs))
	for i, l := range logs {
		in[i] = txlog.Log{Name: l.Name, Data: l.Data}
	}
	res, err := txlog.RecoverInto(work, primary, in)
	if err != nil {
		return nil, nil, err
	}
	var notes []string
	for _, a := range res.Applied {
		notes = append(notes, fmt.Sprintf("applied %s (%s format): sequence %d-%d, %d entries, %d pages", a.Name, a.Format, a.FirstSeq, a.LastSeq, a.Entries, a.Pages))
	}
	for _, s := range res.Skipped {
		notes = append(notes, fmt.Sprintf("log %s not applied: %s", s.Name, s.Reason))
	}
	if res.BaseFromLog != "" {
		notes = append(notes, "base block taken from "+res.BaseFromLog+" (the primary's was invalid)")
	}
	if !res.Changed {
		if len(res.Applied) == 0 {
			notes = append(notes, "dirty hive scanned as is: no usable transaction log data, recent changes may be missing")
		}
		return nil, notes, nil
	}
	return res.Data, notes, nil
}
