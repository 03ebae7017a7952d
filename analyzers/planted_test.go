package analyzers

import (
	"context"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// plantedHost is a clean Windows 10 host (SYSTEM with ControlSet001 current,
// SOFTWARE, DEFAULT and alice's NTUSER.DAT) after plant has changed it.
func plantedHost(t *testing.T, plant func(sys, sw, user *hivetest.Key)) analysis.Result {
	t.Helper()
	sys, sw, u := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1), samples.Software(), samples.NTUser("alice")
	if plant != nil {
		plant(sys.Root, sw.Root, u.Root)
	}
	set := analysistest.HostOf(t, "h", sys, sw, samples.Default(), u)
	return analysis.Run(context.Background(), set, All())
}

// TestAttackerWritesRankedAsAnAnalystWould plants common attacker writes in
// a clean host, one at a time, and wants each reported (by a rule of the
// given prefix, on the planted value) at least at the severity a senior
// analyst gives it, and never higher than critical for a plain program.
func TestAttackerWritesRankedAsAnAnalystWould(t *testing.T) {
	const (
		userRun = `Software\Microsoft\Windows\CurrentVersion\Run`
		swRun   = `Microsoft\Windows\CurrentVersion\Run`
		ifeo    = `Microsoft\Windows NT\CurrentVersion\Image File Execution Options`
	)
	svc := func(name, image string) func(sys, sw, user *hivetest.Key) {
		return func(sys, _, _ *hivetest.Key) {
			samples.Set(sys, `ControlSet001\Services\`+name,
				hivetest.ExpandSZ("ImagePath", image),
				hivetest.DWORD("Type", 0x10), hivetest.DWORD("Start", 2),
				hivetest.SZ("ObjectName", "LocalSystem"))
		}
	}
	tests := []struct {
		name  string
		plant func(sys, sw, user *hivetest.Key)
		rule  string // prefix of the finding's rule
		value string // the finding's value name
		min   report.Severity
		max   report.Severity
	}{
		{"user Run: hidden PowerShell ignoring the execution policy",
			func(_, _, u *hivetest.Key) {
				samples.Set(u, userRun, hivetest.SZ("Updater", `powershell.exe -windowstyle hidden -ExecutionPolicy Bypass -File C:\Users\alice\AppData\Local\up.ps1`))
			}, "runkey.", "Updater", report.High, report.Critical},
		{"user Run: hidden PowerShell alone",
			func(_, _, u *hivetest.Key) {
				samples.Set(u, userRun, hivetest.SZ("Updater", `powershell.exe -w hidden -nop -file C:\ProgramData\up.ps1`))
			}, "runkey.", "Updater", report.High, report.Critical},
		{"machine Run: cmd /c chain",
			func(_, sw, _ *hivetest.Key) {
				samples.Set(sw, swRun, hivetest.SZ("svc", `cmd.exe /c copy C:\ProgramData\a.dat C:\ProgramData\a.exe & C:\ProgramData\a.exe`))
			}, "runkey.", "svc", report.High, report.Critical},
		{"machine Run: mshta with a local HTA",
			func(_, sw, _ *hivetest.Key) {
				samples.Set(sw, swRun, hivetest.SZ("upd", `mshta.exe C:\ProgramData\upd.hta`))
			}, "runkey.", "upd", report.High, report.Critical},
		{"service running cmd.exe /k tscon (RDP session hijack)",
			svc("sesshijack", `cmd.exe /k tscon 2 /dest:console`), "service.", "ImagePath", report.High, report.Critical},
		{"service running cmd.exe /c a program",
			svc("runner", `%COMSPEC% /c C:\ProgramData\run.exe`), "service.", "ImagePath", report.High, report.Critical},
		{"service running PowerShell with an encoded command",
			svc("psvc", `powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA`), "service.", "ImagePath", report.High, report.Critical},
		{"machine Run named like Windows' SecurityHealth starting calc",
			func(_, sw, _ *hivetest.Key) {
				samples.Set(sw, swRun, hivetest.SZ("SecurityHealth", `calc.exe`))
			}, "runkey.", "SecurityHealth", report.Medium, report.High},
		{"user Run named OneDrive starting a program in Temp",
			func(_, _, u *hivetest.Key) {
				samples.Set(u, userRun, hivetest.SZ("OneDrive", `C:\Users\alice\AppData\Local\Temp\od.exe /background`))
			}, "runkey.", "OneDrive", report.High, report.Critical},
		{"machine Run: bare program name",
			func(_, sw, _ *hivetest.Key) {
				samples.Set(sw, swRun, hivetest.SZ("helper", `helper.exe`))
			}, "runkey.", "helper", report.Low, report.Medium},
		{"user Winlogon Userinit adds a program",
			func(_, _, u *hivetest.Key) {
				samples.Set(u, `Software\Microsoft\Windows NT\CurrentVersion\Winlogon`, hivetest.SZ("Userinit", `C:\Windows\system32\userinit.exe,C:\Users\alice\AppData\Roaming\u.exe`))
			}, "winlogon.", "Userinit", report.High, report.Critical},
		{"user Winlogon Shell replaced",
			func(_, _, u *hivetest.Key) {
				samples.Set(u, `Software\Microsoft\Windows NT\CurrentVersion\Winlogon`, hivetest.SZ("Shell", `explorer.exe, C:\Users\Public\sh.exe`))
			}, "winlogon.", "Shell", report.High, report.Critical},
		{"Active Setup StubPath planted",
			func(_, sw, _ *hivetest.Key) {
				samples.Set(sw, `Microsoft\Active Setup\Installed Components\{D1A2B3C4-0000-4000-8000-00000000BEEF}`,
					hivetest.SZ("", "Update"),
					hivetest.SZ("StubPath", `C:\ProgramData\upd\stub.exe`),
					hivetest.SZ("Version", "1,0,0,0"))
			}, "activesetup.", "StubPath", report.Medium, report.Critical},
		{"IFEO GlobalFlag alone (silent process exit monitoring flag)",
			func(_, sw, _ *hivetest.Key) {
				samples.Set(sw, ifeo+`\notepad.exe`, hivetest.DWORD("GlobalFlag", 0x200))
			}, "ifeo.silent-exit-flag", "GlobalFlag", report.Low, report.Low},
		{"IFEO GlobalFlag alone on lsass.exe (half of an LSASS dump set-up)",
			func(_, sw, _ *hivetest.Key) {
				samples.Set(sw, ifeo+`\lsass.exe`, hivetest.DWORD("GlobalFlag", 0x200))
			}, "ifeo.silent-exit-flag", "GlobalFlag", report.Medium, report.Medium},
		{"IFEO GlobalFlag with other debugging flags",
			func(_, sw, _ *hivetest.Key) {
				samples.Set(sw, ifeo+`\notepad.exe`, hivetest.SZ("GlobalFlag", "0x02000100"))
			}, "ifeo.globalflag", "GlobalFlag", report.Low, report.Low},
		{"network provider capturing logon passwords (NPPSpy)",
			func(sys, _, _ *hivetest.Key) {
				samples.Set(sys, `ControlSet001\Services\NPPSpy\NetworkProvider`, hivetest.SZ("ProviderPath", `%SystemRoot%\System32\NPPSpy.dll`))
			}, "inproc.network-provider", "ProviderPath", report.Medium, report.High},
		{"print processor DLL in a user-writable folder",
			func(sys, _, _ *hivetest.Key) {
				samples.Set(sys, `ControlSet001\Control\Print\Environments\Windows x64\Print Processors\evil`, hivetest.SZ("Driver", `C:\Users\Public\pp.dll`))
			}, "inproc.print-processor", "Driver", report.Medium, report.Critical},
		{"WER hang debugger",
			func(_, sw, _ *hivetest.Key) {
				samples.Set(sw, `Microsoft\Windows\Windows Error Reporting\Hangs`, hivetest.SZ("Debugger", `C:\ProgramData\h.exe`))
			}, "inproc.wer-hang-debugger", "Debugger", report.High, report.Critical},
		{"Winsock LSP from ProgramData",
			func(sys, _, _ *hivetest.Key) {
				b := make([]byte, 900)
				copy(b, `C:\ProgramData\lsp.dll`)
				samples.Set(sys, `ControlSet001\Services\WinSock2\Parameters\Protocol_Catalog9\Catalog_Entries64\000000000042`, hivetest.Binary("PackedCatalogItem", b))
			}, "winsock.provider", "PackedCatalogItem", report.Medium, report.High},
		{"custom shim database for a critical process",
			func(_, sw, _ *hivetest.Key) {
				const g = "{0a1b2c3d-0000-1111-2222-333344445555}"
				samples.Set(sw, `Microsoft\Windows NT\CurrentVersion\AppCompatFlags\InstalledSDB\`+g, hivetest.SZ("DatabasePath", `C:\Windows\AppPatch\Custom\`+g+`.sdb`), hivetest.SZ("DatabaseDescription", "fix"))
				samples.Set(sw, `Microsoft\Windows NT\CurrentVersion\AppCompatFlags\Custom\lsass.exe`, hivetest.QWORD(g+".sdb", 0x01d9000000000000))
			}, "appcompat.", "DatabasePath", report.High, report.Critical},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := plantedHost(t, tc.plant)
			var got []report.Finding
			for _, f := range res.Findings {
				if strings.HasPrefix(f.Rule, tc.rule) && f.Value != nil && strings.EqualFold(*f.Value, tc.value) {
					got = append(got, f)
				}
			}
			if len(got) == 0 {
				for _, f := range res.Findings {
					t.Logf("  %s %v %s", f.Rule, f.Severity, f.Title)
				}
				t.Fatalf("no %s* finding on value %q", tc.rule, tc.value)
			}
			best := got[0]
			for _, f := range got[1:] {
				if f.Severity > best.Severity {
					best = f
				}
			}
			if best.Severity < tc.min || best.Severity > tc.max {
				t.Errorf("%s is %v, want %v..%v: %s | %s", best.Rule, best.Severity, tc.min, tc.max, best.Title, best.Detail)
			}
			for _, p := range res.Problems {
				t.Errorf("problem: %s", p.Message)
			}
		})
	}
}
