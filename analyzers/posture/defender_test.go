package posture

import (
	"testing"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// TestExclusions: every exclusion is a finding of its own, rated by what
// it names.
func TestExclusions(t *testing.T) {
	sys, sw, user, def := host("")
	ex := `Microsoft\Windows Defender\Exclusions\`
	samples.Set(sw.Root, ex+`Paths`,
		hivetest.DWORD(`C:\`, 0), hivetest.DWORD(`C:\Users\bob\AppData\Local\Temp`, 0), hivetest.DWORD(`%TEMP%`, 0),
		hivetest.DWORD(`C:\ProgramData\Vendor`, 0), hivetest.DWORD(`C:\Users`, 0), hivetest.DWORD(`C:\Windows\System32`, 0),
		hivetest.DWORD(`D:\SQLData`, 0), hivetest.DWORD(`C:\Program Files\Vendor\data`, 0), hivetest.DWORD(`*`, 0))
	samples.Set(sw.Root, ex+`Extensions`, hivetest.DWORD(`.ps1`, 0), hivetest.DWORD(`exe`, 0), hivetest.DWORD(`mdf`, 0))
	samples.Set(sw.Root, ex+`Processes`, hivetest.DWORD(`powershell.exe`, 0), hivetest.DWORD(`C:\Users\Public\svc.exe`, 0), hivetest.DWORD(`C:\Program Files\Vendor\agent.exe`, 0))
	samples.Set(sw.Root, ex+`IpAddresses`, hivetest.DWORD(`10.0.0.5`, 0))
	samples.Set(sw.Root, `Policies\Microsoft\Windows Defender\Exclusions\Paths`, hivetest.DWORD(`C:\Temp`, 0))
	samples.Set(sw.Root, `Microsoft\Microsoft Antimalware\Exclusions\Paths`, hivetest.DWORD(`E:\Backups`, 0))
	want := map[string]report.Severity{
		`C:\`: report.High, `C:\Users\bob\AppData\Local\Temp`: report.High, `%TEMP%`: report.High,
		`C:\ProgramData\Vendor`: report.High, `C:\Users`: report.High, `C:\Windows\System32`: report.High,
		`D:\SQLData`: report.Medium, `C:\Program Files\Vendor\data`: report.Medium, `*`: report.High,
		`.ps1`: report.High, `exe`: report.High, `mdf`: report.Medium,
		`powershell.exe`: report.High, `C:\Users\Public\svc.exe`: report.High, `C:\Program Files\Vendor\agent.exe`: report.Medium,
		`10.0.0.5`: report.Medium, `C:\Temp`: report.High, `E:\Backups`: report.Medium,
	}
	got := map[string]report.Severity{}
	for _, f := range run(t, sys, sw, user, def) {
		if f.Rule == "defender.exclusion" {
			got[anyString(f.Data)] = f.Severity
			if f.Title == "" || f.Detail == "" || len(f.Attack) == 0 {
				t.Errorf("incomplete finding %+v", f)
			}
		}
	}
	for item, sev := range want {
		if g, ok := got[item]; !ok || g != sev {
			t.Errorf("exclusion %q: %v (found %v), want %v", item, g, ok, sev)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d exclusions reported, want %d: %v", len(got), len(want), got)
	}
}
