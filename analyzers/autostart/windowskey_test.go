package autostart

import (
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

func TestWindowsKey(t *testing.T) {
	const win = `Microsoft\Windows NT\CurrentVersion\Windows`
	const userWin = `Software\Microsoft\Windows NT\CurrentVersion\Windows`
	appinit := []string{"T1546.010"}
	type plant func(sw, user, def, sys *hivetest.Key)
	onSW := func(path string, vals ...hivetest.Value) plant {
		return func(sw, _, _, _ *hivetest.Key) { samples.Set(sw, path, vals...) }
	}
	xp := func(p plant) plant {
		return func(sw, u, d, s *hivetest.Key) {
			samples.Set(sw, `Microsoft\Windows NT\CurrentVersion`, hivetest.SZ("CurrentVersion", "5.1"))
			k := samples.At(sw, win)
			k.Values = nil // XP has no LoadAppInit_DLLs
			p(sw, u, d, s)
		}
	}
	tests := []struct {
		name  string
		plant plant
		want  []expect
	}{
		{"defaults", nil, nil},
		{"AppInit loaded", onSW(win, hivetest.SZ("AppInit_DLLs", `C:\ProgramData\hook.dll`), hivetest.DWORD("LoadAppInit_DLLs", 1), hivetest.DWORD("RequireSignedAppInit_DLLs", 0)),
			[]expect{{"appinit.dll", report.High, 0, appinit, "unsigned DLLs are accepted"}}},
		{"AppInit two DLLs", onSW(win, hivetest.SZ("AppInit_DLLs", `C:\Windows\Temp\a.dll, C:\ProgramData\b.dll`), hivetest.DWORD("LoadAppInit_DLLs", 1)),
			[]expect{{"appinit.dll", report.High, 0, appinit, `b.dll`}, {"appinit.dll", report.High, 0, appinit, `a.dll`}}},
		{"AppInit switched off", onSW(win, hivetest.SZ("AppInit_DLLs", `C:\ProgramData\hook.dll`), hivetest.DWORD("LoadAppInit_DLLs", 0)),
			[]expect{{"appinit.dll", report.Medium, 0, appinit, "does not load them now"}}},
		{"AppInit on XP without switch", xp(onSW(win, hivetest.SZ("AppInit_DLLs", `C:\ProgramData\hook.dll`))),
			[]expect{{"appinit.dll", report.High, 0, appinit, "unconditionally"}}},
		{"AppInit on Windows 10 without switch", func(sw, _, _, _ *hivetest.Key) {
			samples.At(sw, win).Values = []hivetest.Value{hivetest.SZ("AppInit_DLLs", `C:\ProgramData\hook.dll`)}
		}, []expect{{"appinit.dll", report.Medium, 0, appinit, "treats as 0"}}},
		{"AppInit fake smss DLL name", onSW(win, hivetest.SZ("AppInit_DLLs", `C:\Windows\smss.exe`), hivetest.DWORD("LoadAppInit_DLLs", 1)),
			[]expect{{"appinit.dll", report.Critical, 0.75, []string{"T1546.010", "T1036.005"}, "smss.exe"}}},
		{"Wow6432Node AppInit", onSW(`Wow6432Node\`+win, hivetest.SZ("AppInit_DLLs", `C:\ProgramData\hook32.dll`), hivetest.DWORD("LoadAppInit_DLLs", 1)),
			[]expect{{"appinit.dll", report.High, 0, appinit, "hook32.dll"}}},
		{"switch on, nothing listed", onSW(win, hivetest.DWORD("LoadAppInit_DLLs", 1)),
			[]expect{{"appinit.enabled", report.Low, 0, appinit, "empty"}}},
		{"IconServiceLib default", onSW(win, hivetest.SZ("IconServiceLib", "IconCodecService.dll")), nil},
		{"IconServiceLib other", onSW(win, hivetest.SZ("IconServiceLib", `C:\ProgramData\icons.dll`)),
			[]expect{{"windows.iconservicelib", report.High, 0, []string{"T1547"}, "icon"}}},
		{"user Load", func(_, u, _, _ *hivetest.Key) { samples.Set(u, userWin, hivetest.SZ("Load", `C:\Windows\smss.exe`)) },
			[]expect{{"windows.load", report.Critical, 0.75, []string{"T1547.001", "T1036.005"}, "win.ini"}}},
		{"user Run two programs", func(_, u, _, _ *hivetest.Key) {
			samples.Set(u, userWin, hivetest.SZ("Run", `C:\smss.exe,C:\Windows\System32\notepad.exe`))
		}, []expect{{"windows.run", report.Critical, 0.65, []string{"T1547.001"}, "smss.exe"}, {"windows.run", report.High, 0, []string{"T1547.001"}, "notepad.exe"}}},
		{"user Load empty", func(_, u, _, _ *hivetest.Key) {
			samples.Set(u, userWin, hivetest.SZ("Load", ""), hivetest.SZ("Run", ""))
		}, nil},
		{"DEFAULT Load", func(_, _, d, _ *hivetest.Key) {
			samples.Set(d, userWin, hivetest.SZ("Load", `C:\Windows\System32\notepad.exe`))
		},
			[]expect{{"windows.load", report.High, 0, []string{"T1547.001"}, "LocalSystem"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := analysistest.Run(t, WindowsKey, autostartHost(t, tc.plant))
			if len(fs) != len(tc.want) {
				t.Fatalf("got %d findings, want %d: %+v", len(fs), len(tc.want), fs)
			}
			for i, w := range tc.want {
				w.check(t, fs[i])
			}
		})
	}
}
