package autostart

import (
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

func TestShellFolders(t *testing.T) {
	const usf = `Software\Microsoft\Windows\CurrentVersion\Explorer\User Shell Folders`
	const sf = `Software\Microsoft\Windows\CurrentVersion\Explorer\Shell Folders`
	const common = `Microsoft\Windows\CurrentVersion\Explorer\User Shell Folders`
	run := []string{"T1547.001"}
	type plant func(sw, user, def, sys *hivetest.Key)
	onUser := func(path string, vals ...hivetest.Value) plant {
		return func(_, u, _, _ *hivetest.Key) { samples.Set(u, path, vals...) }
	}
	onSW := func(path string, vals ...hivetest.Value) plant {
		return func(sw, _, _, _ *hivetest.Key) { samples.Set(sw, path, vals...) }
	}
	tests := []struct {
		name  string
		plant plant
		want  []expect
	}{
		{"Windows 10 defaults", func(sw, u, d, _ *hivetest.Key) {
			samples.Set(u, usf, hivetest.ExpandSZ("Startup", `%USERPROFILE%\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup`))
			samples.Set(u, sf, hivetest.SZ("Startup", `C:\Users\alice\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup`))
			samples.Set(sw, common, hivetest.ExpandSZ("Common Startup", `%ProgramData%\Microsoft\Windows\Start Menu\Programs\Startup`))
			samples.Set(d, usf, hivetest.ExpandSZ("Startup", `%USERPROFILE%\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup`))
			samples.Set(d, sf, hivetest.SZ("Startup", `C:\Windows\system32\config\systemprofile\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup`))
		}, nil},
		{"XP defaults", func(sw, u, _, _ *hivetest.Key) {
			samples.Set(u, usf, hivetest.ExpandSZ("Startup", `%USERPROFILE%\Start Menu\Programs\Startup`))
			samples.Set(u, sf, hivetest.SZ("Startup", `C:\Documents and Settings\alice\Start Menu\Programs\Startup`))
			samples.Set(sw, common, hivetest.ExpandSZ("Common Startup", `%ALLUSERSPROFILE%\Start Menu\Programs\Startup`))
		}, nil},
		{"renamed profile folder", onUser(sf, hivetest.SZ("Startup", `C:\Users\alice.CORP\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup`)), nil},
		{"user Startup to Public", onUser(usf, hivetest.ExpandSZ("Startup", `C:\Users\Public\Libraries\s`)),
			[]expect{{"shellfolders.startup", report.High, 0, run, "user alice"}}},
		{"user Startup to Temp", onUser(usf, hivetest.ExpandSZ("Startup", `%TEMP%\st`)),
			[]expect{{"shellfolders.startup", report.High, 0, run, `AppData\Local\Temp\st`}}},
		{"Shell Folders copy redirected", onUser(sf, hivetest.SZ("Startup", `C:\ProgramData\Updater`)),
			[]expect{{"shellfolders.startup", report.High, 0, run, "Shell Folders"}}},
		{"folder redirection to a share", onUser(usf, hivetest.ExpandSZ("Startup", `\\fs01\redir$\alice\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup`)),
			[]expect{{"shellfolders.startup", report.Low, 0, run, "folder redirection"}}},
		{"standard layout on another drive", onUser(usf, hivetest.ExpandSZ("Startup", `D:\x\Microsoft\Windows\Start Menu\Programs\Startup`)),
			[]expect{{"shellfolders.startup", report.Medium, 0, run, "outside any profile"}}},
		{"Common Startup redirected", onSW(common, hivetest.ExpandSZ("Common Startup", `C:\Windows\Tasks\run`)),
			[]expect{{"shellfolders.startup", report.High, 0, run, "every user"}}},
		{"DEFAULT Startup redirected", func(_, _, d, _ *hivetest.Key) {
			samples.Set(d, usf, hivetest.ExpandSZ("Startup", `C:\Users\Public\s`))
		}, []expect{{"shellfolders.startup", report.High, 0, run, "LocalSystem"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := analysistest.Run(t, ShellFolders, autostartHost(t, tc.plant))
			if len(fs) != len(tc.want) {
				t.Fatalf("got %d findings, want %d: %+v", len(fs), len(tc.want), fs)
			}
			for i, w := range tc.want {
				w.check(t, fs[i])
			}
		})
	}
}
