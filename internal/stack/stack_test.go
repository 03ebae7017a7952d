package stack

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/report"
)

func TestNormalizePath(t *testing.T) {
	for _, tc := range []struct{ in, user, want string }{
		{`C:\Users\alice\AppData\Roaming\x.exe`, "alice", `?:\users\<user>\appdata\roaming\x.exe`},
		{`"D:\Program Files\Tool\t.exe" /run`, "", `"?:\program files\tool\t.exe" /run`},
		{`C:\Documents and Settings\Bob\Start Menu`, "", `?:\documents and settings\<user>\start menu`},
		{`C:\Users\Public\x.exe`, "", `?:\users\public\x.exe`},
		{`\\srv\share\ALICE\x.exe`, "alice", `\\srv\share\<user>\x.exe`},
		{`C:\ProgramData\S-1-5-21-1004336348-1177238915-682003330-1001\a`, "", `?:\programdata\<sid>\a`},
		{`C:\Windows\system32\config\systemprofile S-1-5-18`, "", `?:\windows\system32\config\systemprofile s-1-5-18`},
		{`rundll32.exe a.dll,Start`, "", `rundll32.exe a.dll,start`},
		{`%SystemRoot%\x.exe`, "", `%systemroot%\x.exe`},
	} {
		if got := NormalizePath(tc.in, tc.user); got != tc.want {
			t.Errorf("NormalizePath(%q, %q) = %q, want %q", tc.in, tc.user, got, tc.want)
		}
	}
}

func TestNormalizeKey(t *testing.T) {
	for in, want := range map[string]string{
		`\ControlSet002\Services\Foo`: `\controlset\services\foo`,
		`\ControlSet001`:              `\controlset`,
		`\Microsoft\Windows NT\CurrentVersion\ProfileList\S-1-5-21-1-2-3-1001`: `\microsoft\windows nt\currentversion\profilelist\<sid>`,
		`\S-1-5-21-1-2-3-1001_Classes\CLSID`:                                   `\<sid>\clsid`,
	} {
		if got := NormalizeKey(in); got != want {
			t.Errorf("NormalizeKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func finding(host, user, kind, key, value string, data any, sev report.Severity) report.Finding {
	return report.Finding{Analyzer: "runkeys", Rule: "runkey.entry", Severity: sev, Host: host, User: user, HiveKind: kind,
		Key: key, Value: report.ValueName(value), Data: data, Fingerprint: "f"}
}

var fleet = []report.Finding{
	finding("ws1", "alice", "NTUSER", `\Software\Microsoft\Windows\CurrentVersion\Run`, "OneDrive", `C:\Users\alice\AppData\Local\Microsoft\OneDrive\OneDrive.exe /background`, report.Info),
	finding("ws2", "bob", "NTUSER", `\Software\Microsoft\Windows\CurrentVersion\Run`, "onedrive", `D:\Users\BOB\AppData\Local\Microsoft\OneDrive\OneDrive.exe /background`, report.Info),
	finding("ws3", "carol", "NTUSER", `\Software\Microsoft\Windows\CurrentVersion\Run`, "OneDrive", `C:\Users\carol\AppData\Local\Microsoft\OneDrive\OneDrive.exe /background`, report.Low),
	finding("ws3", "carol", "NTUSER", `\Software\Microsoft\Windows\CurrentVersion\Run`, "Updater", `C:\Users\carol\AppData\Roaming\upd.exe`, report.High),
	finding("ws1", "", "SYSTEM", `\ControlSet001\Services\Agent`, "ImagePath", `C:\Program Files\Agent\agent.exe`, report.Info),
	finding("ws1", "", "SYSTEM", `\ControlSet002\Services\Agent`, "ImagePath", `C:\Program Files\Agent\agent.exe`, report.Info),
	finding("ws2", "", "SYSTEM", `\ControlSet001\Services\Agent`, "ImagePath", `C:\Program Files\Agent\agent.exe`, report.Info),
}

func TestStack(t *testing.T) {
	res := Stack(fleet, []string{"ws1", "ws2", "ws3", "ws4"})
	type row struct {
		Count    int
		Location string
		Value    string
		Hosts    []string
		Severity report.Severity
	}
	var got []row
	for _, e := range res.Entries {
		got = append(got, row{e.Count, e.Location, e.Value, e.Hosts, e.Severity})
	}
	want := []row{
		{1, `NTUSER\software\microsoft\windows\currentversion\run`, "updater", []string{"ws3"}, report.High},
		{2, `SYSTEM\controlset\services\agent`, "imagepath", []string{"ws1", "ws2"}, report.Info},
		{3, `NTUSER\software\microsoft\windows\currentversion\run`, "onedrive", []string{"ws1", "ws2", "ws3"}, report.Low},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stack (-want +got):\n%s", diff)
	}
	if res.Hosts != 4 {
		t.Errorf("hosts %d, want 4 (ws4 has no findings)", res.Hosts)
	}
	if ex := res.Entries[2].Example; ex.Host != "ws1" || ex.Value != "OneDrive" || !strings.HasPrefix(ex.Data, `C:\Users\alice`) {
		t.Errorf("example %+v", ex)
	}
}

func TestWrite(t *testing.T) {
	res := Stack(append(fleet, finding("ws9", "", "SOFTWARE", `\Run`, "=cmd", "a\x1b[31mb\u202e", report.Critical)), nil)
	for _, tc := range []struct{ format, want string }{
		{"csv", "1,4,critical,SOFTWARE\\run,'=cmd,a\x1b[31mb\u202e,runkeys/runkey.entry,false,ws9,\\Run,'=cmd,a\x1b[31mb\u202e\n"},
		{"table", `=cmd       a\x1b[31mb\u202e`},
		{"table", "1/4    critical  SOFTWARE\\run"},
		{"json", `"location": "SOFTWARE\\run"`},
	} {
		var b bytes.Buffer
		if err := Write(&b, res, tc.format); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("%s: no %q in\n%s", tc.format, tc.want, b.String())
		}
	}
	if err := Write(&bytes.Buffer{}, res, "xml"); err == nil {
		t.Error("xml accepted")
	}
}
