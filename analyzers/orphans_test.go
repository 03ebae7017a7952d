package analyzers

import (
	"context"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/deleted"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// deletedView builds the deleted-records view of each sample hive, as the
// scan does, and returns them as one host.
func deletedView(t *testing.T, hives ...samples.Hive) *hive.Set {
	t.Helper()
	live := hostOf(t, "h", hives...)
	view := &hive.Set{Host: "h"}
	for _, e := range live.Entries {
		_, v, _, err := deleted.Analyze(context.Background(), e.Hive)
		if err != nil {
			t.Fatal(err)
		}
		if v != nil {
			view.Add(&hive.Entry{Hive: v, Path: e.Path, User: e.User, Deleted: true})
		}
	}
	return view
}

func TestDeletedOrphans(t *testing.T) {
	fs := runOn(t, DeletedOrphans, deletedView(t, samples.DeletedTraces().Hives...))
	if len(fs) != 1 {
		t.Fatalf("want the one orphaned encoded PowerShell value, got %d: %+v", len(fs), fs)
	}
	f := fs[0]
	if f.Severity != report.Critical || *f.Value != "SyncHelper" || f.Key != `\`+hive.DeletedUnknownKey || !f.Deleted || !f.LastWrite.IsZero() {
		t.Errorf("finding: %+v", f)
	}
	if !strings.Contains(f.Detail, "DownloadString('http://203.0.113.7/a')") {
		t.Errorf("detail should quote the decoded script: %s", f.Detail)
	}
	// Live hives hold no such key: nothing to report.
	if fs := runOn(t, DeletedOrphans, hostOf(t, "h", samples.DeletedTraces().Hives...)); len(fs) != 0 {
		t.Errorf("live hives: %+v", fs)
	}
}
