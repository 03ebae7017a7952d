package winpath

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/report"
)

// rules returns the rule ids of a, in order.
func rules(a Assessment) []string {
	var out []string
	for _, r := range a.Reasons {
		out = append(out, r.Rule)
	}
	return out
}

// TestAssessBenign holds real Windows autostart values: none may give a reason.
func TestAssessBenign(t *testing.T) {
	for _, s := range []string{
		`C:\Windows\System32\smss.exe`,
		`%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows SharedSection=1024,20480,768 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16`,
		`C:\Windows\SysWOW64\svchost.exe -k LocalService`,
		`C:\Windows\explorer.exe`,
		`explorer.exe`,
		`C:\Windows\SysWOW64\explorer.exe`,
		`C:\Windows\system32\userinit.exe,`,
		`%SystemRoot%\system32\svchost.exe -k netsvcs -p`,
		`"C:\Program Files\Windows Defender\MSASCuiL.exe"`,
		`%windir%\system32\SecurityHealthSystray.exe`,
		`"C:\Program Files (x86)\Google\Update\GoogleUpdate.exe" /c`,
		`system32\DRIVERS\ACPI.sys`,
		`\SystemRoot\System32\drivers\disk.sys`,
		`\??\C:\Windows\system32\lsass.exe`,
		`\\?\C:\Windows\system32\winlogon.exe`,
		`C:\WINDOWS\SYSTEM32\WININIT.EXE`,
		`C:\Windows\Sysnative\conhost.exe`,
		`C:\Windows\System32\wbem\WmiPrvSE.exe -secured -Embedding`,
		`autocheck autochk *`,
		`rundll32.exe shell32.dll,Control_RunDLL`,
		`"C:\Windows\system32\rundll32.exe" C:\Windows\System32\LogiLDA.dll,LogiFetch`,
		`C:\PROGRA~1\COMMON~1\System\wab32.dll`,
		`C:\Windows\System32\taskhost.exe`,
		`C:\Windows\System32\lsm.exe`,
		`C:\Windows\System32\dllhst3g.exe`,
	} {
		a := Assess(s, Env{UserName: "alice"})
		if len(a.Reasons) != 0 || a.Severity != report.Info || a.Risk != 0 {
			t.Errorf("Assess(%q) = %s, risk %v; want no reasons", s, a.Summary(), a.Risk)
		}
	}
}

func TestAssessRules(t *testing.T) {
	alice := Env{UserName: "alice"}
	tests := []struct {
		name string
		in   string
		env  Env
		sev  report.Severity
		want []string
	}{
		{"smss in Windows", `C:\Windows\smss.exe`, alice, report.Critical, []string{"masquerade.location"}},
		{"unquoted program files", `C:\Program Files\My App\x.exe -a`, alice, report.Medium, []string{"path.unquoted"}},
		{"unquoted after expansion", `%ProgramFiles%\MyApp\x.exe -a`, alice, report.Medium, []string{"path.unquoted"}},
		{"unquoted in profile", `C:\Users\alice\My Tools\x.exe`, alice, report.High, []string{"path.unquoted", "location.user-writable"}},
		{"onedrive", `C:\Users\alice\AppData\Local\Microsoft\OneDrive\OneDrive.exe /background`, alice, report.Low, []string{"location.user-writable"}},
		{"onedrive via variable", `"%LOCALAPPDATA%\Microsoft\OneDrive\OneDrive.exe" /background`, alice, report.Low, []string{"location.user-writable"}},
		{"appdata program", `"%APPDATA%\svc\updater.exe"`, alice, report.Medium, []string{"location.user-writable"}},
		{"temp", `%TEMP%\a.exe`, alice, report.High, []string{"location.temp"}},
		{"windows temp via nt prefix", `\??\C:\Windows\Temp\a.exe`, alice, report.High, []string{"location.temp"}},
		{"ads", `C:\ProgramData\x.exe:hidden`, alice, report.High, []string{"location.ads", "location.user-writable"}},
		{"globalroot", `\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy1\x.exe`, alice, report.High, []string{"location.globalroot"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Assess(tt.in, tt.env)
			if diff := cmp.Diff(tt.want, rules(a)); diff != "" {
				t.Errorf("Assess(%q) rules (-want +got):\n%s\n%s", tt.in, diff, a.Summary())
			}
			if a.Severity != tt.sev {
				t.Errorf("Assess(%q).Severity = %v, want %v", tt.in, a.Severity, tt.sev)
			}
		})
	}
}

// Carved text is judged without name and folder checks, and a launcher that
// lost its first letters is still recognised by its arguments; a genuine
// Windows file of the host's version is no look-alike in its folder.
func TestAssessCarvedAndGenuine(t *testing.T) {
	env := Env{System: map[string]string{"SystemRoot": `C:\WINNT`}}
	if a := Assess(`ystemRoot%\system32\services.exe`, env); a.Severity != report.Critical {
		t.Fatalf("uncarved: a truncated path is judged as a path (%s); the test needs it critical", a.Severity)
	}
	carved := env
	carved.Carved = true
	if a := Assess(`ystemRoot%\system32\services.exe`, carved); len(a.Reasons) != 0 {
		t.Errorf("carved: name checks ran on a truncated path: %+v", a.Reasons)
	}
	enc := "wershell.exe -nop -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA"
	if a := Assess(enc, carved); a.Command.Launcher != "powershell" || a.Severity < report.High {
		t.Errorf("carved launcher: %q %s %+v", a.Command.Launcher, a.Severity, a.Reasons)
	}
	if a := Assess(enc, env); a.Command.Launcher != "" {
		t.Errorf("an uncarved wershell.exe is no launcher: %q", a.Command.Launcher)
	}
	spool := `%SystemRoot%\system32\spoolss.exe`
	if a := Assess(spool, env); a.Severity < report.High {
		t.Fatalf("spoolss.exe should be a look-alike without the baseline: %s", a.Severity)
	}
	nt4 := env
	nt4.Genuine = map[string][]string{"spoolss.exe": {"system32"}}
	if a := Assess(spool, nt4); a.Severity > report.Low {
		t.Errorf("NT 4.0's spoolss.exe in System32: %s %+v", a.Severity, a.Reasons)
	}
	if a := Assess(`C:\Users\Public\spoolss.exe`, nt4); a.Severity < report.High {
		t.Errorf("spoolss.exe outside System32 is still a look-alike: %s", a.Severity)
	}
}
