package winpath

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/report"
)

func TestLocations(t *testing.T) {
	alice := Env{UserName: "alice"}
	xp := Env{UserName: "bob", XP: true}
	tests := []struct {
		path string
		env  Env
		sev  report.Severity
		want []string
	}{
		{`C:\Users\alice\AppData\Roaming\a\b.exe`, alice, report.Medium, []string{"location.user-writable"}},
		{`C:\Users\alice\AppData\Local\Temp\b.exe`, alice, report.High, []string{"location.temp"}},
		{`C:\Users\someone\AppData\Local\Temp\x\b.exe`, alice, report.High, []string{"location.temp"}},
		{`C:\Windows\Temp\b.exe`, alice, report.High, []string{"location.temp"}},
		{`C:\Users\Public\b.exe`, alice, report.Medium, []string{"location.user-writable"}},
		{`C:\ProgramData\b.exe`, alice, report.Medium, []string{"location.user-writable"}},
		{`C:\$Recycle.Bin\S-1-5-21-1\b.exe`, alice, report.High, []string{"location.recycle-bin"}},
		{`C:\RECYCLER\S-1-5-21-1\b.exe`, xp, report.High, []string{"location.recycle-bin"}},
		{`C:\System Volume Information\b.exe`, alice, report.High, []string{"location.system-volume-information"}},
		{`C:\PerfLogs\b.exe`, alice, report.High, []string{"location.perflogs"}},
		{`C:\Windows\Tasks\b.exe`, alice, report.High, []string{"location.windows-writable"}},
		{`C:\Windows\System32\spool\drivers\color\b.exe`, alice, report.High, []string{"location.windows-writable"}},
		{`C:\b.exe`, alice, report.Medium, []string{"location.drive-root"}},
		{`E:\b.exe`, alice, report.Medium, []string{"location.drive-root"}},
		{`\\fileserver\apps\b.exe`, alice, report.Medium, []string{"location.unc"}},
		{`\\192.168.1.20\c$\b.exe`, alice, report.High, []string{"location.unc"}},
		{`\\evil.example@SSL\DavWWWRoot\b.exe`, alice, report.High, []string{"location.unc"}},
		{`\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy1\b.exe`, alice, report.High, []string{"location.globalroot"}},
		{`C:\Program Files\App\b.exe:s.exe`, alice, report.High, []string{"location.ads"}},
		{`C:\Program Files\App\b.exe::$DATA`, alice, report.Info, nil},
		{`C:\Documents and Settings\bob\Application Data\b.exe`, xp, report.Medium, []string{"location.user-writable"}},
		{`C:\DOCUME~1\bob\LOCALS~1\Temp\b.exe`, xp, report.High, []string{"location.temp"}},
		{`C:\Documents and Settings\bob\Local Settings\Application Data\Microsoft\OneDrive\OneDrive.exe`, xp, report.Low, []string{"location.user-writable"}},
		{`C:\Users\alice\AppData\Local\Microsoft\OneDrive\23.1.0\FileSyncHelper.exe`, alice, report.Low, []string{"location.user-writable"}},
		{`C:\Users\alice\AppData\Local\Microsoft\OneDriveX\OneDrive.exe`, alice, report.Medium, []string{"location.user-writable"}},
		{`C:\Program Files (x86)\App\b.exe`, alice, report.Info, nil},
		{`D:\Apps\b.exe`, alice, report.Info, nil},
	}
	for _, tt := range tests {
		a := AssessPath(tt.path, tt.env)
		if diff := cmp.Diff(tt.want, rules(a)); diff != "" {
			t.Errorf("AssessPath(%q) rules (-want +got):\n%s%s", tt.path, diff, a.Summary())
		}
		if a.Severity != tt.sev {
			t.Errorf("AssessPath(%q).Severity = %v, want %v", tt.path, a.Severity, tt.sev)
		}
	}
}
