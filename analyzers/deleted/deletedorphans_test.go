package deleted

import (
	"context"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/deleted"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// deletedView builds the deleted-records view of each sample hive, as the
// scan does, and returns them as one host.
func deletedView(t *testing.T, hives ...samples.Hive) *hive.Set {
	t.Helper()
	live := analysistest.HostOf(t, "h", hives...)
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

// The sample's SyncHelper was deleted from the middle of its Run list; the
// hive bin neighbourhood and the list's spare slot place it back under Run,
// so it is no orphan. A value with no trace of its key is judged on its own.
func TestDeletedOrphans(t *testing.T) {
	if fs := analysistest.Run(t, DeletedOrphans, deletedView(t, samples.DeletedTraces().Hives...)); len(fs) != 0 {
		t.Errorf("SyncHelper should be placed under Run, not orphaned: %+v", fs)
	}
	cmd := "powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA"
	// Between the key cells of two sibling keys nothing tells which held it.
	h := samples.NTUser("dave")
	sw := samples.At(h.Root, "Software")
	sw.Subkeys = append(sw.Subkeys, &hivetest.Key{Name: "AAA", DeletedValues: []hivetest.Value{hivetest.SZ("SyncHelper", cmd)}}, &hivetest.Key{Name: "AAB"})
	fs := analysistest.Run(t, DeletedOrphans, deletedView(t, h))
	if len(fs) != 1 {
		t.Fatalf("want the one orphaned encoded PowerShell value, got %d: %+v", len(fs), fs)
	}
	f := fs[0]
	if f.Severity != report.Critical || *f.Value != "SyncHelper" || f.Key != `\`+hive.DeletedUnknownKey || !f.Deleted || !f.LastWrite.IsZero() {
		t.Errorf("finding: %+v", f)
	}
	if !strings.Contains(f.Detail, "New-Object Net.WebClient") {
		t.Errorf("detail should quote the decoded script: %s", f.Detail)
	}
	// Live hives hold no such key: nothing to report.
	if fs := analysistest.Run(t, DeletedOrphans, analysistest.HostOf(t, "h", samples.DeletedTraces().Hives...)); len(fs) != 0 {
		t.Errorf("live hives: %+v", fs)
	}
}
