package logon

import (
	"context"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

var family = []*analysis.Analyzer{Logon, SafeBoot, Telemetry, AppPaths}

func run(t *testing.T, hives ...samples.Hive) map[string]report.Finding {
	t.Helper()
	set := analysistest.HostOf(t, "h", hives...)
	out := map[string]report.Finding{}
	for _, a := range family {
		for _, f := range analysistest.Run(t, a, set) {
			id := f.Rule + " " + f.Key[strings.LastIndex(f.Key, `\`)+1:]
			if old, ok := out[id]; !ok || f.Severity > old.Severity {
				out[id] = f
			}
		}
	}
	return out
}

// Windows' own Safe Mode entries and telemetry commands are quiet; an
// attacker's service added to SafeBoot\Minimal is reported, high when the
// service runs from a user-writable folder; a vendor's stays low; a
// telemetry command that is not Windows' is high.
func TestSafeBootAndTelemetry(t *testing.T) {
	sys, sw := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1), samples.Software()
	cs := samples.At(sys.Root, "ControlSet001")
	for _, n := range []string{"AppInfo", "EventLog", "{4D36E967-E325-11CE-BFC1-08002BE10318}", "vga.sys"} {
		samples.Set(cs, `Control\SafeBoot\Minimal\`+n, hivetest.SZ("", "Service"))
	}
	samples.Set(cs, `Control\SafeBoot\Network\Tcpip`, hivetest.SZ("", "Service"))
	samples.Set(cs, `Control\SafeBoot\Minimal\updsvc`, hivetest.SZ("", "Service"))
	samples.Set(cs, `Services\updsvc`, hivetest.ExpandSZ("ImagePath", `C:\Users\Public\upd\updsvc.exe`), hivetest.DWORD("Start", 2), hivetest.DWORD("Type", 16))
	samples.Set(cs, `Control\SafeBoot\Network\VendorAV`, hivetest.SZ("", "Service"))
	samples.Set(cs, `Services\VendorAV`, hivetest.ExpandSZ("ImagePath", `"C:\Program Files\Vendor AV\avsvc.exe"`), hivetest.DWORD("Start", 2), hivetest.DWORD("Type", 16))
	tc := `Microsoft\Windows NT\CurrentVersion\AppCompatFlags\TelemetryController`
	samples.Set(sw.Root, tc+`\Appraiser`, hivetest.ExpandSZ("Command", `%windir%\system32\rundll32.exe appraiser.dll,DoScheduledTelemetryRun`))
	samples.Set(sw.Root, tc+`\Inventory`, hivetest.ExpandSZ("Command", `%windir%\system32\CompatTelRunner.exe -m:invagent.dll -f:RunUpdate`))
	samples.Set(sw.Root, tc+`\Levint`, hivetest.SZ("Command", `C:\ProgramData\svc\levint.exe`), hivetest.DWORD("Nightly", 1))
	got := run(t, sys, sw)
	want := map[string]report.Severity{
		"safeboot.entry updsvc":    report.High,
		"safeboot.entry VendorAV":  report.Low,
		"telemetry.command Levint": report.High,
	}
	for id, sev := range want {
		if f, ok := got[id]; !ok || f.Severity != sev {
			t.Errorf("%s: got %+v, want %s", id, f, sev)
		}
	}
	for id, f := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("unexpected %s %s: %s", id, f.Severity, f.Title)
		}
	}
}

// On the corpus's real hives the logon analyzers give nothing above low:
// Windows' own Remote Desktop, screen saver, Explorer and Safe Mode entries
// are known; what fires at low is listed with its reason.
func TestLogonOnCorpus(t *testing.T) {
	allowed := map[string]string{
		// McAfee VirusScan registers its services for Safe Mode with
		// Networking on regipy's Windows 7 host.
		"safeboot.entry": "McAfee's Safe Mode entries (mfe*, McMPFSvc, MCODS)",
	}
	hosts := map[string]*hive.Set{}
	for _, m := range corpus.Manifest(t) {
		switch m.Kind {
		case "SYSTEM", "SOFTWARE", "NTUSER", "DEFAULT":
		default:
			continue
		}
		h, err := hive.Open(corpus.Path(t, m.Path))
		if err != nil {
			continue // not readable as a hive: the hive tests cover it
		}
		id := m.Path // each hive its own host, as folders mix hives of several machines
		hosts[id] = &hive.Set{Host: id}
		user, _ := hive.ProfileFromEmbeddedName(h.Header.FileName)
		hosts[id].Add(&hive.Entry{Hive: h, Path: m.Path, User: user})
	}
	if len(hosts) == 0 {
		t.Fatal("no corpus hive was read")
	}
	var seen []string
	for id, set := range hosts {
		res := analysis.Run(context.Background(), set, family)
		for _, f := range res.Findings {
			seen = append(seen, f.Severity.String()+" "+f.Rule+" "+path.Base(id)+" "+f.Key)
			if f.Severity > report.Low || f.Severity == report.Low && allowed[f.Rule] == "" {
				t.Errorf("%s: %s %s: %s (%s)", id, f.Severity, f.Rule, f.Title, f.Key)
			}
		}
	}
	sort.Strings(seen)
	t.Logf("%d findings:\n%s", len(seen), strings.Join(seen, "\n"))
}

// Windows' own App Paths entries and installers' entries are quiet; one
// named after a Windows program that points elsewhere is high, in the
// machine's and in a user's hive.
func TestAppPaths(t *testing.T) {
	sw, user := samples.Software(), samples.NTUser("alice")
	ap := `Microsoft\Windows\CurrentVersion\App Paths\`
	samples.Set(sw.Root, ap+`PowerShell.exe`, hivetest.ExpandSZ("", `%SystemRoot%\system32\WindowsPowerShell\v1.0\PowerShell.exe`))
	samples.Set(sw.Root, ap+`WORDPAD.EXE`, hivetest.ExpandSZ("", `"%ProgramFiles%\Windows NT\Accessories\WORDPAD.EXE"`))
	samples.Set(sw.Root, ap+`IEXPLORE.EXE`, hivetest.SZ("", `C:\Program Files\Internet Explorer\IEXPLORE.EXE`))
	samples.Set(sw.Root, ap+`chrome.exe`, hivetest.SZ("", `C:\Program Files\Google\Chrome\Application\chrome.exe`))
	samples.Set(sw.Root, ap+`notepad.exe`, hivetest.SZ("", `C:\ProgramData\np\notepad.exe`))
	samples.Set(user.Root, `Software\`+ap+`mspaint.exe`, hivetest.SZ("", `C:\Program Files\WindowsApps\Microsoft.Paint_11.2110.0.0_x64__8wekyb3d8bbwe\PaintApp\mspaint.exe`))
	samples.Set(user.Root, `Software\`+ap+`calc.exe`, hivetest.SZ("", `C:\Program Files\WindowsApps\Evil.Calc_1.0.0.0_x64__8wekyb3d8bbwe\calc.exe`))
	samples.Set(user.Root, `Software\`+ap+`cmd.exe`, hivetest.SZ("", `C:\Users\alice\AppData\Local\Temp\cmd.exe`))
	got := run(t, samples.System("PC", [4]uint32{1, 1, 1, 0}, 1), sw, user)
	for _, id := range []string{"apppaths.windows-name notepad.exe", "apppaths.windows-name cmd.exe", "apppaths.windows-name calc.exe"} {
		if f, ok := got[id]; !ok || f.Severity < report.High {
			t.Errorf("%s: %+v", id, f)
		}
	}
	if len(got) != 3 {
		t.Errorf("findings %v", keysOf(got))
	}
}

func keysOf(m map[string]report.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
