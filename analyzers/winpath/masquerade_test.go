package winpath

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/report"
)

func TestPriorTable(t *testing.T) {
	env := Env{UserName: "alice", XP: true}
	tests := []struct {
		path string
		risk float64
	}{
		{`C:\Windows\smss.exe`, 0.75},
		{`C:\Windows\System32\drivers\etc\smss.exe`, 0.71},
		{`C:\Windows\Fonts\smss.exe`, 0.73},
		{`C:\Windows\System32\wbem\smss.exe`, 0.75},
		{`C:\Program Files\Vendor\smss.exe`, 0.58},
		{`C:\Program Files (x86)\Vendor\smss.exe`, 0.58},
		{`C:\Windows\System32\drivers\smss.exe`, 0.52},
		{`C:\Intel\smss.exe`, 0.65},
		{`C:\Program Files\Common Files\x\smss.exe`, 0.56}, // not 0.58: the more specific row wins
		{`C:\PROGRA~1\COMMON~1\x\smss.exe`, 0.56},
		{`C:\smss.exe`, 0.65},
		{`C:\Program Files\Common Files\smss.exe`, 1.00},
		{`C:\Documents and Settings\alice\smss.exe`, 0.36},
		{`C:\DOCUME~1\alice\Local Settings\smss.exe`, 0.36},
		{`D:\smss.exe`, 0},
	}
	for _, tt := range tests {
		a := AssessPath(tt.path, env)
		if a.Risk != tt.risk {
			t.Errorf("AssessPath(%q).Risk = %v, want %v", tt.path, a.Risk, tt.risk)
		}
		if len(a.Reasons) == 0 || a.Reasons[0].Rule != "masquerade.location" || a.Severity != report.Critical {
			t.Errorf("AssessPath(%q) = %s, want critical masquerade.location first", tt.path, a.Summary())
		}
	}
}

func TestCriticalNameLocations(t *testing.T) {
	env := Env{UserName: "alice"}
	good := []string{
		`C:\Windows\System32\smss.exe`, `C:\Windows\System32\csrss.exe`, `C:\Windows\System32\wininit.exe`,
		`C:\Windows\System32\winlogon.exe`, `C:\Windows\System32\services.exe`, `C:\Windows\System32\lsass.exe`,
		`C:\Windows\System32\lsaiso.exe`, `C:\Windows\System32\svchost.exe`, `C:\Windows\SysWOW64\svchost.exe`,
		`C:\Windows\System32\taskhostw.exe`, `C:\Windows\System32\dllhost.exe`, `C:\Windows\SysWOW64\dllhost.exe`,
		`C:\Windows\System32\conhost.exe`, `C:\Windows\explorer.exe`, `C:\Windows\SysWOW64\explorer.exe`,
		`C:\Windows\System32\userinit.exe`, `C:\Windows\System32\RuntimeBroker.exe`, `C:\Windows\System32\spoolsv.exe`,
		`C:\Windows\System32\wbem\WmiPrvSE.exe`, `C:\Windows\Sysnative\lsass.exe`,
	}
	for _, p := range good {
		if a := AssessPath(p, env); len(a.Reasons) != 0 {
			t.Errorf("AssessPath(%q) = %s, want no reasons", p, a.Summary())
		}
	}
	bad := []string{
		`C:\Windows\System32\explorer.exe`, `C:\Windows\SysWOW64\lsass.exe`, `C:\Windows\svchost.exe`,
		`C:\Users\alice\AppData\Roaming\svchost.exe`, `C:\Windows\System32\drivers\csrss.exe`,
		`\\srv\share\Windows\System32\smss.exe`, `C:\Windows\System32\wbem\svchost.exe`,
	}
	for _, p := range bad {
		a := AssessPath(p, env)
		if a.Severity != report.Critical || a.Reasons[0].Rule != "masquerade.location" || a.Reasons[0].Attack[0] != "T1036.005" {
			t.Errorf("AssessPath(%q) = %s, want critical masquerade.location (T1036.005)", p, a.Summary())
		}
	}
}

func TestLookalikes(t *testing.T) {
	env := Env{UserName: "alice"}
	tests := []struct {
		name string
		path string
		sev  report.Severity
		want []string
	}{
		{"extra letter", `C:\Windows\System32\smsss.exe`, report.Critical, []string{"masquerade.lookalike.edit1"}},
		{"substitution", `C:\Users\alice\snss.exe`, report.High, []string{"masquerade.lookalike.edit1", "location.user-writable"}},
		{"transposition", `C:\Windows\System32\scvhost.exe`, report.Critical, []string{"masquerade.lookalike.edit1"}},
		{"plural", `C:\ProgramData\svchosts.exe`, report.High, []string{"masquerade.lookalike.edit1", "location.user-writable"}},
		{"crss", `C:\Windows\crss.exe`, report.Critical, []string{"masquerade.lookalike.edit1"}},
		{"other extension", `C:\Windows\System32\svchost.com`, report.Critical, []string{"masquerade.lookalike.extension"}},
		{"service.exe in Windows", `C:\Windows\System32\service.exe`, report.Critical, []string{"masquerade.lookalike.edit1"}},
		{"cyrillic dze", "C:\\Windows\\System32\\\u0455mss.exe", report.Critical, []string{"masquerade.confusable"}},
		{"cyrillic a", "C:\\Windows\\System32\\ls\u0430ss.exe", report.Critical, []string{"masquerade.confusable"}},
		{"cyrillic e and o", "C:\\Windows\\\u0435xpl\u043erer.exe", report.Critical, []string{"masquerade.confusable"}},
		{"cyrillic es", "C:\\Windows\\System32\\\u0441srss.exe", report.Critical, []string{"masquerade.confusable"}},
		{"cyrillic er and ha", "C:\\Windows\\System32\\wm\u0456\u0440rvse.exe", report.Critical, []string{"masquerade.confusable"}},
		{"cyrillic ha", "C:\\Windows\\System32\\conhost.e\u0445e", report.Critical, []string{"masquerade.confusable"}},
		{"greek omicron", "C:\\Windows\\System32\\winl\u03bfgon.exe", report.Critical, []string{"masquerade.confusable"}},
		{"full-width", "C:\\Windows\\System32\\\uff53\uff4d\uff53\uff53.exe", report.Critical, []string{"masquerade.confusable"}},
		{"ascii I for l", `C:\Windows\System32\Isass.exe`, report.Critical, []string{"masquerade.confusable"}},
		{"ascii rn for m", `C:\Windows\System32\srnss.exe`, report.Critical, []string{"masquerade.confusable"}},
		{"ascii 0 for o", `C:\Windows\System32\c0nh0st.exe`, report.Critical, []string{"masquerade.confusable"}},
		{"trailing dot", `\\?\C:\Windows\System32\smss.exe.`, report.Critical, []string{"masquerade.trailing"}},
		{"trailing space", `"C:\Windows\System32\lsass.exe "`, report.Critical, []string{"masquerade.trailing"}},
		{"double exe", `C:\Windows\System32\smss.exe.exe`, report.Critical, []string{"masquerade.double-extension"}},
		{"double with space", `C:\Windows\System32\smss.exe .scr`, report.Critical, []string{"masquerade.double-extension"}},
		{"document decoy", `C:\Users\alice\Desktop\invoice.pdf.exe`, report.High, []string{"masquerade.double-extension", "location.user-writable"}},
		{"rtlo", "C:\\Users\\alice\\photo\u202egpj.exe", report.High, []string{"masquerade.bidi", "location.user-writable"}},
		{"rtlo imitating", "C:\\Windows\\System32\\\u202eexe.ssms", report.Critical, []string{"masquerade.bidi"}},
		{"lrm", "C:\\Windows\\System32\\sm\u200ess.exe", report.Critical, []string{"masquerade.bidi"}},
		{"zero width space", "C:\\Windows\\System32\\sm\u200bss.exe", report.Critical, []string{"masquerade.invisible"}},
		{"zero width joiner", "C:\\Windows\\System32\\svc\u200dhost.exe", report.Critical, []string{"masquerade.invisible"}},
		{"mixed script, no target", "C:\\Program Files\\X\\upd\u0430ter.exe", report.Medium, []string{"masquerade.mixed-script"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := AssessPath(tt.path, env)
			if diff := cmp.Diff(tt.want, rules(a)); diff != "" {
				t.Errorf("AssessPath(%q) rules (-want +got):\n%s%s", tt.path, diff, a.Summary())
			}
			if a.Severity != tt.sev {
				t.Errorf("AssessPath(%q).Severity = %v, want %v", tt.path, a.Severity, tt.sev)
			}
		})
	}
}

// TestLookalikeNames checks that reasons name the class and the code points.
func TestLookalikeNames(t *testing.T) {
	a := AssessPath("C:\\Windows\\System32\\\u0455mss.exe", Env{})
	want := "The file name is spelled with look-alike characters (U+0455 CYRILLIC SMALL LETTER DZE) so that it reads as smss.exe. Real Windows files never do this; collect and examine the file."
	if len(a.Reasons) != 1 || a.Reasons[0].Text != want {
		t.Errorf("reason = %+v\nwant text %q", a.Reasons, want)
	}
	a = AssessPath("C:\\x\\a\u202egpj.exe", Env{})
	if len(a.Reasons) == 0 || a.Reasons[0].Attack[0] != "T1036.002" || !containsFold(a.Reasons[0].Text, "U+202E RIGHT-TO-LEFT OVERRIDE") {
		t.Errorf("rtlo reason = %+v", a.Reasons)
	}
}

// TestNotLookalikes holds real names close to critical ones.
func TestNotLookalikes(t *testing.T) {
	for _, p := range []string{
		`C:\Windows\System32\lsm.exe`,      // 2 edits from lsass
		`C:\Windows\System32\taskhost.exe`, // 1 edit from taskhostw, but critical itself
		`C:\Windows\System32\dllhst3g.exe`,
		`C:\Windows\System32\wininet.dll`, // not a program
		`C:\Windows\System32\spoolss.dll`,
		`C:\Windows\System32\lsasrv.dll`,
		`C:\Windows\System32\dwwin.exe`,
		`C:\Windows\System32\smartscreen.exe`,
		`C:\Program Files\Vendor\service.exe`, // a generic vendor name outside Windows
		`C:\Program Files\Vendor\sms.exe`,
		`C:\Windows\System32\csrsrv.dll`,
		`C:\Windows\System32\svchost.exe.mui`,
		"C:\\Program Files\\\u0418\u0432\u0430\u043d\\app.exe",                             // Cyrillic folder name
		"C:\\Program Files\\X\\\u043f\u0440\u043e\u0433\u0440\u0430\u043c\u043c\u0430.exe", // all-Cyrillic file name
	} {
		if a := AssessPath(p, Env{}); len(a.Reasons) != 0 {
			t.Errorf("AssessPath(%q) = %s, want no reasons", p, a.Summary())
		}
	}
}

func TestCriticalName(t *testing.T) {
	for in, want := range map[string]string{"SMSS.EXE": "smss.exe", "runtimebroker.exe": "RuntimeBroker.exe", "wmiprvse.exe": "WmiPrvSE.exe"} {
		if got, ok := CriticalName(in); !ok || got != want {
			t.Errorf("CriticalName(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"smss", "smss.exe.", "notepad.exe", "", "\u0455mss.exe"} {
		if got, ok := CriticalName(in); ok {
			t.Errorf("CriticalName(%q) = %q, true; want false", in, got)
		}
	}
}

func TestEditOne(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"smss", "smsss", true}, {"smss", "snss", true}, {"svchost", "scvhost", true},
		{"smss", "smss", false}, {"lsass", "lsm", false}, {"csrss", "crss", true},
		{"services", "service", true}, {"ab", "ba", true}, {"abc", "bca", false}, {"", "a", true}, {"", "ab", false},
	}
	for _, tt := range tests {
		if got := editOne(tt.a, tt.b); got != tt.want {
			t.Errorf("editOne(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
