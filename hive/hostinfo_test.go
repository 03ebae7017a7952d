package hive_test

import (
	"encoding/binary"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/corpus"
)

// tree nests keys along a `\` path, the last holding values.
func tree(path string, vals ...hivetest.Value) *hivetest.Key {
	parts := strings.Split(path, `\`)
	k := &hivetest.Key{Name: parts[len(parts)-1], Values: vals}
	for i := len(parts) - 2; i >= 0; i-- {
		k = &hivetest.Key{Name: parts[i], Subkeys: []*hivetest.Key{k}}
	}
	return k
}

func parseBuilt(t *testing.T, root *hivetest.Key, name string) *hive.Hive {
	t.Helper()
	b, err := hivetest.Build(root, hivetest.Options{FileName: `\SystemRoot\System32\Config\` + name})
	if err != nil {
		t.Fatal(err)
	}
	h, err := hive.Parse(b.Bytes, name)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHostInfo(t *testing.T) {
	shutdown := time.Date(2024, 3, 15, 21, 26, 53, 589793200, time.UTC)
	var ft [8]byte
	binary.LittleEndian.PutUint64(ft[:], uint64(shutdown.UnixNano()/100)+116444736000000000)
	cs := &hivetest.Key{Name: "ControlSet001", Subkeys: []*hivetest.Key{{Name: "Control", Subkeys: []*hivetest.Key{
		tree(`ComputerName\ComputerName`, hivetest.SZ("ComputerName", "FINANCE-PC")),
		tree(`Windows`, hivetest.Binary("ShutdownTime", ft[:])),
		tree(`TimeZoneInformation`, hivetest.SZ("TimeZoneKeyName", "W. Europe Standard Time")),
	}}}}
	system := parseBuilt(t, &hivetest.Key{Subkeys: []*hivetest.Key{cs,
		tree(`Select`, hivetest.DWORD("Current", 1), hivetest.DWORD("Default", 1)),
	}}, "SYSTEM")
	software := parseBuilt(t, &hivetest.Key{Subkeys: []*hivetest.Key{
		{Name: "Classes"},
		{Name: "Microsoft", Subkeys: []*hivetest.Key{{Name: "Windows NT", Subkeys: []*hivetest.Key{{Name: "CurrentVersion",
			Values: []hivetest.Value{
				hivetest.SZ("ProductName", "Windows 10 Pro"), hivetest.SZ("EditionID", "Professional"),
				hivetest.SZ("CurrentVersion", "6.3"), hivetest.DWORD("CurrentMajorVersionNumber", 10), hivetest.DWORD("CurrentMinorVersionNumber", 0),
				hivetest.SZ("CurrentBuildNumber", "19045"), hivetest.DWORD("UBR", 2965), hivetest.SZ("DisplayVersion", "22H2"),
				hivetest.DWORD("InstallDate", 1700000000),
			},
			Subkeys: []*hivetest.Key{{Name: "ProfileList", Subkeys: []*hivetest.Key{
				{Name: "S-1-5-21-1-2-3-1001", Values: []hivetest.Value{hivetest.ExpandSZ("ProfileImagePath", `C:\Users\bob`)}},
				{Name: "S-1-5-19", Values: []hivetest.Value{hivetest.ExpandSZ("ProfileImagePath", `%systemroot%\ServiceProfiles\LocalService`)}},
			}}},
		}}}}},
	}}, "SOFTWARE")
	set := &hive.Set{Entries: []*hive.Entry{{Hive: system}, {Hive: software}}}
	got := set.Info()
	want := hive.HostInfo{
		ComputerName: "FINANCE-PC", ProductName: "Windows 10 Pro", EditionID: "Professional",
		Version: "10.0", Build: "19045", UBR: 2965, DisplayVersion: "22H2",
		InstallDate: time.Unix(1700000000, 0).UTC(), ShutdownTime: shutdown, TimeZone: "W. Europe Standard Time",
		Profiles: []hive.Profile{
			{SID: "S-1-5-19", Path: `%systemroot%\ServiceProfiles\LocalService`, Folder: "LocalService"},
			{SID: "S-1-5-21-1-2-3-1001", Path: `C:\Users\bob`, Folder: "bob"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Info (-want +got):\n%s", diff)
	}
	if got.OS() != "Windows 10 Pro 22H2 (10.0.19045.2965)" {
		t.Errorf("OS() = %q", got.OS())
	}
	for folder, sid := range map[string]string{"BOB": "S-1-5-21-1-2-3-1001", "NetworkService": "S-1-5-20", "systemprofile": "S-1-5-18"} {
		if s, ok := got.SIDFor(folder); !ok || s != sid {
			t.Errorf("SIDFor(%s) = %q, %v; want %s", folder, s, ok, sid)
		}
	}
	if _, ok := got.SIDFor("alice"); ok {
		t.Error("SIDFor(alice): a SID for a profile nobody lists")
	}
}

// On real hives, the computer name is what reglookup reads at the current
// control set.
func TestHostInfoCorpus(t *testing.T) {
	rl := corpus.RequireTool(t, "reglookup")
	for _, staged := range []string{"mkorman90__regipy/regipy_tests/data/SYSTEM", "mkorman90__regipy/regipy_tests/data/SYSTEM_2", "mkorman90__regipy/regipy_tests/data/SYSTEM_WIN_10_1709"} {
		p := corpus.Path(t, staged)
		h, err := hive.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		info := (&hive.Set{Entries: []*hive.Entry{{Hive: h}}}).Info()
		sel, err := h.Select()
		if err != nil {
			t.Fatal(err)
		}
		key := `/` + hive.ControlSetName(sel.Current) + `/Control/ComputerName/ComputerName`
		out, err := exec.Command(rl, "-H", "-t", "SZ", "-p", key, p).Output()
		if err != nil {
			t.Fatalf("reglookup: %v", err)
		}
		var want string
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Split(line, ",")
			if len(f) >= 3 && strings.HasSuffix(f[0], "/ComputerName") {
				want = f[2]
			}
		}
		if want == "" || info.ComputerName != want {
			t.Errorf("%s: ComputerName %q, reglookup %q", staged, info.ComputerName, want)
		}
		if info.ShutdownTime.IsZero() || len(info.Errs) > 0 {
			t.Errorf("%s: shutdown %v, errors %v", staged, info.ShutdownTime, info.Errs)
		}
	}
}
