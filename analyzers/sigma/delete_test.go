package sigma

import (
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/report"
)

// deletedSet is a host whose SOFTWARE and NTUSER hives each come with a
// view of deleted records, as internal/scan builds them: the view holds the
// deleted records, their live ancestors and live context values.
func deletedSet(t *testing.T) *hive.Set {
	tree := []string{"Microsoft", "Windows NT", "CurrentVersion", "Schedule", "TaskCache", "Tree"}
	liveSW := builtHive(t, `\SystemRoot\System32\Config\SOFTWARE`, nest(tree[:5], k("Tree", nil,
		k("Updater", vals(hivetest.Binary("SD", []byte{1, 0, 4, 0x80}), hivetest.SZ("Id", "{11111111-2222-3333-4444-555555555555}"))),
		k("Hidden", vals(hivetest.SZ("Id", "{66666666-2222-3333-4444-555555555555}"))))))
	// Hidden's SD was deleted (a hidden task); Updater's SD is live, copied
	// into the view as an ancestor's value.
	viewSW := builtHive(t, `\SystemRoot\System32\Config\SOFTWARE`, nest(tree[:5], k("Tree", nil,
		k("Updater", vals(hivetest.Binary("SD", []byte{1, 0, 4, 0x80}))),
		k("Hidden", vals(hivetest.Binary("SD", []byte{1, 0, 4, 0x80}))),
		// A task removed whole (software uninstalled): one DeleteKey, its
		// Index and SD are not "removed to hide it".
		k("Uninstalled", vals(hivetest.DWORD("Index", 3), hivetest.Binary("SD", []byte{1, 0, 4, 0x80}))))))
	servers := []string{"Software", "Microsoft", "Terminal Server Client", "Servers"}
	liveNT := builtHive(t, `\??\C:\Users\mallory\ntuser.dat`, nest(servers, k("intranet.example.org", vals(hivetest.SZ("UsernameHint", "corp\\mallory")))))
	viewNT := builtHive(t, `\??\C:\Users\mallory\ntuser.dat`, nest(servers[:3], k("Servers", nil,
		k("10.0.0.5", vals(hivetest.SZ("UsernameHint", "corp\\admin"))), // a deleted server key and its value
		k("intranet.example.org", nil))))                                // live
	set := &hive.Set{Host: "deleted"}
	set.Add(&hive.Entry{Hive: liveSW, Path: "SOFTWARE"})
	set.Add(&hive.Entry{Hive: viewSW, Path: "SOFTWARE", Deleted: true, Live: liveSW})
	set.Add(&hive.Entry{Hive: liveNT, Path: "NTUSER.DAT", User: "mallory"})
	set.Add(&hive.Entry{Hive: viewNT, Path: "NTUSER.DAT", User: "mallory", Deleted: true, Live: liveNT})
	return set
}

func TestDeletionRules(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*Rule{}
	for _, r := range rs.Rules {
		byName[RuleName(r)] = r
		if strings.Contains(r.File, "/registry_delete/") && r.Support == Unsupported {
			t.Errorf("%s: %s", r.File, r.Reason)
		}
	}
	got := map[string]bool{}
	for _, f := range runRules(t, deletedSet(t), Options{}, rs) {
		r := byName[f.Rule]
		if !strings.Contains(r.File, "/registry_delete/") {
			continue
		}
		v := ""
		if f.Value != nil {
			v = `\` + *f.Value
		}
		got[baseName(r.File)+" "+f.Key+v] = true
		if !f.Deleted {
			t.Errorf("%s on %s: not marked deleted", r.File, f.Key)
		}
		if !strings.Contains(f.Detail, "was deleted") || !strings.Contains(f.Detail, "the latest the deletion can have happened") {
			t.Errorf("%s: detail does not say what was deleted and when at the latest: %s", r.File, f.Detail)
		}
		if f.Severity < report.Medium {
			t.Errorf("%s: %v", r.File, f.Severity)
		}
	}
	want := []string{
		`registry_delete_schtasks_hide_task_via_sd_value_removal.yml \Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tree\Hidden\SD`,
		`registry_delete_mstsc_history_cleared.yml \Software\Microsoft\Terminal Server Client\Servers\10.0.0.5`,
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("no finding %s (got %v)", w, got)
		}
		delete(got, w)
	}
	for g := range got {
		t.Errorf("unexpected deletion finding %s (a live record copied into the view, or the key of a deleted value?)", g)
	}
	// And the index agrees with every rule on every event, deletions included.
	rules := runnable(t)
	set := deletedSet(t)
	if want, got := naiveMatches(t, set, rules), indexedMatches(t, set, rules); strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("indexed:\n%s\nnaive:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
