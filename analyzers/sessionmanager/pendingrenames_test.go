package sessionmanager

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// pendingValue encodes strings as REG_MULTI_SZ keeping empty strings, the
// way Windows writes PendingFileRenameOperations.
func pendingValue(name string, parts ...string) hivetest.Value {
	var b []byte
	for _, p := range append(parts, "") {
		for _, u := range utf16.Encode([]rune(p)) {
			b = append(b, byte(u), byte(u>>8))
		}
		b = append(b, 0, 0)
	}
	return hivetest.Value{Name: name, Type: hivetest.TypeMultiSZ, Data: b}
}

func TestParsePendingOps(t *testing.T) {
	v := pendingValue("x", `\??\C:\a.tmp`, "", `\??\C:\b.new`, `!\??\C:\b.dll`, `\??\C:\c`, `\??\C:\d`)
	got := parsePendingOps(v.Data)
	want := []pendingOp{{`\??\C:\a.tmp`, "", false}, {`\??\C:\b.new`, `\??\C:\b.dll`, true}, {`\??\C:\c`, `\??\C:\d`, false}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("op %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if got := parsePendingOps(nil); got != nil {
		t.Errorf("empty data: %+v", got)
	}
}

func TestPendingRenames(t *testing.T) {
	tests := []struct {
		name     string
		parts    []string
		allow    bool
		want     []string // rule:severity per finding, in order found
		contains string
	}{
		{"installer delete in Temp", []string{`\??\C:\Users\bob\AppData\Local\Temp\nsx1.tmp\nsProcess.dll`, ""}, false, []string{"pending.operation:info"}, "delete"},
		{"msi rollback delete", []string{`\??\C:\Config.Msi\a014fa5.rbf`, "", `\??\C:\Config.Msi\a014fa6.rbf`, ""}, false, []string{"pending.operation:info", "pending.operation:info"}, "Config.Msi"},
		{"program update in Program Files", []string{`\??\C:\Program Files\App\app.exe.new`, `!\??\C:\Program Files\App\app.exe`}, false, []string{"pending.operation:info"}, "replace"},
		{"driver in System32 replaced", []string{`\??\C:\Windows\System32\drivers\new.sys`, `!\??\C:\Windows\System32\drivers\beep.sys`}, false, []string{"pending.system-binary:high"}, `C:\Windows\System32\drivers\beep.sys`},
		{"dll deleted from System32", []string{`\??\C:\Windows\System32\amsi.dll`, ""}, false, []string{"pending.system-binary:high"}, "delete"},
		{"tmp file in drivers", []string{`\??\C:\WINDOWS\System32\drivers\SETEAC4.tmp`, ""}, false, []string{"pending.operation:info"}, ""},
		{"lsass replaced", []string{`\??\C:\Windows\System32\lsass.new`, `!\??\C:\Windows\System32\lsass.exe`}, true, []string{"pending.critical-target:critical", "pending.allow-protected:low"}, "AllowProtectedRenames is set"},
		{"ntdll from Temp", []string{`\??\C:\Windows\Temp\x.dat`, `!\??\C:\Windows\System32\ntdll.dll`}, false, []string{"pending.critical-target:critical"}, "ntdll.dll"},
		{"program from Public to System32", []string{`\??\C:\Users\Public\update.exe`, `\??\C:\Windows\System32\wuaupd.exe`}, false, []string{"pending.user-writable-source:critical"}, `C:\Users\Public\update.exe`},
		{"program from Temp to Program Files", []string{`\??\C:\Users\bob\AppData\Local\Temp\up.exe`, `!\??\C:\Program Files\App\up.exe`}, false, []string{"pending.user-writable-source:high"}, "user-writable"},
		{"fake svchost created in ProgramData", []string{`\??\C:\Windows\Temp\a`, `\??\C:\ProgramData\svchost.exe`}, false, []string{"pending.user-writable-source:critical"}, "svchost.exe"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
			cs := samples.At(sys.Root, "ControlSet001")
			samples.Set(cs, `Control\Session Manager`, pendingValue("PendingFileRenameOperations", tc.parts...))
			if tc.allow {
				samples.Set(cs, `Control\Session Manager`, hivetest.DWORD("AllowProtectedRenames", 1))
			}
			fs := analysistest.Run(t, PendingRenames, analysistest.HostOf(t, "h", sys))
			var got []string
			for _, f := range fs {
				got = append(got, f.Rule+":"+f.Severity.String())
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			f := fs[0]
			if !strings.Contains(f.Title+" "+f.Detail, tc.contains) {
				t.Errorf("finding does not mention %q: %s / %s", tc.contains, f.Title, f.Detail)
			}
			if d, ok := f.Data.([]string); !ok || len(d) != 2 || d[0] != tc.parts[0] || d[1] != tc.parts[1] {
				t.Errorf("data %#v", f.Data)
			}
			if f.ControlSet != "ControlSet001" || *f.Value != "PendingFileRenameOperations" {
				t.Errorf("location %s %v", f.ControlSet, *f.Value)
			}
		})
	}
}

// PendingFileRenameOperations2 is read too.
func TestPendingRenamesSecondValue(t *testing.T) {
	sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
	cs := samples.At(sys.Root, "ControlSet001")
	samples.Set(cs, `Control\Session Manager`, pendingValue("PendingFileRenameOperations2", `\??\C:\Windows\System32\x.new`, `!\??\C:\Windows\System32\winlogon.exe`))
	fs := analysistest.Run(t, PendingRenames, analysistest.HostOf(t, "h", sys))
	if len(fs) != 1 || fs[0].Severity != report.Critical || *fs[0].Value != "PendingFileRenameOperations2" {
		t.Fatalf("got %+v", fs)
	}
}

// An operation listed twice (Windows does this) is reported once, saying so.
func TestPendingRenamesDuplicates(t *testing.T) {
	sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
	cs := samples.At(sys.Root, "ControlSet001")
	samples.Set(cs, `Control\Session Manager`, pendingValue("PendingFileRenameOperations", `\??\C:\a.new`, `!\??\C:\a.txt`, `\??\C:\b.tmp`, "", `\??\C:\a.new`, `!\??\C:\a.txt`))
	fs := analysistest.Run(t, PendingRenames, analysistest.HostOf(t, "h", sys))
	if len(fs) != 2 {
		t.Fatalf("got %d findings: %+v", len(fs), fs)
	}
	n := 0
	for _, f := range fs {
		if strings.Contains(f.Detail, "2 times") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d findings note the repetition, want 1", n)
	}
}

func Example_parsePendingOps() {
	data := pendingValue("PendingFileRenameOperations",
		`\??\C:\Windows\Temp\wl.tmp`, `!\??\C:\Windows\System32\winlogon.exe`,
		`\??\C:\Users\bob\AppData\Local\Temp\old.log`, "").Data
	for _, op := range parsePendingOps(data) {
		fmt.Printf("%s %s -> %q\n", op.kind(), op.Source, op.Dest)
	}
	// Output:
	// replace \??\C:\Windows\Temp\wl.tmp -> "\\??\\C:\\Windows\\System32\\winlogon.exe"
	// delete \??\C:\Users\bob\AppData\Local\Temp\old.log -> ""
}
