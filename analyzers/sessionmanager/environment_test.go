package sessionmanager

import (
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

func TestEnvironment(t *testing.T) {
	const sysPath = `%SystemRoot%\system32;%SystemRoot%;%SystemRoot%\System32\Wbem;%SYSTEMROOT%\System32\WindowsPowerShell\v1.0\`
	tests := []struct {
		name     string
		system   []hivetest.Value // on Session Manager\Environment
		user     []hivetest.Value // on alice's Environment
		want     []string         // rule:severity, sorted as the driver sorts
		contains string
	}{
		{"default", nil, nil, nil, ""},
		{"program folders after System32", []hivetest.Value{hivetest.ExpandSZ("Path", sysPath+`;C:\Program Files\Git\cmd;C:\Program Files (x86)\App`)}, nil, nil, ""},
		{"ProgramData before System32", []hivetest.Value{hivetest.ExpandSZ("Path", `C:\ProgramData\Anaconda3;`+sysPath)}, nil, []string{"environment.path-user-writable:medium"}, "before System32"},
		{"Program Files before System32", []hivetest.Value{hivetest.ExpandSZ("Path", `C:\Program Files\Vendor\bin;`+sysPath)}, nil, []string{"environment.path-before-system32:low"}, `C:\Program Files\Vendor\bin`},
		{"Temp in system Path", []hivetest.Value{hivetest.ExpandSZ("Path", sysPath+`;C:\Windows\Temp\x`)}, nil, []string{"environment.path-user-writable:high"}, "temporary folder"},
		{"relative entry", []hivetest.Value{hivetest.ExpandSZ("Path", sysPath+`;.;bin`)}, nil, []string{"environment.path-relative:medium", "environment.path-relative:medium"}, "relative"},
		{"user Path in own profile", nil, []hivetest.Value{hivetest.ExpandSZ("Path", `%USERPROFILE%\AppData\Local\Microsoft\WindowsApps;`)}, nil, ""},
		{"user Path in Temp", nil, []hivetest.Value{hivetest.ExpandSZ("Path", `%USERPROFILE%\AppData\Local\Temp\bin`)}, []string{"environment.path-user-writable:high"}, `C:\Users\alice\AppData\Local\Temp\bin`},
		{"ComSpec default", []hivetest.Value{hivetest.ExpandSZ("ComSpec", `C:\WINDOWS\System32\cmd.exe`)}, nil, nil, ""},
		{"ComSpec replaced", []hivetest.Value{hivetest.ExpandSZ("ComSpec", `C:\ProgramData\cmd.exe`)}, nil, []string{"environment.comspec:high"}, `C:\ProgramData\cmd.exe`},
		{"windir in user env", nil, []hivetest.Value{hivetest.SZ("windir", `cmd /c start C:\Users\alice\x.exe &`)}, []string{"environment.user-windir:high"}, "UAC"},
		{"windir in system env", []hivetest.Value{hivetest.ExpandSZ("windir", `%SystemRoot%`)}, nil, nil, ""},
		{"PATHEXT default", []hivetest.Value{hivetest.SZ("PATHEXT", ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC")}, nil, nil, ""},
		{"PATHEXT addition", []hivetest.Value{hivetest.SZ("PATHEXT", ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC;.PY;.LNK")}, nil, []string{"environment.pathext:low"}, ".PY, .LNK"},
		{"COR profiler enabled", []hivetest.Value{hivetest.SZ("COR_ENABLE_PROFILING", "1"), hivetest.SZ("COR_PROFILER", "{cf0d821e-299b-5307-a3d8-b283c03916dd}"), hivetest.SZ("COR_PROFILER_PATH", `C:\Users\Public\prof.dll`)}, nil, []string{"environment.cor-profiler:high"}, `C:\Users\Public\prof.dll`},
		{"COR profiler dormant", nil, []hivetest.Value{hivetest.SZ("COR_PROFILER", "{cf0d821e-299b-5307-a3d8-b283c03916dd}")}, []string{"environment.cor-profiler:medium"}, "dormant"},
		{"CoreCLR profiler", []hivetest.Value{hivetest.SZ("CORECLR_ENABLE_PROFILING", "1"), hivetest.SZ("CORECLR_PROFILER_PATH_64", `C:\Windows\Temp\p.dll`)}, nil, []string{"environment.cor-profiler:high"}, "CORECLR_"},
		{"logon script", nil, []hivetest.Value{hivetest.SZ("UserInitMprLogonScript", `C:\Users\alice\AppData\Roaming\l.bat`)}, []string{"environment.logon-script:high"}, "l.bat"},
		{"startup hooks", []hivetest.Value{hivetest.SZ("DOTNET_STARTUP_HOOKS", `C:\ProgramData\h.dll`)}, nil, []string{"environment.dotnet-startup-hooks:high"}, "h.dll"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
			samples.Set(samples.At(sys.Root, "ControlSet001"), `Control\Session Manager\Environment`, tc.system...)
			nt := samples.NTUser("alice")
			samples.Set(nt.Root, "Environment", tc.user...)
			fs := analysistest.Run(t, Environment, analysistest.HostOf(t, "h", sys, samples.Software(), samples.Default(), nt))
			var got []string
			for _, f := range fs {
				got = append(got, f.Rule+":"+f.Severity.String())
				if len(f.Attack) == 0 && f.Severity > report.Low {
					t.Errorf("%s has no ATT&CK id", f.Rule)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("got %v, want %v: %+v", got, tc.want, fs)
			}
			if len(fs) == 0 {
				return
			}
			f := fs[0]
			if !strings.Contains(f.Title+" "+f.Detail, tc.contains) {
				t.Errorf("finding does not mention %q: %s / %s", tc.contains, f.Title, f.Detail)
			}
			if tc.user != nil && (f.User != "alice" || f.HiveKind != "NTUSER" || f.ControlSet != "") {
				t.Errorf("user finding located at %s %s %s", f.User, f.HiveKind, f.ControlSet)
			}
			if tc.system != nil && f.ControlSet != "ControlSet001" {
				t.Errorf("system finding in control set %q", f.ControlSet)
			}
		})
	}
}
