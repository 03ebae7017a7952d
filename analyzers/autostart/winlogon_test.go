package autostart

import (
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

const (
	wlKey     = `Microsoft\Windows NT\CurrentVersion\Winlogon`
	userWLKey = `Software\Microsoft\Windows NT\CurrentVersion\Winlogon`
)

func TestWinlogon(t *testing.T) {
	wl := []string{"T1547.004"}
	fake := []string{"T1547.004", "T1036.005"}
	type plant func(sw, user, def, sys *hivetest.Key)
	onSW := func(path string, vals ...hivetest.Value) plant {
		return func(sw, _, _, _ *hivetest.Key) { samples.Set(sw, path, vals...) }
	}
	version := func(v string, p plant) plant {
		return func(sw, u, d, s *hivetest.Key) {
			samples.Set(sw, `Microsoft\Windows NT\CurrentVersion`, hivetest.SZ("CurrentVersion", v))
			p(sw, u, d, s)
		}
	}
	tests := []struct {
		name  string
		plant plant
		want  []expect // one per finding, in driver order; nil: no finding
	}{
		{"defaults", nil, nil},
		{"Userinit plants fake smss", onSW(wlKey, hivetest.SZ("Userinit", `C:\Windows\system32\userinit.exe,C:\Windows\smss.exe`)),
			[]expect{{"winlogon.userinit", report.Critical, 0.75, fake, `This item: C:\Windows\smss.exe`}}},
		{"Userinit plants two copies", onSW(wlKey, hivetest.SZ("Userinit", `C:\Windows\system32\userinit.exe,C:\Windows\smss.exe,"C:\Program Files\Common Files\smss.exe",`)),
			[]expect{{"winlogon.userinit", report.Critical, 1.00, fake, `Common Files`}, {"winlogon.userinit", report.Critical, 0.75, fake, `the Windows folder`}}},
		{"Userinit without trailing comma", onSW(wlKey, hivetest.SZ("Userinit", `userinit`)), nil},
		{"Userinit replaced", onSW(wlKey, hivetest.SZ("Userinit", `C:\Users\Public\userinit.exe,`)),
			[]expect{{"winlogon.userinit", report.Critical, 0.36, fake, "userinit.exe"}}},
		{"Userinit benign extra", onSW(wlKey, hivetest.SZ("Userinit", `C:\Windows\system32\userinit.exe,C:\Windows\System32\calc.exe`)),
			[]expect{{"winlogon.userinit", report.High, 0, wl, "calc.exe"}}},
		{"XP Userinit", version("5.1", onSW(wlKey, hivetest.SZ("Userinit", `C:\WINDOWS\system32\userinit.exe,`))), nil},
		{"NT4 Userinit", version("4.0", onSW(wlKey, hivetest.SZ("Userinit", `userinit,nddeagnt.exe`))), nil},
		{"nddeagnt on Windows 10", onSW(wlKey, hivetest.SZ("Userinit", `userinit,nddeagnt.exe`)),
			[]expect{{"winlogon.userinit", report.High, 0, wl, "nddeagnt.exe"}}},
		{"Shell replaced", onSW(wlKey, hivetest.SZ("Shell", `explorer.exe,C:\smss.exe`)),
			[]expect{{"winlogon.shell", report.Critical, 0.65, fake, "root of the system drive"}}},
		{"Shell full default path", onSW(wlKey, hivetest.SZ("Shell", `C:\Windows\explorer.exe`)), nil},
		{"Shell look-alike", onSW(wlKey, hivetest.SZ("Shell", `C:\Windows\expl0rer.exe`)),
			[]expect{{"winlogon.shell", report.Critical, 0, fake, "explorer.exe"}}},
		{"ShellInfrastructure and ShellAppRuntime are not Shell", onSW(wlKey, hivetest.SZ("ShellInfrastructure", "sihost.exe"), hivetest.SZ("ShellAppRuntime", "ShellAppRuntime.exe")), nil},
		{"Wow6432Node Shell", onSW(`Wow6432Node\`+wlKey, hivetest.SZ("Shell", `C:\Windows\System32\drivers\smss.exe`)),
			[]expect{{"winlogon.shell", report.Critical, 0.52, fake, "System32\\drivers"}}},
		{"user Shell", func(_, u, _, _ *hivetest.Key) { samples.Set(u, userWLKey, hivetest.SZ("Shell", `C:\Windows\smss.exe`)) },
			[]expect{{"winlogon.shell", report.Critical, 0.75, fake, "user alice's own Winlogon key"}}},
		{"user Shell explorer", func(_, u, _, _ *hivetest.Key) { samples.Set(u, userWLKey, hivetest.SZ("Shell", `explorer.exe`)) },
			[]expect{{"winlogon.shell", report.Low, 0, wl, "set per user"}}},
		{"user Userinit", func(_, u, _, _ *hivetest.Key) {
			samples.Set(u, userWLKey, hivetest.SZ("Userinit", `C:\Windows\smss.exe`))
		}, []expect{{"winlogon.userinit", report.Critical, 0.75, fake, "documents Userinit under HKLM only"}}},
		{"user Userinit program in AppData", func(_, u, _, _ *hivetest.Key) {
			samples.Set(u, userWLKey, hivetest.SZ("Userinit", `C:\Windows\system32\userinit.exe,C:\Users\alice\AppData\Roaming\u.exe`))
		}, []expect{
			{"winlogon.userinit", report.High, 0, wl, "never writes it per user"},
			{"winlogon.userinit", report.Low, 0, wl, "set per user"},
		}},
		{"DEFAULT Shell", func(_, _, d, _ *hivetest.Key) { samples.Set(d, userWLKey, hivetest.SZ("Shell", `cmd.exe`)) },
			[]expect{{"winlogon.shell", report.High, 0, wl, "LocalSystem"}}},
		{"Taskman", onSW(wlKey, hivetest.SZ("Taskman", `C:\Windows\smss.exe`)), []expect{{"winlogon.taskman", report.Critical, 0.75, fake, "Ctrl+Shift+Esc"}}},
		{"AppSetup Terminal Server", onSW(wlKey, hivetest.SZ("AppSetup", `UsrLogon.Cmd`)), nil},
		{"AppSetup other", onSW(wlKey, hivetest.SZ("AppSetup", `C:\Windows\smss.exe`)), []expect{{"winlogon.appsetup", report.Critical, 0.75, fake, "AppSetup"}}},
		{"System empty", onSW(wlKey, hivetest.SZ("System", ``)), nil},
		{"System program", onSW(wlKey, hivetest.SZ("System", `C:\Windows\smss.exe`)), []expect{{"winlogon.system", report.Critical, 0.75, fake, "SYSTEM context"}}},
		{"VmApplet XP default", onSW(wlKey, hivetest.SZ("VmApplet", `rundll32 shell32,Control_RunDLL "sysdm.cpl"`)), nil},
		{"VmApplet other", onSW(wlKey, hivetest.SZ("VmApplet", `C:\Windows\smss.exe /pagefile`)), []expect{{"winlogon.vmapplet", report.Critical, 0.75, fake, "page file"}}},
		{"UIHost default", onSW(wlKey, hivetest.SZ("UIHost", `logonui.exe`)), nil},
		{"UIHost other", onSW(wlKey, hivetest.SZ("UIHost", `C:\ProgramData\lui.exe`)), []expect{{"winlogon.uihost", report.High, 0, wl, "logon screen"}}},
		{"mpnotify", onSW(wlKey, hivetest.SZ("mpnotify", `C:\Windows\System32\mpn.exe`)), []expect{{"winlogon.mpnotify", report.High, 0, wl, "credential"}}},
		{"GinaDLL msgina", onSW(wlKey, hivetest.SZ("GinaDLL", `msgina.dll`)), nil},
		{"GinaDLL other", onSW(wlKey, hivetest.SZ("GinaDLL", `C:\Windows\Temp\fakegina.dll`)), []expect{{"winlogon.ginadll", report.High, 0, wl, "password"}}},
		{"Notify Microsoft package", onSW(wlKey+`\Notify\sclgntfy`, hivetest.ExpandSZ("DllName", `sclgntfy.dll`)), nil},
		{"Notify unknown package", onSW(wlKey+`\Notify\winsys`, hivetest.ExpandSZ("DllName", `winsys32.dll`)), []expect{{"winlogon.notify", report.High, 0, wl, "not one of them"}}},
		{"Notify Microsoft name elsewhere", onSW(wlKey+`\Notify\termsrv`, hivetest.ExpandSZ("DllName", `C:\Windows\Temp\wlnotify.dll`)), []expect{{"winlogon.notify", report.High, 0, wl, "Notify package termsrv"}}},
		{"GPExtension Microsoft", onSW(wlKey+`\GPExtensions\{35378EAC-683F-11D2-A89A-00C04FBBCFA2}`, hivetest.ExpandSZ("DllName", `userenv.dll`)), nil},
		{"GPExtension third party", onSW(wlKey+`\GPExtensions\{AAAAAAAA-683F-11D2-A89A-00C04FBBCFA2}`, hivetest.SZ("", "Vendor Policy"), hivetest.ExpandSZ("DllName", `"C:\Program Files\Vendor\gpcse.dll"`)),
			[]expect{{"winlogon.gpextension", report.Low, 0, wl, "Vendor Policy"}}},
		{"GPExtension in Temp", onSW(wlKey+`\GPExtensions\{BBBBBBBB-683F-11D2-A89A-00C04FBBCFA2}`, hivetest.ExpandSZ("DllName", `%SystemRoot%\Temp\gp.dll`)),
			[]expect{{"winlogon.gpextension", report.High, 0, wl, "third-party"}}},
		{"hidden account", onSW(wlKey+`\SpecialAccounts\UserList`, hivetest.DWORD("support", 0)), []expect{{"winlogon.hiddenaccount", report.Medium, 0, []string{"T1564.002"}, "SAM"}}},
		{"hidden HomeGroupUser$", onSW(wlKey+`\SpecialAccounts\UserList`, hivetest.DWORD("HomeGroupUser$", 0)), []expect{{"winlogon.hiddenaccount", report.Info, 0, []string{"T1564.002"}, "itself"}}},
		{"visible account", onSW(wlKey+`\SpecialAccounts\UserList`, hivetest.DWORD("bob", 1)), nil},
		{"AvailableShells defaults", onSW(wlKey+`\AlternateShells\AvailableShells`, hivetest.SZ("90000", "cmd.exe"), hivetest.SZ("30000", `%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe -NoExit`)), nil},
		{"AvailableShells fake", onSW(wlKey+`\AlternateShells\AvailableShells`, hivetest.SZ("99999", `C:\Windows\smss.exe`)), []expect{{"winlogon.alternateshell", report.Critical, 0.75, fake, "Server Core"}}},
		{"SafeBoot AlternateShell default", func(_, _, _, sys *hivetest.Key) {
			samples.Set(sys, `ControlSet001\Control\SafeBoot`, hivetest.SZ("AlternateShell", "cmd.exe"))
		}, nil},
		{"SafeBoot AlternateShell replaced", func(_, _, _, sys *hivetest.Key) {
			samples.Set(sys, `ControlSet001\Control\SafeBoot`, hivetest.SZ("AlternateShell", `C:\Windows\smss.exe`))
		}, []expect{{"winlogon.safeboot-alternateshell", report.Critical, 0.75, []string{"T1562.009", "T1036.005"}, "Safe Mode"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := analysistest.Run(t, Winlogon, autostartHost(t, tc.plant))
			if len(fs) != len(tc.want) {
				t.Fatalf("got %d findings, want %d: %+v", len(fs), len(tc.want), fs)
			}
			for i, w := range tc.want {
				w.check(t, fs[i])
			}
		})
	}
}

// A finding only in a non-current control set is noted by the driver.
func TestWinlogonSafeBootControlSets(t *testing.T) {
	sys := samples.System("PC", [4]uint32{1, 1, 2, 0}, 1, 2)
	samples.Set(sys.Root, `ControlSet002\Control\SafeBoot`, hivetest.SZ("AlternateShell", `C:\Users\Public\sh.exe`))
	fs := analysistest.Run(t, Winlogon, analysistest.HostOf(t, "h", sys, samples.Software()))
	if len(fs) != 1 || fs[0].ControlSet != "ControlSet002" || !strings.Contains(fs[0].Detail, "not in the current control set") {
		t.Fatalf("%+v", fs)
	}
}
