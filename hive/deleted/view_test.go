package deleted

import (
	"context"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
)

// A Run value deleted the way Windows deletes it (the last in its list) is
// placed back in its key in the view, beside the live values; a deleted
// service key comes back at its path with its values.
func TestViewPlacesDeletedRunValueAndKey(t *testing.T) {
	run := &hivetest.Key{Name: "Run", Values: []hivetest.Value{
		hivetest.SZ("SecurityHealth", `%windir%\system32\SecurityHealthSystray.exe`),
		hivetest.SZ("Updater", `C:\Windows\System32\drivers\smss.exe`),
	}}
	root := &hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{
		{Name: "Microsoft", Subkeys: []*hivetest.Key{{Name: "Windows", Subkeys: []*hivetest.Key{{Name: "CurrentVersion", Subkeys: []*hivetest.Key{run}}}}}},
		{Name: "Classes", DeletedSubkeys: []*hivetest.Key{{Name: "evil", Values: []hivetest.Value{hivetest.SZ("x", "y")}}}},
	}}
	b, err := hivetest.Build(root, hivetest.Options{FileName: `\SystemRoot\System32\Config\SOFTWARE`})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.FreeValue(`Microsoft\Windows\CurrentVersion\Run`, "Updater"); err != nil {
		t.Fatal(err)
	}
	b.Fix()
	h, err := hive.Parse(b.Bytes, "SOFTWARE")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Key(`Microsoft\Windows\CurrentVersion\Run`); err != nil {
		t.Fatal(err)
	}
	rec, view, st, err := Analyze(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	if view == nil {
		t.Fatalf("no view; records %+v, stats %+v", rec, st)
	}
	if view.Kind() != hive.KindSoftware {
		t.Errorf("view kind %v", view.Kind())
	}
	k, err := view.Key(`Microsoft\Windows\CurrentVersion\Run`)
	if err != nil {
		t.Fatal(err)
	}
	v, err := k.Value("Updater")
	if err != nil {
		t.Fatalf("deleted value not placed: %v (stats %+v)", err, st)
	}
	if s, _ := v.Text(); s != `C:\Windows\System32\drivers\smss.exe` {
		t.Errorf("data %q", s)
	}
	if _, err := k.Value("SecurityHealth"); err != nil {
		t.Errorf("live value not copied beside it: %v", err)
	}
	ek, err := view.Key(`Classes\evil`)
	if err != nil {
		t.Fatalf("deleted key not placed: %v", err)
	}
	if _, err := ek.Value("x"); err != nil {
		t.Errorf("deleted key's value: %v", err)
	}
	if st.Keys != 1 || st.Values < 2 {
		t.Errorf("stats %+v", st)
	}
}

// A hive without deleted records has no view.
func TestViewNothingDeleted(t *testing.T) {
	b, err := hivetest.Build(&hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{{Name: "A", Values: []hivetest.Value{hivetest.DWORD("d", 1)}}}}, hivetest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := hive.Parse(b.Bytes, "x")
	if err != nil {
		t.Fatal(err)
	}
	_, view, _, err := Analyze(context.Background(), h)
	if err != nil || view != nil {
		t.Fatalf("view %v, err %v", view, err)
	}
}
