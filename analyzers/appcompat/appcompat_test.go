package appcompat

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

const (
	flags   = `Microsoft\Windows NT\CurrentVersion\AppCompatFlags`
	vendor  = "{0b4cf5b4-0b0c-4d5c-9b73-3a3b5cd1e001}"
	evil    = "{6c7e3d2a-5f1b-4a8e-9d0c-2e4f6a8b0c02}"
	stamp   = 0x01d9a1b2c3d4e5f6
	uninst  = `Microsoft\Windows\CurrentVersion\Uninstall\`
	custom  = `C:\Windows\AppPatch\Custom\`
	custom6 = `C:\Windows\AppPatch\Custom\Custom64\`
)

// install registers database id as sdbinst does: InstalledSDB, one Custom
// value per program, and the Uninstall entry.
func install(sw *hivetest.Key, view, id, desc, file string, exes ...string) {
	samples.Set(sw, view+flags+`\InstalledSDB\`+id,
		hivetest.SZ("DatabaseDescription", desc),
		hivetest.ExpandSZ("DatabasePath", file),
		hivetest.QWORD("DatabaseInstallTimeStamp", stamp),
		hivetest.DWORD("DatabaseType", 0x10000))
	for _, exe := range exes {
		samples.Set(sw, view+flags+`\Custom\`+exe, hivetest.QWORD(id+".sdb", stamp))
	}
	samples.Set(sw, uninst+id+".sdb", hivetest.SZ("DisplayName", desc), hivetest.SZ("UninstallString", `C:\Windows\system32\sdbinst.exe -u "`+file+`"`))
}

func findings(t *testing.T, sw samples.Hive) []report.Finding {
	t.Helper()
	return analysistest.Run(t, Shims, analysistest.HostOf(t, "h", samples.System("PC", [4]uint32{1, 1, 1, 0}, 1), sw))
}

func TestShims(t *testing.T) {
	type want struct {
		rule string
		sev  report.Severity
		in   string // a word of the title
	}
	tests := []struct {
		name  string
		build func(sw *hivetest.Key)
		want  []want
	}{
		{"clean host", func(sw *hivetest.Key) {}, nil},
		{"vendor database for its own program", func(sw *hivetest.Key) {
			install(sw, "", vendor, "Acme Legacy Fix", custom+vendor+".sdb", "acmeapp.exe", "acmesetup.exe")
		}, []want{{"appcompat.sdb", report.Medium, "acmeapp.exe, acmesetup.exe"}}},
		{"shim on a critical process", func(sw *hivetest.Key) {
			install(sw, "", evil, "Microsoft KB2832077", custom6+evil+".sdb", "services.exe")
		}, []want{{"appcompat.sdb", report.High, "services.exe"}}},
		{"database in a user-writable folder", func(sw *hivetest.Key) {
			install(sw, "", evil, "Fix", `C:\Users\Public\Libraries\fix.sdb`, "acmeapp.exe")
		}, []want{{"appcompat.sdb", report.High, "acmeapp.exe"}}},
		{"32-bit registration matched by a native Custom entry", func(sw *hivetest.Key) {
			install(sw, `Wow6432Node\`, vendor, "Acme 32-bit Fix", custom+vendor+".sdb")
			samples.Set(sw, flags+`\Custom\acme32.exe`, hivetest.QWORD(vendor+".sdb", stamp))
		}, []want{{"appcompat.sdb", report.Medium, "acme32.exe"}}},
		{"custom entry without registration", func(sw *hivetest.Key) {
			samples.Set(sw, flags+`\Custom\acmeapp.exe`, hivetest.QWORD(vendor+".sdb", stamp))
		}, []want{{"appcompat.custom-unregistered", report.Low, "acmeapp.exe"}}},
		{"unregistered entry for a critical process", func(sw *hivetest.Key) {
			samples.Set(sw, flags+`\Custom\lsass.exe`, hivetest.QWORD(evil+".sdb", stamp))
		}, []want{{"appcompat.custom-unregistered", report.Medium, "lsass.exe"}}},
		{"registration no program names", func(sw *hivetest.Key) {
			install(sw, "", vendor, "Acme Driver Fix", custom+vendor+".sdb")
		}, []want{{"appcompat.sdb-unreferenced", report.Low, "Acme Driver Fix"}}},
		{"unreferenced registration in a user-writable folder", func(sw *hivetest.Key) {
			install(sw, "", evil, "x", `C:\ProgramData\x\x.sdb`)
		}, []want{{"appcompat.sdb-unreferenced", report.Medium, "x"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sw := samples.Software()
			tc.build(sw.Root)
			fs := findings(t, sw)
			if len(fs) != len(tc.want) {
				t.Fatalf("got %d findings, want %d: %+v", len(fs), len(tc.want), fs)
			}
			for i, w := range tc.want {
				f := fs[i]
				if f.Rule != w.rule || f.Severity != w.sev || !strings.Contains(f.Title, w.in) {
					t.Errorf("got %s %s %q, want %s %s about %q", f.Severity, f.Rule, f.Title, w.sev, w.rule, w.in)
				}
				if len(f.Attack) == 0 || f.Attack[0] != "T1546.011" || !strings.Contains(f.Detail, "Source: https://") || f.HiveKind != "SOFTWARE" {
					t.Errorf("attack %v, kind %s, detail %q", f.Attack, f.HiveKind, f.Detail)
				}
			}
		})
	}
}

// A registration whose Uninstall entry is missing says so; sdbinst's own
// registration does not.
func TestShimsUninstallEntry(t *testing.T) {
	sw := samples.Software()
	install(sw.Root, "", vendor, "Acme", custom+vendor+".sdb", "acmeapp.exe")
	if fs := findings(t, sw); len(fs) != 1 || strings.Contains(fs[0].Detail, "there is none") {
		t.Fatalf("with Uninstall entry: %+v", fs)
	}
	sw = samples.Software()
	samples.Set(sw.Root, flags+`\InstalledSDB\`+evil, hivetest.ExpandSZ("DatabasePath", custom+evil+".sdb"))
	samples.Set(sw.Root, flags+`\Custom\acmeapp.exe`, hivetest.QWORD(evil+".sdb", stamp))
	fs := findings(t, sw)
	if len(fs) != 1 || !strings.Contains(fs[0].Detail, "there is none") || fs[0].Severity != report.Medium {
		t.Fatalf("without Uninstall entry: %+v", fs)
	}
}

// On the corpus's real hives nothing is reported: none of its SOFTWARE hives
// registers a custom shim database (the Windows Sandbox differencing hive
// holds AppCompatFlags\CIT only; the NT 3.1 hive predates shims).
func TestShimsOnCorpus(t *testing.T) {
	allowed := map[string]string{} // rule → why its findings are expected on clean hives: none
	n := 0
	var seen []string
	for _, m := range corpus.Manifest(t) {
		if m.Kind != "SOFTWARE" {
			continue
		}
		h, err := hive.Open(corpus.Path(t, m.Path))
		if err != nil {
			t.Errorf("%s: %v", m.Path, err)
			continue
		}
		n++
		set := &hive.Set{Host: m.Path}
		set.Add(&hive.Entry{Hive: h, Path: m.Path})
		res := analysis.Run(context.Background(), set, []*analysis.Analyzer{Shims})
		if len(res.Problems) > 0 {
			t.Errorf("%s: problems %+v", m.Path, res.Problems)
		}
		for _, f := range res.Findings {
			seen = append(seen, f.Severity.String()+" "+f.Rule+" "+m.Path+" "+f.Key)
			if f.Severity > report.Low || allowed[f.Rule] == "" {
				t.Errorf("%s: %s %s: %s", m.Path, f.Severity, f.Rule, f.Title)
			}
		}
	}
	if n == 0 && corpus.CI() {
		t.Fatal("no SOFTWARE hive in the corpus")
	}
	sort.Strings(seen)
	t.Logf("%d SOFTWARE hives, %d findings:\n%s", n, len(seen), strings.Join(seen, "\n"))
}
