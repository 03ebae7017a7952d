package sessionmanager

import (
	"context"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

func TestPagingFiles(t *testing.T) {
	set := func(vals ...hivetest.Value) func(root, cs *hivetest.Key) {
		return func(root, cs *hivetest.Key) { samples.Set(cs, smPath+`\Memory Management`, vals...) }
	}
	runSMCases(t, PagingFiles, []smCase{
		{"default", noEdit, []string{"pagingfiles.inventory:info"}, `C:\pagefile.sys`},
		{"absent", func(root, cs *hivetest.Key) { samples.At(cs, smPath+`\Memory Management`).Values = nil }, nil, ""},
		{"fixed size on C", set(hivetest.MultiSZ("PagingFiles", `C:\pagefile.sys 384 768`)), []string{"pagingfiles.inventory:info"}, "384-768 MB"},
		{"on D", set(hivetest.MultiSZ("PagingFiles", `D:\pagefile.sys 0 0`), hivetest.MultiSZ("ExistingPageFiles", `\??\D:\pagefile.sys`)), []string{"pagingfiles.other-volume:low", "pagingfiles.other-volume:low", "pagingfiles.inventory:info"}, `D:\pagefile.sys`},
		{"disabled", set(hivetest.MultiSZ("PagingFiles")), []string{"pagingfiles.disabled:low", "pagingfiles.inventory:info"}, "disabled"},
		{"cleared", set(hivetest.DWORD("ClearPageFileAtShutdown", 1)), []string{"pagingfiles.clear-at-shutdown:low", "pagingfiles.inventory:info"}, "overwrite"},
	})
}

func TestParsePagingFiles(t *testing.T) {
	got := parsePagingFiles([]string{`C:\pagefile.sys 384 768`, `?:\pagefile.sys`, `E:\page files\pagefile.sys 16 32`})
	want := []pagingEntry{{`C:\pagefile.sys`, "384", "768"}, {`?:\pagefile.sys`, "", ""}, {`E:\page files\pagefile.sys`, "16", "32"}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestDamagedValueIsAProblem: a PagingFiles value whose data cell cannot be
// read was once taken for "no paging file to report"; it must make the run
// fail with the reason instead of passing as clean.
func TestDamagedValueIsAProblem(t *testing.T) {
	sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
	samples.Set(samples.At(sys.Root, "ControlSet001"), smPath+`\Memory Management`,
		hivetest.MultiSZ("PagingFiles", `C:\pagefile.sys 384 768`, `D:\pagefile.sys 1024 2048`))
	sys.After = func(h *hivetest.Hive) error {
		return h.SetValueSize(`\ControlSet001\`+smPath+`\Memory Management`, "PagingFiles", 0x100000)
	}
	res := analysis.Run(context.Background(), analysistest.HostOf(t, "h", sys), []*analysis.Analyzer{PagingFiles})
	if len(res.Runs) != 1 || res.Runs[0].Status != report.Failed || !strings.Contains(res.Runs[0].Reason, "PagingFiles") {
		t.Fatalf("runs = %+v; want one failed run naming PagingFiles", res.Runs)
	}
}
