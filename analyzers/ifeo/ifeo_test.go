package ifeo

import (
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

func TestIFEO(t *testing.T) {
	const ifeo = `Microsoft\Windows NT\CurrentVersion\Image File Execution Options`
	const spe = `Microsoft\Windows NT\CurrentVersion\SilentProcessExit`
	type kv struct {
		path string
		vals []hivetest.Value
	}
	tests := []struct {
		name string
		keys []kv
		want report.Severity
		rule string // rule of the most severe finding; "" expects none
		n    int
	}{
		{"sticky keys", []kv{{ifeo + `\sethc.exe`, []hivetest.Value{hivetest.SZ("Debugger", `C:\Windows\System32\cmd.exe`)}}}, report.Critical, "ifeo.debugger", 1},
		{"utilman in Wow6432Node", []kv{{`Wow6432Node\` + ifeo + `\Utilman.exe`, []hivetest.Value{hivetest.SZ("Debugger", `cmd.exe`)}}}, report.Critical, "ifeo.debugger", 1},
		{"debugger on an ordinary program", []kv{{ifeo + `\notepad.exe`, []hivetest.Value{hivetest.SZ("Debugger", `"C:\Program Files\Notepad++\notepad++.exe" -notepadStyleCmdline -z`)}}}, report.High, "ifeo.debugger", 1},
		{"debugger under a filter subkey", []kv{{ifeo + `\winlogon.exe`, []hivetest.Value{hivetest.DWORD("UseFilter", 1)}}, {ifeo + `\winlogon.exe\f1`, []hivetest.Value{hivetest.SZ("FilterFullPath", `C:\Windows\System32\winlogon.exe`), hivetest.SZ("Debugger", `C:\Users\Public\x.exe`)}}}, report.Critical, "ifeo.debugger", 1},
		{"placeholder skipped", []kv{{ifeo + `\Your Image File Name here without a path`, []hivetest.Value{hivetest.SZ("Debugger", "ntsd -d")}}}, report.Info, "", 0},
		{"mitigation options only", []kv{{ifeo + `\chrome.exe`, []hivetest.Value{hivetest.QWORD("MitigationOptions", 0x1000), hivetest.DWORD("DisableExceptionChainValidation", 0)}}}, report.Info, "", 0},
		{"silent exit monitor on lsass", []kv{
			{ifeo + `\lsass.exe`, []hivetest.Value{hivetest.DWORD("GlobalFlag", 0x200)}},
			{spe + `\lsass.exe`, []hivetest.Value{hivetest.DWORD("ReportingMode", 1), hivetest.SZ("MonitorProcess", `C:\ProgramData\m.exe`)}}}, report.Critical, "ifeo.silent-exit-monitor", 1},
		{"silent exit dump of lsass", []kv{
			{ifeo + `\lsass.exe`, []hivetest.Value{hivetest.SZ("GlobalFlag", "0x00000200")}},
			{spe + `\lsass.exe`, []hivetest.Value{hivetest.DWORD("ReportingMode", 2), hivetest.SZ("LocalDumpFolder", `C:\Temp`)}}}, report.Critical, "ifeo.silent-exit-dump", 1},
		{"silent exit monitor on notepad", []kv{
			{ifeo + `\notepad.exe`, []hivetest.Value{hivetest.DWORD("GlobalFlag", 0x200)}},
			{spe + `\notepad.exe`, []hivetest.Value{hivetest.DWORD("ReportingMode", 1), hivetest.SZ("MonitorProcess", `C:\Tools\m.exe`)}}}, report.High, "ifeo.silent-exit-monitor", 1},
		{"monitor without the flag", []kv{
			{spe + `\notepad.exe`, []hivetest.Value{hivetest.DWORD("ReportingMode", 1), hivetest.SZ("MonitorProcess", `C:\Tools\m.exe`)}}}, report.Medium, "ifeo.silent-exit-monitor", 1},
		{"flag without monitor", []kv{{ifeo + `\notepad.exe`, []hivetest.Value{hivetest.DWORD("GlobalFlag", 0x202)}}}, report.Low, "ifeo.silent-exit-flag", 1},
		{"other global flags", []kv{{ifeo + `\notepad.exe`, []hivetest.Value{hivetest.DWORD("GlobalFlag", 0x02000000)}}}, report.Low, "ifeo.globalflag", 1},
		{"global flags on a core process", []kv{{ifeo + `\winlogon.exe`, []hivetest.Value{hivetest.DWORD("GlobalFlag", 0x02000000)}}}, report.Medium, "ifeo.globalflag", 1},
		{"verifier dll", []kv{{ifeo + `\lsass.exe`, []hivetest.Value{hivetest.DWORD("GlobalFlag", 0x100), hivetest.SZ("VerifierDlls", "evil.dll")}}}, report.Critical, "ifeo.verifierdlls", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sw := samples.Software()
			samples.Set(sw.Root, ifeo+`\Your Image File Name here without a path`)
			for _, k := range tc.keys {
				samples.Set(sw.Root, k.path, k.vals...)
			}
			fs := analysistest.Run(t, IFEO, analysistest.HostOf(t, "h", sw))
			if len(fs) != tc.n {
				t.Fatalf("got %d findings, want %d: %+v", len(fs), tc.n, fs)
			}
			if tc.n == 0 {
				return
			}
			f := fs[0]
			if f.Severity != tc.want || f.Rule != tc.rule {
				t.Errorf("got %s %s (%s), want %s %s", f.Severity, f.Rule, f.Title, tc.want, tc.rule)
			}
			if f.HiveKind != "SOFTWARE" || f.Value == nil || f.LastWrite.IsZero() || len(f.Attack) == 0 || f.Detail == "" {
				t.Errorf("evidence: %+v", f)
			}
		})
	}
}

// The accessibility-tool rule carries T1546.008 and says why.
func TestIFEOStickyKeysExplained(t *testing.T) {
	sw := samples.Software()
	samples.Set(sw.Root, `Microsoft\Windows NT\CurrentVersion\Image File Execution Options\sethc.exe`, hivetest.SZ("Debugger", `C:\Windows\System32\cmd.exe`))
	fs := analysistest.Run(t, IFEO, analysistest.HostOf(t, "h", sw))
	if len(fs) != 1 || !strings.Contains(fs[0].Detail, "logon screen") || fs[0].Attack[0] != "T1546.008" {
		t.Fatalf("%+v", fs)
	}
}

// TestIFEOEverySoftwareHive: a host can hold several SOFTWARE hives (a
// RegBack copy beside the live one); each is read, not only the first.
func TestIFEOEverySoftwareHive(t *testing.T) {
	live, back := samples.Software(), samples.Software()
	back.Path = "Windows/System32/config/RegBack/SOFTWARE"
	samples.Set(back.Root, `Microsoft\Windows NT\CurrentVersion\Image File Execution Options\sethc.exe`, hivetest.SZ("Debugger", `C:\Windows\System32\cmd.exe`))
	fs := analysistest.Run(t, IFEO, analysistest.HostOf(t, "h", live, back))
	if len(fs) != 1 || fs[0].Rule != "ifeo.debugger" || !strings.Contains(fs[0].Hive, "RegBack") {
		t.Fatalf("findings %+v: want the debugger of the second SOFTWARE hive", fs)
	}
}
