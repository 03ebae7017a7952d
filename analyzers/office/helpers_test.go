package office

import (
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

const (
	o16            = `Software\Microsoft\Office\16.0\`
	clsidOneNote   = "{D0BA3E4D-0000-4C2A-8F3B-3B5B3E2A9E11}" // made up: a machine-wide add-in under Program Files
	clsidTeams     = "{19A6E644-14E6-4A60-B8D7-DD20610A871D}" // the Teams meeting add-in's class
	clsidPlanted   = "{ABCDEF01-2345-6789-ABCD-EF0123456789}"
	teamsAddinDLL  = `C:\Users\alice\AppData\Local\Microsoft\TeamsMeetingAddin\1.0.23089.2\x64\Microsoft.Teams.AddinLoader.dll`
	oneNoteAddinDL = `C:\Program Files\Microsoft Office\root\Office16\ONBttnOL.dll`
)

// host is a Windows 10 host with Microsoft 365 Office as a clean install
// leaves it for alice: the stock trusted locations and folder names (read
// from the corpus's Office 16 NTUSER hives), Outlook's LoadMacroProviderOnBoot
// 0, a machine-wide COM add-in under Program Files, a VSTO add-in under
// Program Files, and the per-user Teams meeting add-in in AppData.
type host struct {
	sys, sw, user, def, classes samples.Hive
}

func newHost() host {
	h := host{
		sys:     samples.System("PC", [4]uint32{1, 1, 1, 0}, 1),
		sw:      samples.Software(),
		user:    samples.NTUser("alice"),
		def:     samples.Default(),
		classes: samples.Hive{Path: "Users/alice/AppData/Local/Microsoft/Windows/UsrClass.dat", Root: &hivetest.Key{Name: "S-1-5-21-1-2-3-1001_Classes", LastWrite: samples.Base}},
	}
	u := h.user.Root
	samples.Set(u, o16+`Common\General`, hivetest.SZ("Startup", "STARTUP"), hivetest.SZ("Xlstart", "XLSTART"), hivetest.SZ("Templates", "Templates"))
	tl := func(app string, paths ...string) {
		for i, p := range paths {
			v := hivetest.SZ("Path", p)
			if strings.HasPrefix(p, "%") {
				v = hivetest.ExpandSZ("Path", p)
			}
			samples.Set(u, o16+app+`\Security\Trusted Locations\Location`+string(rune('0'+i)), v, hivetest.DWORD("AllowSubFolders", 1))
		}
	}
	tl("Excel", `C:\Program Files\Microsoft Office\root\Office16\XLSTART\`, `%APPDATA%\Microsoft\Excel\XLSTART`, `%APPDATA%\Microsoft\Templates`,
		`C:\Program Files\Microsoft Office\root\Templates\`, `C:\Program Files\Microsoft Office\root\Office16\STARTUP\`, `C:\Program Files\Microsoft Office\root\Office16\Library\`)
	tl("Word", `%APPDATA%\Microsoft\Templates`, `C:\Program Files\Microsoft Office\root\Templates\`, `%APPDATA%\Microsoft\Word\Startup`)
	tl("PowerPoint", `%APPDATA%\Microsoft\Templates`, `C:\Program Files\Microsoft Office\root\Templates\`, `%APPDATA%\Microsoft\Addins`, `C:\Program Files\Microsoft Office\root\Document Themes 16\`)
	tl("Access", `C:\Program Files\Microsoft Office\root\Office16\ACCWIZ\`)
	samples.Set(u, o16+`Outlook`, hivetest.DWORD("LoadMacroProviderOnBoot", 0))
	samples.Set(u, o16+`Outlook\Today\Folders`, hivetest.SZ("0", "inbox"))
	samples.Set(u, o16+`Excel\Options`, hivetest.DWORD("FirstRun", 0), hivetest.SZ("Pos", "76,76,1440,736"))
	samples.Set(u, o16+`Word\Security`, hivetest.DWORD("VBAWarnings", 2))
	// The Teams meeting add-in, per user (class in UsrClass.dat).
	samples.Set(u, `Software\Microsoft\Office\Outlook\Addins\TeamsAddin.FastConnect`,
		hivetest.DWORD("LoadBehavior", 3), hivetest.SZ("FriendlyName", "Microsoft Teams Meeting Add-in for Microsoft Office"))
	samples.Set(h.classes.Root, `TeamsAddin.FastConnect\CLSID`, hivetest.SZ("", clsidTeams))
	samples.Set(h.classes.Root, `CLSID\`+clsidTeams+`\InprocServer32`, hivetest.SZ("", teamsAddinDLL))
	// A machine-wide COM add-in and a VSTO add-in under Program Files.
	samples.Set(h.sw.Root, `Microsoft\Office\Outlook\Addins\OneNote.OutlookAddin`, hivetest.DWORD("LoadBehavior", 3), hivetest.SZ("FriendlyName", "OneNote Notes about Outlook Items"))
	samples.Set(h.sw.Root, `Classes\OneNote.OutlookAddin\CLSID`, hivetest.SZ("", clsidOneNote))
	samples.Set(h.sw.Root, `Classes\CLSID\`+clsidOneNote+`\InprocServer32`, hivetest.SZ("", oneNoteAddinDL))
	samples.Set(h.sw.Root, `Wow6432Node\Microsoft\Office\Excel\Addins\Vendor.Reports`, hivetest.DWORD("LoadBehavior", 3),
		hivetest.SZ("Manifest", `file:///C:/Program Files (x86)/Vendor/Reports/Vendor.Reports.vsto|vstolocal`))
	return h
}

func (h host) run(t *testing.T) []report.Finding {
	t.Helper()
	return analysistest.Run(t, Office, analysistest.HostOf(t, "h", h.sys, h.sw, h.user, h.def, h.classes))
}

// caseT is one planted (or stock) state and what it must give.
type caseT struct {
	name string
	edit func(h host)
	want report.Severity // the highest severity expected
	rule string          // the rule of a finding at want; "" expects nothing above info
	data string          // a substring of that finding's data or title, when not ""
}

func runCases(t *testing.T, cases []caseT) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost()
			tc.edit(h)
			fs := h.run(t)
			got := analysistest.MaxSeverity(fs)
			if tc.rule == "" {
				if got > report.Info {
					t.Fatalf("want nothing above info, got %v", summary(fs))
				}
				return
			}
			if got != tc.want {
				t.Errorf("max severity %v, want %v: %v", got, tc.want, summary(fs))
			}
			for _, f := range fs {
				if f.Rule == tc.rule && f.Severity == tc.want && (tc.data == "" || strings.Contains(f.Title+" "+dataOf(f), tc.data)) {
					if f.Title == "" || f.Detail == "" || len(f.Attack) == 0 {
						t.Errorf("incomplete finding %+v", f)
					}
					return
				}
			}
			t.Errorf("no %s finding at %v (data %q): %v", tc.rule, tc.want, tc.data, summary(fs))
		})
	}
}

func dataOf(f report.Finding) string {
	if s, ok := f.Data.(string); ok {
		return s
	}
	return ""
}

func summary(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+":"+f.Severity.String()+" "+f.Title+" ["+dataOf(f)+"]")
	}
	return out
}

// analysistestRun runs the analyzer on h, with or without its SOFTWARE hive.
func analysistestRun(t *testing.T, h host, withSoftware bool) []report.Finding {
	t.Helper()
	hives := []samples.Hive{h.sys, h.user, h.def, h.classes}
	if withSoftware {
		hives = append(hives, h.sw)
	}
	return analysistest.Run(t, Office, analysistest.HostOf(t, "h", hives...))
}
