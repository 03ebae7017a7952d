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
	swRun   = `Microsoft\Windows\CurrentVersion\Run`
	userRun = `Software\Microsoft\Windows\CurrentVersion\Run`
)

func TestRunKeys(t *testing.T) {
	run := []string{"T1547.001"}
	fake := []string{"T1547.001", "T1036.005"}
	tests := []struct {
		name  string
		hive  string // "sw", "user", "default"
		key   string
		value string
		data  string
		want  expect
	}{
		// The fake smss.exe in each row of the location table.
		{"smss in Windows", "sw", swRun, "svc", `C:\Windows\smss.exe`, expect{"runkey.entry", report.Critical, 0.75, fake, "the Windows folder"}},
		{"smss in drivers", "sw", swRun, "svc", `C:\Windows\System32\drivers\smss.exe`, expect{"runkey.entry", report.Critical, 0.52, fake, `System32\drivers`}},
		{"smss in drivers subfolder", "sw", swRun, "svc", `C:\Windows\System32\drivers\etc\smss.exe`, expect{"runkey.entry", report.Critical, 0.71, fake, `subfolder of System32\drivers`}},
		{"smss in System32 subfolder", "sw", swRun, "svc", `C:\Windows\System32\wbem\smss.exe`, expect{"runkey.entry", report.Critical, 0.75, fake, "subfolder of System32"}},
		{"smss in Windows subfolder", "sw", swRun, "svc", `%windir%\Help\smss.exe`, expect{"runkey.entry", report.Critical, 0.73, fake, "subfolder of the Windows folder"}},
		{"smss in Common Files", "sw", swRun, "svc", `"C:\Program Files\Common Files\smss.exe"`, expect{"runkey.entry", report.Critical, 1.00, fake, `Common Files`}},
		{"smss in Common Files subfolder", "sw", swRun, "svc", `"C:\Program Files\Common Files\System\smss.exe"`, expect{"runkey.entry", report.Critical, 0.56, fake, `Common Files`}},
		{"smss at drive root", "sw", swRun, "svc", `C:\smss.exe`, expect{"runkey.entry", report.Critical, 0.65, fake, "root of the system drive"}},
		{"smss in Documents and Settings", "sw", swRun, "svc", `"C:\Documents and Settings\x\smss.exe"`, expect{"runkey.entry", report.Critical, 0.36, fake, "user profile folder"}},
		{"smss in Program Files subfolder", "sw", swRun, "svc", `"C:\Program Files\App\smss.exe"`, expect{"runkey.entry", report.Critical, 0.58, fake, "subfolder of Program Files"}},
		// Look-alikes.
		{"scvhost in System32", "sw", swRun, "svc", `scvhost.exe`, expect{"runkey.entry", report.Critical, 0, fake, "one typo away from svchost.exe"}},
		{"Cyrillic smss", "sw", swRun, "svc", "C:\\Windows\\\u0455mss.exe", expect{"runkey.entry", report.Critical, 0, fake, "look-alike characters"}},
		{"double extension", "sw", swRun, "svc", `C:\Windows\smss.exe.exe`, expect{"runkey.entry", report.Critical, 0, []string{"T1547.001", "T1036.007"}, "decoy extension"}},
		// Every Run-style location is read.
		{"RunOnce", "sw", `Microsoft\Windows\CurrentVersion\RunOnce`, "x", `C:\Windows\smss.exe`, expect{"runkey.entry", report.Critical, 0.75, fake, "once at the next logon"}},
		{"RunOnce Setup", "sw", `Microsoft\Windows\CurrentVersion\RunOnce\Setup`, "x", `C:\Windows\smss.exe`, expect{"runkey.entry", report.Critical, 0.75, fake, "HKLM RunOnce\\Setup"}},
		{"RunServices", "sw", `Microsoft\Windows\CurrentVersion\RunServices`, "x", `C:\Windows\smss.exe`, expect{"runkey.entry", report.Critical, 0.75, fake, "Windows NT ignores the key"}},
		{"RunServicesOnce", "sw", `Microsoft\Windows\CurrentVersion\RunServicesOnce`, "x", `notepad.exe`, expect{"runkey.entry", report.Info, 0, run, "Windows NT ignores the key"}},
		{"policy Run", "sw", `Microsoft\Windows\CurrentVersion\Policies\Explorer\Run`, "1", `C:\Windows\smss.exe`, expect{"runkey.entry", report.Critical, 0.75, fake, "Policies\\Explorer\\Run"}},
		{"Wow6432Node Run", "sw", `Wow6432Node\Microsoft\Windows\CurrentVersion\Run`, "x", `C:\Windows\smss.exe`, expect{"runkey.entry", report.Critical, 0.75, fake, "HKLM (32-bit) Run"}},
		{"Terminal Server Run", "sw", `Microsoft\Windows NT\CurrentVersion\Terminal Server\Install\Software\Microsoft\Windows\CurrentVersion\Run`, "x", `C:\Windows\smss.exe`, expect{"runkey.entry", report.Critical, 0.75, fake, "every user who logs on to this server"}},
		{"user Run", "user", userRun, "x", `C:\Windows\smss.exe`, expect{"runkey.entry", report.Critical, 0.75, fake, "user alice"}},
		{"user RunOnce", "user", `Software\Microsoft\Windows\CurrentVersion\RunOnce`, "x", `"C:\Documents and Settings\x\smss.exe"`, expect{"runkey.entry", report.Critical, 0.36, fake, "once at the next logon"}},
		{"user policy Run", "user", `Software\Microsoft\Windows\CurrentVersion\Policies\Explorer\Run`, "x", `C:\smss.exe`, expect{"runkey.entry", report.Critical, 0.65, fake, "HKCU Policies"}},
		{"DEFAULT Run", "default", userRun, "x", `C:\Windows\smss.exe`, expect{"runkey.entry", report.Critical, 0.75, fake, "LocalSystem"}},
		{"DEFAULT benign", "default", userRun, "x", `C:\Windows\System32\notepad.exe`, expect{"runkey.entry", report.Low, 0, run, "SYSTEM-level code"}},
		// Benign and context.
		{"System32 program", "sw", swRun, "x", `%SystemRoot%\System32\ctfmon.exe`, expect{"runkey.entry", report.Info, 0, run, "every logon of every user"}},
		{"real smss", "sw", swRun, "x", `%SystemRoot%\System32\smss.exe`, expect{"runkey.entry", report.Info, 0, run, "smss.exe"}},
		{"per-user app in AppData", "user", userRun, "Spotify", `"C:\Users\alice\AppData\Roaming\Spotify\Spotify.exe" -autostart`, expect{"runkey.entry", report.Low, 0, run, "so is this key"}},
		{"unquoted Program Files in user Run", "user", userRun, "Ditto", `C:\Program Files\Ditto\Ditto.exe`, expect{"runkey.entry", report.Low, 0, []string{"T1574.009"}, "counted low"}},
		{"unquoted Program Files in machine Run", "sw", swRun, "Ditto", `C:\Program Files\Ditto\Ditto.exe`, expect{"runkey.entry", report.Medium, 0, []string{"T1574.009"}, "C:\\Program.exe"}},
		{"user Temp stays high", "user", userRun, "x", `C:\Users\alice\AppData\Local\Temp\upd.exe`, expect{"runkey.entry", report.High, 0, run, "Temp"}},
		{"Windows default Sidebar", "user", userRun, "Sidebar", `%ProgramFiles%\Windows Sidebar\Sidebar.exe /autoRun`, expect{"runkey.entry", report.Info, 0, run, "Windows itself ships"}},
		{"Sidebar name, other program", "user", userRun, "Sidebar", `C:\Users\Public\Sidebar.exe`, expect{"runkey.entry", report.Medium, 0, run, "Public"}},
		// RunOnceEx.
		{"RunOnceEx command", "sw", `Microsoft\Windows\CurrentVersion\RunOnceEx\0001`, "1", `||C:\Windows\smss.exe`, expect{"runkey.runonceex", report.Critical, 0.75, fake, "section 0001 runs smss.exe"}},
		{"RunOnceEx DLL call", "sw", `Microsoft\Windows\CurrentVersion\RunOnceEx\0001`, "1", `C:\Users\Public\x.dll|DllInstall|/i`, expect{"runkey.runonceex", report.Medium, 0, run, "calls DllInstall in"}},
		{"RunOnceEx Depend", "sw", `Microsoft\Windows\CurrentVersion\RunOnceEx\0001\Depend`, "1", `C:\Windows\Temp\evil.dll`, expect{"runkey.runonceex.depend", report.High, 0, run, "Depend"}},
		{"RunOnceEx Depend in System32", "sw", `Microsoft\Windows\CurrentVersion\RunOnceEx\0001\Depend`, "1", `C:\Windows\System32\x.dll`, expect{"runkey.runonceex.depend", report.Low, 0, run, "Depend"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set := autostartHost(t, func(sw, user, def, _ *hivetest.Key) {
				root := map[string]*hivetest.Key{"sw": sw, "user": user, "default": def}[tc.hive]
				samples.Set(root, tc.key, hivetest.SZ(tc.value, tc.data))
			})
			fs := analysistest.Run(t, RunKeys, set)
			var got []report.Finding
			for _, f := range withValue(fs, tc.value) {
				if strings.HasSuffix(f.Key, `\`+tc.key) {
					got = append(got, f)
				}
			}
			if len(got) != 1 {
				t.Fatalf("got %d findings at %s\\%s, want 1: %+v", len(got), tc.key, tc.value, got)
			}
			tc.want.check(t, got[0])
			if got[0].Data != tc.data {
				t.Errorf("data %v, want %q", got[0].Data, tc.data)
			}
			if (tc.hive == "user") != (got[0].User == "alice") {
				t.Errorf("user %q", got[0].User)
			}
		})
	}
}

// The sample hives' own entries are inventory: nothing above info.
func TestRunKeysInventoryOfBaseline(t *testing.T) {
	fs := analysistest.Run(t, RunKeys, autostartHost(t, nil))
	if len(fs) != 2 {
		t.Fatalf("want the SecurityHealth and OneDrive entries, got %+v", fs)
	}
	for _, f := range fs {
		if f.Severity > report.Low {
			t.Errorf("baseline entry %s: %v", f.Title, f.Severity)
		}
	}
	if f := withValue(fs, "SecurityHealth"); len(f) != 1 || f[0].Severity != report.Info || f[0].Rule != "runkey.entry" {
		t.Errorf("SecurityHealth: %+v", f)
	}
}

func TestRunKeysDisabled(t *testing.T) {
	disabledAt := []byte{0x03, 0, 0, 0, 0x17, 0x79, 0xbd, 0x01, 0x17, 0xd9, 0xd1, 0x01}
	tests := []struct {
		name     string
		plant    func(sw, user *hivetest.Key)
		hive     string
		want     report.Severity
		rule     string
		contains string
	}{
		{"StartupApproved 03 machine", func(sw, _ *hivetest.Key) {
			samples.Set(sw, `Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run`, hivetest.Binary("evil", disabledAt))
		}, "sw", report.High, "runkey.disabled", "switched off 2016-"},
		{"StartupApproved 07 user", func(_, u *hivetest.Key) {
			samples.Set(u, `Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run`, hivetest.Binary("evil", []byte{7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))
		}, "user", report.High, "runkey.disabled", "Task Manager"},
		{"StartupApproved 02 enabled", func(sw, _ *hivetest.Key) {
			samples.Set(sw, `Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run`, hivetest.Binary("evil", make([]byte, 12)))
			samples.Set(sw, `Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run`, hivetest.Binary("evil", []byte{2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))
		}, "sw", report.Critical, "runkey.entry", "smss.exe"},
		{"StartupApproved 06 enabled", func(_, u *hivetest.Key) {
			samples.Set(u, `Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run`, hivetest.Binary("evil", []byte{6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))
		}, "user", report.Critical, "runkey.entry", "smss.exe"},
		{"StartupApproved of another name", func(sw, _ *hivetest.Key) {
			samples.Set(sw, `Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run`, hivetest.Binary("other", disabledAt))
		}, "sw", report.Critical, "runkey.entry", "smss.exe"},
		{"Run32 switches off Wow6432Node Run", func(sw, _ *hivetest.Key) {
			samples.Set(sw, `Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run32`, hivetest.Binary("evil32", disabledAt))
			samples.Set(sw, `Wow6432Node\Microsoft\Windows\CurrentVersion\Run`, hivetest.SZ("evil32", `C:\Windows\smss.exe`))
		}, "none", report.High, "runkey.disabled", "StartupApproved"},
		{"AutorunsDisabled", func(sw, _ *hivetest.Key) {
			samples.Set(sw, swRun+`\AutorunsDisabled`, hivetest.SZ("evil", `C:\Windows\smss.exe`))
		}, "none", report.High, "runkey.disabled", "Autoruns"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set := autostartHost(t, func(sw, user, _, _ *hivetest.Key) {
				switch tc.hive {
				case "sw":
					samples.Set(sw, swRun, hivetest.SZ("evil", `C:\Windows\smss.exe`))
				case "user":
					samples.Set(user, userRun, hivetest.SZ("evil", `C:\Windows\smss.exe`))
				}
				tc.plant(sw, user)
			})
			fs := append(withValue(analysistest.Run(t, RunKeys, set), "evil"), withValue(analysistest.Run(t, RunKeys, set), "evil32")...)
			if len(fs) != 1 {
				t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
			}
			f := fs[0]
			if f.Rule != tc.rule || f.Severity != tc.want || f.Risk != 0.75 || !strings.Contains(f.Detail, tc.contains) {
				t.Errorf("got %s/%v risk %.2f: %s", f.Rule, f.Severity, f.Risk, f.Detail)
			}
		})
	}
}

// A value that is not a string is reported, not run through the assessor.
func TestRunKeysNonStringValue(t *testing.T) {
	set := autostartHost(t, func(sw, _, _, _ *hivetest.Key) {
		samples.Set(sw, swRun, hivetest.DWORD("odd", 1), hivetest.SZ("empty", ""))
	})
	fs := analysistest.Run(t, RunKeys, set)
	if odd := withValue(fs, "odd"); len(odd) != 1 || odd[0].Severity != report.Info || !strings.Contains(odd[0].Detail, "only runs string values") {
		t.Errorf("odd: %+v", odd)
	}
	if empty := withValue(fs, "empty"); len(empty) != 0 {
		t.Errorf("an empty value is no entry: %+v", empty)
	}
}

func TestRunNames(t *testing.T) {
	if len(runNames) < 10 {
		t.Fatalf("runnames.tsv has %d entries", len(runNames))
	}
	for _, tc := range []struct {
		value string
		owner string
		ok    bool
	}{
		{"securityhealth", "Windows", true},
		{"MicrosoftEdgeAutoLaunch_29EBC4579851B72EE312C449CF839B1A", "Microsoft Edge", true},
		{"MicrosoftEdge", "", false},
		{"Security", "", false},
	} {
		n, ok := borrowedRunName(tc.value)
		if ok != tc.ok || n.owner != tc.owner {
			t.Errorf("borrowedRunName(%q) = %q, %v", tc.value, n.owner, ok)
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "runnames.tsv:2:") {
			t.Errorf("a malformed line: %v", r)
		}
	}()
	parseRunNames("# header\nname\tprograms only\n")
}

func TestRunNameReuse(t *testing.T) {
	for _, tc := range []struct {
		name, value, data string
		user              bool
		rule              string
		sev               report.Severity
	}{
		{"SecurityHealth starting calc", "SecurityHealth", `calc.exe`, false, "runkey.name-reuse", report.Medium},
		{"SecurityHealth as Windows ships it", "SecurityHealth", `%windir%\system32\SecurityHealthSystray.exe`, false, "runkey.entry", report.Info},
		{"OneDrive per user", "OneDrive", `"C:\Users\alice\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background`, true, "runkey.entry", report.Low},
		{"OneDrive starting another program", "OneDrive", `"C:\Users\alice\AppData\Local\Microsoft\OneDrive\odsync.exe" /background`, true, "runkey.name-reuse", report.Medium},
		{"bare name in a machine Run", "helper", `helper.exe /quiet`, false, "runkey.entry", report.Low},
		{"bare name in a user Run", "helper", `helper.exe /quiet`, true, "runkey.entry", report.Info},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := autostartHost(t, func(sw, user, _, _ *hivetest.Key) {
				if tc.user {
					samples.Set(user, userRun, hivetest.SZ(tc.value, tc.data))
				} else {
					samples.Set(sw, swRun, hivetest.SZ(tc.value, tc.data))
				}
			})
			fs := withValue(analysistest.Run(t, RunKeys, set), tc.value)
			if len(fs) != 1 || fs[0].Rule != tc.rule || fs[0].Severity != tc.sev {
				t.Fatalf("got %+v, want one %s/%v", fs, tc.rule, tc.sev)
			}
		})
	}
}
