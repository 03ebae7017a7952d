package sessionmanager

import (
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

func TestBootExecute(t *testing.T) {
	tests := []struct {
		name     string
		lines    []string
		want     report.Severity // highest severity; Info with wantN 0 means nothing
		wantN    int
		contains string // in the title or detail of the first finding
	}{
		{"default", []string{"autocheck autochk *"}, report.Info, 0, ""},
		{"autochk with volumes", []string{`autocheck autochk /q /v \??\C: \??\D:`, "autocheck autochk *"}, report.Info, 0, ""},
		{"autochk with volume guid", []string{`autocheck autochk /p \??\Volume{6a2e0b3c-1c7e-11ef-9a1b-806e6f6e6963}`}, report.Info, 0, ""},
		{"empty", nil, report.Info, 0, ""},
		{"extra native program", []string{"autocheck autochk *", "sdelete64 -z C:"}, report.High, 1, `C:\Windows\System32\sdelete64.exe`},
		{"fake smss in drivers", []string{"autocheck autochk *", `\??\C:\Windows\System32\drivers\smss.exe`}, report.Critical, 1, "smss.exe"},
		{"autocheck prefix on another image", []string{"autocheck evil *"}, report.High, 1, "evil.exe"},
		{"fake autochk in Temp", []string{`autocheck \??\C:\Windows\Temp\autochk.exe *`}, report.High, 1, "Temp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
			cs := samples.At(sys.Root, "ControlSet001")
			samples.Set(cs, `Control\Session Manager`, hivetest.MultiSZ("BootExecute", tc.lines...))
			fs := analysistest.Run(t, BootExecute, analysistest.HostOf(t, "h", sys))
			if len(fs) != tc.wantN {
				t.Fatalf("got %d findings, want %d: %+v", len(fs), tc.wantN, fs)
			}
			if tc.wantN == 0 {
				return
			}
			if got := analysistest.MaxSeverity(fs); got != tc.want {
				t.Errorf("severity %v, want %v", got, tc.want)
			}
			f := fs[0]
			if !strings.Contains(f.Title+" "+f.Detail, tc.contains) {
				t.Errorf("finding does not mention %q: %s / %s", tc.contains, f.Title, f.Detail)
			}
			if f.ControlSet != "ControlSet001" || f.Key != `\ControlSet001\Control\Session Manager` || f.Value == nil || *f.Value != "BootExecute" {
				t.Errorf("location: %q %q %v", f.ControlSet, f.Key, f.Value)
			}
			if f.HiveKind != "SYSTEM" || f.LastWrite.IsZero() || f.Analyzer != "bootexecute" || f.Host != "h" {
				t.Errorf("evidence fields: %+v", f)
			}
		})
	}
}

// A finding present only in a non-current control set says so.
func TestBootExecuteNonCurrentSet(t *testing.T) {
	fs := analysistest.Run(t, BootExecute, analysistest.HostOf(t, "h", samples.FakeSmssBootExecute().Hives...))
	var only, both int
	for _, f := range fs {
		if strings.Contains(f.Detail, "not in the current control set") {
			only++
			if f.ControlSet != "ControlSet002" || f.Data != "bcdfix /quiet" {
				t.Errorf("non-current note on %s %v", f.ControlSet, f.Data)
			}
		} else {
			both++
		}
	}
	if only != 1 || both != 2 {
		t.Errorf("got %d findings noted as non-current and %d others, want 1 and 2", only, both)
	}
}

func TestBootExecuteOtherValues(t *testing.T) {
	tests := []struct {
		name     string
		val      hivetest.Value
		want     report.Severity
		wantN    int
		rule     string
		contains string
	}{
		{"poqexec default", hivetest.MultiSZ("SetupExecute", `C:\Windows\System32\poqexec.exe /display_progress \SystemRoot\WinSxS\pending.xml`), report.Info, 0, "", ""},
		{"poqexec skip critical", hivetest.MultiSZ("SetupExecute", `C:\Windows\System32\poqexec.exe /skip_critical_poq /display_progress \SystemRoot\WinSxS\pending.xml`), report.Info, 0, "", ""},
		{"poqexec NoPnpSync", hivetest.MultiSZ("SetupExecuteNoPnpSync", `%SystemRoot%\System32\poqexec.exe /display_progress \SystemRoot\WinSxS\pending.xml`), report.Info, 0, "", ""},
		{"poqexec other arguments", hivetest.MultiSZ("SetupExecute", `C:\Windows\System32\poqexec.exe /display_progress \??\C:\Users\Public\x.xml`), report.High, 1, "bootexecute.setupexecute", "poqexec.exe"},
		{"poqexec elsewhere", hivetest.MultiSZ("SetupExecute", `C:\ProgramData\poqexec.exe /display_progress \SystemRoot\WinSxS\pending.xml`), report.High, 1, "bootexecute.setupexecute", `C:\ProgramData\poqexec.exe`},
		{"bootim default", hivetest.ExpandSZ("BootShell", `%SystemRoot%\system32\bootim.exe`), report.Info, 0, "", ""},
		{"bootshell replaced", hivetest.ExpandSZ("BootShell", `%SystemRoot%\system32\cmd.exe`), report.High, 1, "bootexecute.bootshell", `cmd.exe`},
		{"noPnpSync autochk", hivetest.MultiSZ("BootExecuteNoPnpSync", "autocheck autochk *"), report.Info, 0, "", ""},
		{"noPnpSync extra", hivetest.MultiSZ("BootExecuteNoPnpSync", "wiper /all"), report.High, 1, "bootexecute.nondefault", `\System32\wiper.exe`},
		{"PlatformExecute anything", hivetest.MultiSZ("PlatformExecute", "nativeagent"), report.High, 1, "bootexecute.platformexecute", "nativeagent.exe"},
		{"Execute fake csrss", hivetest.MultiSZ("Execute", `\??\C:\Users\Public\csrss.exe`), report.Critical, 1, "bootexecute.execute", "csrss.exe"},
		{"S0InitialCommand", hivetest.SZ("S0InitialCommand", `C:\Windows\Temp\init.exe`), report.High, 1, "bootexecute.s0initialcommand", "init.exe"},
		{"empty SetupExecute", hivetest.MultiSZ("SetupExecute"), report.Info, 0, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
			samples.Set(samples.At(sys.Root, "ControlSet001"), `Control\Session Manager`, tc.val)
			fs := analysistest.Run(t, BootExecute, analysistest.HostOf(t, "h", sys, samples.Software()))
			if len(fs) != tc.wantN {
				t.Fatalf("got %d findings, want %d: %+v", len(fs), tc.wantN, fs)
			}
			if tc.wantN == 0 {
				return
			}
			f := fs[0]
			if f.Severity != tc.want || f.Rule != tc.rule || *f.Value != tc.val.Name {
				t.Errorf("got %v %s on %s, want %v %s", f.Severity, f.Rule, *f.Value, tc.want, tc.rule)
			}
			if !strings.Contains(f.Title+" "+f.Detail, tc.contains) {
				t.Errorf("finding does not mention %q: %s / %s", tc.contains, f.Title, f.Detail)
			}
			if len(f.Attack) == 0 || f.Attack[0] != "T1547.001" {
				t.Errorf("attack %v", f.Attack)
			}
		})
	}
}
