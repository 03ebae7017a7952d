package sessionmanager

import (
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

func TestKnownDLLBaselines(t *testing.T) {
	for i, v := range knownDLLVersions {
		l := knownDLLLists[i]
		if len(l.dlls) < 12 || !l.dlls["kernel32.dll"] || !l.dlls["user32.dll"] {
			t.Errorf("%s (%s): implausible list of %d DLLs", v.file, l.name, len(l.dlls))
		}
	}
	if len(wow64DLLs) == 0 || !wow64DLLs["wow64.dll"] {
		t.Errorf("wow64 list: %v", wow64DLLs)
	}
	if ex := expectationFor(0); ex.exact || ex.required["lpk.dll"] || !ex.required["kernel32.dll"] || !ex.allowed["lpk.dll"] {
		t.Errorf("unknown build: required %v", ex.required)
	}
	if ex := expectationFor(7601); !ex.exact || !ex.required["lpk.dll"] || ex.allowed["combase.dll"] {
		t.Errorf("Windows 7: %+v", ex)
	}
}

func TestKnownDLLs(t *testing.T) {
	sm := `Control\Session Manager`
	tests := []struct {
		name     string
		software bool
		edit     func(cs *hivetest.Key)
		want     []string // rule:severity, sorted as the driver sorts
		contains string
	}{
		{"default", true, func(cs *hivetest.Key) {}, nil, ""},
		{"default without SOFTWARE", false, func(cs *hivetest.Key) {}, nil, ""},
		{"default DllDirectory", true, func(cs *hivetest.Key) {
			samples.Set(cs, sm+`\KnownDLLs`, hivetest.ExpandSZ("DllDirectory", `%SystemRoot%\system32`), hivetest.ExpandSZ("DllDirectory32", `%SystemRoot%\SysWOW64`))
		}, nil, ""},
		{"extra DLL", true, func(cs *hivetest.Key) { samples.Set(cs, sm+`\KnownDLLs`, hivetest.SZ("evil", "evilhook.dll")) }, []string{"knowndlls.unknown:medium"}, "evilhook.dll"},
		{"Windows 7 DLL on Windows 10", true, func(cs *hivetest.Key) { samples.Set(cs, sm+`\KnownDLLs`, hivetest.SZ("LPK", "LPK.dll")) }, []string{"knowndlls.unknown:low"}, "Windows 7 lists it"},
		{"entry with a path", true, func(cs *hivetest.Key) {
			samples.Set(cs, sm+`\KnownDLLs`, hivetest.SZ("x", `..\..\Users\Public\x.dll`))
		}, []string{"knowndlls.path:high"}, "carries a path"},
		{"DllDirectory moved", true, func(cs *hivetest.Key) {
			samples.Set(cs, sm+`\KnownDLLs`, hivetest.ExpandSZ("DllDirectory", `C:\ProgramData\sys`))
		}, []string{"knowndlls.dlldirectory:critical"}, `C:\ProgramData\sys`},
		{"kernel32 removed", true, func(cs *hivetest.Key) {
			k := samples.At(cs, sm+`\KnownDLLs`)
			var keep []hivetest.Value
			for _, v := range k.Values {
				if v.Name != "kernel32" {
					keep = append(keep, v)
				}
			}
			k.Values = keep
		}, []string{"knowndlls.missing:medium"}, "kernel32.dll"},
		{"excluded", true, func(cs *hivetest.Key) {
			samples.Set(cs, sm, hivetest.MultiSZ("ExcludeFromKnownDlls", "version.dll", "user32.dll"))
		}, []string{"knowndlls.excluded:high", "knowndlls.excluded:high"}, "search-order hijacking"},
		{"empty exclusion", true, func(cs *hivetest.Key) { samples.Set(cs, sm, hivetest.MultiSZ("ExcludeFromKnownDlls")) }, nil, ""},
		{"safe search off", true, func(cs *hivetest.Key) { samples.Set(cs, sm, hivetest.DWORD("SafeDllSearchMode", 0)) }, []string{"knowndlls.safedllsearchmode-off:medium"}, "current directory"},
		{"safe search on", true, func(cs *hivetest.Key) { samples.Set(cs, sm, hivetest.DWORD("SafeDllSearchMode", 1)) }, nil, ""},
		{"cwd illegal", true, func(cs *hivetest.Key) { samples.Set(cs, sm, hivetest.DWORD("CWDIllegalInDllSearch", 0xffffffff)) }, []string{"knowndlls.cwdillegal:info"}, "always"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
			tc.edit(samples.At(sys.Root, "ControlSet001"))
			hives := []samples.Hive{sys}
			if tc.software {
				hives = append(hives, samples.Software())
			}
			fs := analysistest.Run(t, KnownDLLs, analysistest.HostOf(t, "h", hives...))
			var got []string
			for _, f := range fs {
				got = append(got, f.Rule+":"+f.Severity.String())
				if len(f.Attack) == 0 && f.Severity > report.Info {
					t.Errorf("%s has no ATT&CK id", f.Rule)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("got %v, want %v: %+v", got, tc.want, fs)
			}
			if len(fs) > 0 && !strings.Contains(fs[0].Title+" "+fs[0].Detail, tc.contains) {
				t.Errorf("finding does not mention %q: %s / %s", tc.contains, fs[0].Title, fs[0].Detail)
			}
		})
	}
}

// The knowndlls fallback for a build no list covers names the nearest list.
func TestKnownDLLsExpectationFallback(t *testing.T) {
	if ex := expectationFor(6002); !strings.Contains(ex.about, "nearest") || !strings.Contains(ex.about, "Windows 7") {
		t.Errorf("Vista build 6002: %s", ex.about)
	}
	if ex := expectationFor(22631); !strings.Contains(ex.about, "Windows 10") {
		t.Errorf("Windows 11: %s", ex.about)
	}
	if ex := expectationFor(1381); !ex.exact || !ex.required["crtdll.dll"] || ex.required["ole32.dll"] {
		t.Errorf("NT 4.0: %+v", ex)
	}
}
