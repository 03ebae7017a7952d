package office

import (
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

const userAddins = `Software\Microsoft\Office\`

func TestAddIns(t *testing.T) {
	runCases(t, []caseT{
		{"user COM add-in, class in UsrClass.dat, DLL in AppData", func(h host) {
			samples.Set(h.user.Root, userAddins+`Word\Addins\Evil.Connect`, hivetest.DWORD("LoadBehavior", 3), hivetest.SZ("FriendlyName", "Word Helper"))
			samples.Set(h.classes.Root, `Evil.Connect\CLSID`, hivetest.SZ("", clsidPlanted))
			samples.Set(h.classes.Root, `CLSID\`+clsidPlanted+`\InprocServer32`, hivetest.SZ("", `C:\Users\alice\AppData\Roaming\Microsoft\helper.dll`))
		}, report.High, "office.addin", "helper.dll"},
		{"user COM add-in whose class is in NTUSER Software\\Classes, Temp DLL", func(h host) {
			samples.Set(h.user.Root, userAddins+`Excel\Addins\Evil.Connect`, hivetest.DWORD("LoadBehavior", 3))
			samples.Set(h.user.Root, `Software\Classes\Evil.Connect\CLSID`, hivetest.SZ("", clsidPlanted))
			samples.Set(h.user.Root, `Software\Classes\CLSID\`+clsidPlanted+`\InprocServer32`, hivetest.SZ("", `%LOCALAPPDATA%\Temp\x.dll`))
		}, report.High, "office.addin", "x.dll"},
		{"user add-in whose ProgID resolves in the machine's classes (CurVer), AppData DLL", func(h host) {
			samples.Set(h.user.Root, userAddins+`PowerPoint\Addins\Evil.Connect`, hivetest.DWORD("LoadBehavior", 3))
			samples.Set(h.sw.Root, `Classes\Evil.Connect\CurVer`, hivetest.SZ("", "Evil.Connect.1"))
			samples.Set(h.sw.Root, `Classes\Evil.Connect.1\CLSID`, hivetest.SZ("", clsidPlanted))
			samples.Set(h.sw.Root, `Classes\Wow6432Node\CLSID\`+clsidPlanted+`\InprocServer32`, hivetest.SZ("", `C:\Users\Public\Libraries\p.dll`))
		}, report.High, "office.addin", "p.dll"},
		{"the Teams ProgID pointing outside Teams' folder", func(h host) {
			samples.Set(h.classes.Root, `CLSID\`+clsidTeams+`\InprocServer32`, hivetest.SZ("", `C:\Users\alice\AppData\Local\Temp\Microsoft.Teams.AddinLoader.dll`))
		}, report.High, "office.addin", "Microsoft.Teams.AddinLoader.dll"},
		{"a .NET COM add-in: mscoree.dll loads an assembly from AppData", func(h host) {
			samples.Set(h.user.Root, userAddins+`Outlook\Addins\Managed.Addin`, hivetest.DWORD("LoadBehavior", 3))
			samples.Set(h.classes.Root, `Managed.Addin\CLSID`, hivetest.SZ("", clsidPlanted))
			samples.Set(h.classes.Root, `CLSID\`+clsidPlanted+`\InprocServer32`, hivetest.SZ("", "mscoree.dll"))
			samples.Set(h.classes.Root, `CLSID\`+clsidPlanted+`\InprocServer32\1.0.0.0`, hivetest.SZ("CodeBase", "file:///C:/Users/alice/AppData/Roaming/Managed.dll"))
		}, report.High, "office.addin", "Managed.dll"},
		{"on-demand add-in in AppData is medium", func(h host) {
			samples.Set(h.user.Root, userAddins+`Word\Addins\Evil.Connect`, hivetest.DWORD("LoadBehavior", 9))
			samples.Set(h.classes.Root, `Evil.Connect\CLSID`, hivetest.SZ("", clsidPlanted))
			samples.Set(h.classes.Root, `CLSID\`+clsidPlanted+`\InprocServer32`, hivetest.SZ("", `C:\Users\alice\AppData\Roaming\helper.dll`))
		}, report.Medium, "office.addin", "helper.dll"},
		{"disabled add-in in AppData is low", func(h host) {
			samples.Set(h.user.Root, userAddins+`Word\Addins\Evil.Connect`, hivetest.DWORD("LoadBehavior", 0))
			samples.Set(h.classes.Root, `Evil.Connect\CLSID`, hivetest.SZ("", clsidPlanted))
			samples.Set(h.classes.Root, `CLSID\`+clsidPlanted+`\InprocServer32`, hivetest.SZ("", `C:\Users\alice\AppData\Local\Temp\helper.dll`))
		}, report.Low, "office.addin", "helper.dll"},
		{"vendor add-in under Program Files is inventory", func(h host) {
			samples.Set(h.sw.Root, `Microsoft\Office\Excel\Addins\Vendor.Connect`, hivetest.DWORD("LoadBehavior", 3))
			samples.Set(h.sw.Root, `Classes\Vendor.Connect\CLSID`, hivetest.SZ("", clsidPlanted))
			samples.Set(h.sw.Root, `Classes\CLSID\`+clsidPlanted+`\InprocServer32`, hivetest.SZ("", `C:\Program Files\Vendor\addin.dll`))
		}, report.Info, "", ""},
		{"add-in with no class anywhere, loading at start", func(h host) {
			samples.Set(h.user.Root, userAddins+`Word\Addins\Gone.Connect`, hivetest.DWORD("LoadBehavior", 3))
		}, report.Low, "office.addin-unresolved", "Gone.Connect"},
		{"VSTO add-in from AppData", func(h host) {
			samples.Set(h.user.Root, userAddins+`Outlook\Addins\Evil.Vsto`, hivetest.DWORD("LoadBehavior", 3),
				hivetest.SZ("Manifest", `file:///C:/Users/alice/AppData/Roaming/evil/evil.vsto|vstolocal`))
		}, report.Medium, "office.addin-vsto", "evil.vsto"},
		{"VSTO add-in from a share", func(h host) {
			samples.Set(h.user.Root, userAddins+`Word\Addins\Share.Vsto`, hivetest.DWORD("LoadBehavior", 3),
				hivetest.SZ("Manifest", `\\fileserver\addins\share.vsto|vstolocal`))
		}, report.Medium, "office.addin-vsto", "share.vsto"},
		{"VSTO add-in from the web", func(h host) {
			samples.Set(h.user.Root, userAddins+`Excel\Addins\Web.Vsto`, hivetest.DWORD("LoadBehavior", 3),
				hivetest.SZ("Manifest", `https://203.0.113.7/web.vsto`))
		}, report.Medium, "office.addin-vsto", "web.vsto"},
		{"Click-to-Run virtual registry add-in in ProgramData", func(h host) {
			c2r := `Microsoft\Office\ClickToRun\REGISTRY\MACHINE\Software\`
			samples.Set(h.sw.Root, c2r+`Microsoft\Office\Word\Addins\Evil.Connect`, hivetest.DWORD("LoadBehavior", 3))
			samples.Set(h.sw.Root, c2r+`Classes\Evil.Connect\CLSID`, hivetest.SZ("", clsidPlanted))
			samples.Set(h.sw.Root, c2r+`Classes\CLSID\`+clsidPlanted+`\InprocServer32`, hivetest.SZ("", `C:\ProgramData\w.dll`))
		}, report.High, "office.addin", "w.dll"},
	})
}

func TestAddInWithoutSoftwareIsInfo(t *testing.T) {
	h := newHost()
	samples.Set(h.user.Root, userAddins+`Word\Addins\Gone.Connect`, hivetest.DWORD("LoadBehavior", 3))
	fs := analysistestRun(t, h, false)
	found := false
	for _, f := range fs {
		if f.Rule == "office.addin-unresolved" {
			found = true
			if f.Severity != report.Info {
				t.Errorf("without SOFTWARE an unresolved add-in is info, got %v", f.Severity)
			}
		}
	}
	if !found {
		t.Errorf("no office.addin-unresolved finding: %v", summary(fs))
	}
}

// TestDefaultProfileAndPaths: an add-in in the DEFAULT hive says what that
// hive is; ProgIDs and CLSIDs written as paths are not followed.
func TestDefaultProfileAndPaths(t *testing.T) {
	h := newHost()
	samples.Set(h.def.Root, userAddins+`Word\Addins\Sys.Connect`, hivetest.DWORD("LoadBehavior", 3))
	samples.Set(h.def.Root, `Software\Classes\Sys.Connect\CLSID`, hivetest.SZ("", clsidPlanted))
	samples.Set(h.def.Root, `Software\Classes\CLSID\`+clsidPlanted+`\InprocServer32`, hivetest.SZ("", `C:\Windows\Temp\s.dll`))
	samples.Set(h.user.Root, o16+`Excel\Options`, hivetest.SZ("OPEN", `/A "..\CLSID\x"`))
	var sys, open bool
	for _, f := range h.run(t) {
		switch f.Rule {
		case "office.addin":
			if f.Data == `C:\Windows\Temp\s.dll` {
				sys = f.Severity == report.High && strings.Contains(f.Detail, "DEFAULT hive")
			}
		case "office.excel-open":
			open = true
		}
	}
	if !sys {
		t.Error("the DEFAULT hive's add-in is not high with the profile note")
	}
	if !open {
		t.Error("an OPEN value naming a path as ProgID is not reported")
	}
}
