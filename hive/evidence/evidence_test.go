package evidence

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
)

// hiveBytes builds a small hive with an embedded name; kind probes need the
// right root keys, so SYSTEM gets Select and a control set.
func hiveBytes(t *testing.T, embedded string, rootKeys ...string) []byte {
	t.Helper()
	root := &hivetest.Key{Name: "ROOT"}
	for _, k := range rootKeys {
		root.Subkeys = append(root.Subkeys, &hivetest.Key{Name: k})
	}
	h, err := hivetest.Build(root, hivetest.Options{FileName: embedded})
	if err != nil {
		t.Fatal(err)
	}
	return h.Bytes
}

func logBytes(t *testing.T) []byte {
	h, err := hivetest.Build(&hivetest.Key{Name: "ROOT"}, hivetest.Options{FileType: 1})
	if err != nil {
		t.Fatal(err)
	}
	return h.Bytes[:4096]
}

type hostSummary struct {
	Name  string
	Root  string
	Label string
	Hives []string // path [user] +logs
}

func summarize(res *Result) []hostSummary {
	var out []hostSummary
	for _, h := range res.Hosts {
		s := hostSummary{Name: h.Name, Root: h.Root, Label: h.Label}
		for _, c := range h.Hives {
			line := c.Path
			if c.User != "" {
				line += " [" + c.User + "]"
			}
			for _, l := range c.Logs {
				line += " +" + l.Path[strings.LastIndex(l.Path, "/")+1:]
			}
			s.Hives = append(s.Hives, line)
		}
		out = append(out, s)
	}
	return out
}

func TestDiscoverGroupsHosts(t *testing.T) {
	sys := hiveBytes(t, `\SystemRoot\System32\Config\SYSTEM`, "Select", "ControlSet001")
	soft := hiveBytes(t, `emRoot\System32\Config\SOFTWARE`, "Microsoft", "Classes")
	user := hiveBytes(t, `\??\C:\Users\bob\ntuser.dat`, "Software", "Environment")
	fsys := fstest.MapFS{
		// A KAPE-style collection of one host.
		"cases/WS01/C/Windows/System32/config/SYSTEM":                           {Data: sys},
		"cases/WS01/C/Windows/System32/config/SYSTEM.LOG1":                      {Data: logBytes(t)},
		"cases/WS01/C/Windows/System32/config/system.log2":                      {Data: nil},
		"cases/WS01/C/Windows/System32/config/SOFTWARE":                         {Data: soft},
		"cases/WS01/C/Windows/System32/config/RegBack/SYSTEM":                   {Data: sys},
		"cases/WS01/C/Users/alice/NTUSER.DAT":                                   {Data: user},
		"cases/WS01/C/Users/alice/AppData/Local/Microsoft/Windows/UsrClass.dat": {Data: user},
		// An XP host.
		"cases/XP/Documents and Settings/joe/NTUSER.DAT": {Data: user},
		"cases/XP/WINDOWS/system32/config/software":      {Data: soft},
		// A flat folder with odd names.
		"cases/flat/SYSTEM.hiv":     {Data: sys},
		"cases/flat/ntuser (2).dat": {Data: user},
		"cases/flat/notes.txt":      {Data: []byte("not a hive")},
		// Things that are not hives.
		"cases/flat/SAM":         {Data: []byte("placeholder\n")},
		"cases/flat/orphan.LOG1": {Data: logBytes(t)},
		"cases/flat/old.dat":     {Data: append([]byte("CREG"), make([]byte, 100)...)},
	}
	res, err := Discover(context.Background(), Source{FS: fsys, Root: "cases", Name: "cases"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []hostSummary{
		{Name: "WS01", Root: "cases/WS01/C", Hives: []string{
			"cases/WS01/C/Users/alice/AppData/Local/Microsoft/Windows/UsrClass.dat [alice]",
			"cases/WS01/C/Users/alice/NTUSER.DAT [alice]",
			"cases/WS01/C/Windows/System32/config/SOFTWARE",
			"cases/WS01/C/Windows/System32/config/SYSTEM +SYSTEM.LOG1 +system.log2",
		}},
		{Name: "WS01 (RegBack)", Root: "cases/WS01/C", Label: hive.LabelRegBack, Hives: []string{"cases/WS01/C/Windows/System32/config/RegBack/SYSTEM"}},
		{Name: "XP", Root: "cases/XP", Hives: []string{
			"cases/XP/Documents and Settings/joe/NTUSER.DAT [joe]",
			"cases/XP/WINDOWS/system32/config/software",
		}},
		{Name: "flat", Root: "cases/flat", Hives: []string{"cases/flat/SYSTEM.hiv", "cases/flat/ntuser (2).dat"}},
	}
	if diff := cmp.Diff(want, summarize(res)); diff != "" {
		t.Errorf("hosts (-want +got):\n%s", diff)
	}
	var problems []string
	for _, p := range res.Problems {
		problems = append(problems, p.Path+": "+p.Message)
	}
	wantProblems := []string{
		"cases/flat/SAM: named like a hive but is not one (12 bytes, no regf signature)",
		"cases/flat/old.dat: Windows 9x/Me registry (CREG) file: not supported",
	}
	if diff := cmp.Diff(wantProblems, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if len(res.OrphanLogs) != 1 || res.OrphanLogs[0].Path != "cases/flat/orphan.LOG1" {
		t.Errorf("orphan logs: %+v", res.OrphanLogs)
	}
}

// Load reads, hashes and parses; a flat NTUSER gets its user from the
// embedded name; a dirty hive without logs says so.
func TestLoad(t *testing.T) {
	user := hiveBytes(t, `\??\C:\Users\bob\ntuser.dat`, "Software", "Environment")
	dirty, err := hivetest.Build(&hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{{Name: "Select"}, {Name: "ControlSet001"}}}, hivetest.Options{Sequence1: 5, Sequence2: 4})
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"h/ntuser (2).dat": {Data: user},
		"h/SYSTEM":         {Data: dirty.Bytes},
		"h/broken":         {Data: append([]byte("regf"), make([]byte, 100)...)},
	}
	src := Source{FS: fsys, Root: ".", Name: "ev"}
	res, err := Discover(context.Background(), src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hosts) != 1 {
		t.Fatalf("hosts: %+v", summarize(res))
	}
	l := Load(context.Background(), src, res.Hosts[0], LoadOptions{})
	got := map[string]File{}
	for _, f := range l.Files {
		got[f.Path] = f
	}
	if f := got["h/ntuser (2).dat"]; f.Kind != "NTUSER" || f.User != "bob" || len(f.SHA256) != 64 || f.Err != nil {
		t.Errorf("ntuser: %+v", f)
	}
	if f := got["h/SYSTEM"]; !f.Dirty || f.Kind != "SYSTEM" || len(f.Notes) == 0 || !strings.Contains(f.Notes[0], "no transaction logs") {
		t.Errorf("dirty system: %+v", f)
	}
	if f := got["h/broken"]; f.Err == nil || len(l.Problems) != 1 {
		t.Errorf("broken hive: %+v, problems %+v", f, l.Problems)
	}
	if l.Set.System() == nil || len(l.Set.Users()) != 1 || l.Set.Users()[0].User != "bob" {
		t.Errorf("set: %+v", l.Set.Entries)
	}
}

func TestPlaceAndHostName(t *testing.T) {
	tests := []struct{ path, root, user, label string }{
		{"Windows/System32/config/SAM", ".", "", ""},
		{"x/WINNT/system32/config/SYSTEM", "x", "", ""},
		{"Windows/System32/config/RegBack/SOFTWARE", ".", "", hive.LabelRegBack},
		{"Windows/ServiceProfiles/LocalService/NTUSER.DAT", ".", "LocalService", ""},
		{"Windows/AppCompat/Programs/Amcache.hve", ".", "", ""},
		{"Users/Bob Smith/AppData/Local/Microsoft/Windows/UsrClass.dat", ".", "Bob Smith", ""},
		{"loose/SYSTEM", "loose", "", ""},
		{"SYSTEM", ".", "", ""},
	}
	for _, tc := range tests {
		root, user, label := place(tc.path)
		if root != tc.root || user != tc.user || label != tc.label {
			t.Errorf("place(%q) = %q %q %q, want %q %q %q", tc.path, root, user, label, tc.root, tc.user, tc.label)
		}
	}
	for _, tc := range []struct{ srcRoot, name, root, want string }{
		{".", "/cases/host7", ".", "host7"},
		{".", "/cases", "WS01/C", "WS01"},
		{".", "/cases", "WS01/D:", "WS01"},
		{"cases", "cases", "cases/a/bb", "a/bb"},
		{".", "", ".", "evidence"},
	} {
		if got := hostName(Source{Root: tc.srcRoot, Name: tc.name}, tc.root); got != tc.want {
			t.Errorf("hostName(%q, %q) = %q, want %q", tc.name, tc.root, got, tc.want)
		}
	}
}

// The Windows folder's win.ini and system.ini join the host whose hives sit
// in the same installation, hashed and listed; ini files elsewhere, or of an
// installation without hives, are not read.
func TestTextFiles(t *testing.T) {
	sys := hiveBytes(t, `\SystemRoot\System32\Config\SYSTEM`, "Select", "ControlSet001")
	fsys := fstest.MapFS{
		"img/Windows/System32/config/SYSTEM": {Data: sys},
		"img/Windows/win.ini":                {Data: []byte("[windows]\r\nload=x.exe\r\n")},
		"img/WINDOWS/SYSTEM.INI":             {Data: []byte("[boot]\r\nshell=explorer.exe\r\n")},
		"img/Windows/System32/win.ini":       {Data: []byte("not the Windows folder's")},
		"other/Windows/win.ini":              {Data: []byte("no hive beside it")},
		"img/Windows/system.ini.bak":         {Data: []byte("[boot]")},
	}
	src := Source{FS: fsys, Root: ".", Name: "ev"}
	res, err := Discover(context.Background(), src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hosts) != 1 || len(res.Problems) != 0 {
		t.Fatalf("hosts %+v, problems %+v", summarize(res), res.Problems)
	}
	h := res.Hosts[0]
	if len(h.Texts) != 2 || h.Texts[0].Path != "img/WINDOWS/SYSTEM.INI" || h.Texts[1].Path != "img/Windows/win.ini" {
		t.Fatalf("texts: %+v", h.Texts)
	}
	l := Load(context.Background(), src, h, LoadOptions{})
	if len(l.Set.Texts) != 2 || l.Set.Texts[0].Name != "system.ini" || string(l.Set.TextsNamed("win.ini")[0].Data) != "[windows]\r\nload=x.exe\r\n" {
		t.Errorf("set texts: %+v", l.Set.Texts)
	}
	n := 0
	for _, f := range l.Files {
		if f.Role == "text" {
			n++
			if f.Kind != "TEXT" || len(f.SHA256) != 64 || f.Err != nil {
				t.Errorf("text file: %+v", f)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d text files listed", n)
	}
}
