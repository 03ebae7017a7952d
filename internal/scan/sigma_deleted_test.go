package scan

import (
	"context"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/analyzers/sigma"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
)

// Sigma's registry_delete rules run on the deleted records the scan
// recovers: a task's SD value deleted from the hive's value list (the
// hidden-task technique) and a deleted Terminal Server Client server key
// are found, and nothing else is called a deletion (the live SD of another
// task, the live server key beside the deleted one).
func TestSigmaDeletionRulesOnRecoveredRecords(t *testing.T) {
	sd := []byte{1, 0, 4, 0x80, 0, 0, 0, 0}
	sw := &hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{nestKeys([]string{"Microsoft", "Windows NT", "CurrentVersion", "Schedule", "TaskCache"},
		&hivetest.Key{Name: "Tree", Subkeys: []*hivetest.Key{
			{Name: "Updater", Values: []hivetest.Value{hivetest.Binary("SD", sd), hivetest.SZ("Id", "{11111111-2222-3333-4444-555555555555}")}},
			{Name: "Hidden", Values: []hivetest.Value{hivetest.SZ("Id", "{66666666-2222-3333-4444-555555555555}"), hivetest.Binary("SD", sd)}},
		}})}}
	nt := &hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{nestKeys([]string{"Software", "Microsoft", "Terminal Server Client"},
		&hivetest.Key{Name: "Servers", Subkeys: []*hivetest.Key{{Name: "intranet.example.org", Values: []hivetest.Value{hivetest.SZ("UsernameHint", `corp\mallory`)}}},
			DeletedSubkeys: []*hivetest.Key{{Name: "10.0.0.5", Values: []hivetest.Value{hivetest.SZ("UsernameHint", `corp\admin`)}}}})}}
	set := &hive.Set{Host: "deleted"}
	for _, x := range []struct {
		root       *hivetest.Key
		name, path string
		user       string
	}{{sw, `\SystemRoot\System32\Config\SOFTWARE`, "SOFTWARE", ""}, {nt, `\??\C:\Users\mallory\ntuser.dat`, "NTUSER.DAT", "mallory"}} {
		b, err := hivetest.Build(x.root, hivetest.Options{FileName: x.name})
		if err != nil {
			t.Fatal(err)
		}
		if x.path == "SOFTWARE" { // deleted as Windows deletes it: the list's slack still names it
			if err := b.FreeValue(`Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tree\Hidden`, "SD"); err != nil {
				t.Fatal(err)
			}
			b.Fix()
		}
		h, err := hive.Parse(b.Bytes, x.path)
		if err != nil {
			t.Fatal(err)
		}
		set.Add(&hive.Entry{Hive: h, Path: x.path, User: x.user})
	}
	rs, err := sigma.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	list := []*analyzers.Analyzer{sigma.New([]*sigma.Rules{rs}, sigma.Options{})}
	ctx := context.Background()
	live := analyzers.Run(ctx, set, list).Findings
	found, problems, _ := scanDeleted(ctx, startRecovery(ctx, set, nil), list, live)
	for _, p := range problems {
		t.Errorf("problem: %v", p)
	}
	got := map[string]bool{}
	for _, f := range found {
		if !strings.Contains(f.Detail, "matched a deletion") {
			continue
		}
		v := ""
		if f.Value != nil {
			v = `\` + *f.Value
		}
		got[f.Hive+" "+f.Key+v] = true
	}
	for _, w := range []string{
		`SOFTWARE \Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tree\Hidden\SD`,
		`NTUSER.DAT \Software\Microsoft\Terminal Server Client\Servers\10.0.0.5`,
	} {
		if !got[w] {
			t.Errorf("no deletion finding %s; got %v", w, got)
		}
		delete(got, w)
	}
	for g := range got {
		t.Errorf("unexpected deletion finding %s", g)
	}
}

func nestKeys(names []string, leaf *hivetest.Key) *hivetest.Key {
	for i := len(names) - 1; i >= 0; i-- {
		leaf = &hivetest.Key{Name: names[i], Subkeys: []*hivetest.Key{leaf}}
	}
	return leaf
}
