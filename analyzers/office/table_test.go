package office

import (
	"testing"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// TestTableLocations plants one attacker value at each location of
// office.yaml in the builder host, and the stock values beside them.
func TestTableLocations(t *testing.T) {
	set := func(path string, vals ...hivetest.Value) func(h host) {
		return func(h host) { samples.Set(h.user.Root, path, vals...) }
	}
	setSW := func(path string, vals ...hivetest.Value) func(h host) {
		return func(h host) { samples.Set(h.sw.Root, path, vals...) }
	}
	pol := `Software\Policies\Microsoft\Office\16.0\`
	runCases(t, []caseT{
		// Startup folders.
		{"Common\\General Startup renamed", set(o16+`Common\General`, hivetest.SZ("Startup", `..\..\..\Local\Temp\w`)), report.Medium, "office.startup-folder", "Startup"},
		{"Common\\General Xlstart renamed (Office 2010)", set(`Software\Microsoft\Office\14.0\Common\General`, hivetest.SZ("Xlstart", `X`)), report.Medium, "office.startup-folder", "Xlstart"},
		{"Word STARTUP-PATH moved to a share", set(o16+`Word\Options`, hivetest.SZ("STARTUP-PATH", `\\203.0.113.4\s\`)), report.High, "office.word-startup-path", "203.0.113.4"},
		{"Word STARTUP-PATH at its default", set(o16+`Word\Options`, hivetest.ExpandSZ("STARTUP-PATH", `%APPDATA%\Microsoft\Word\STARTUP`)), report.Info, "", ""},
		{"Word STARTUP-PATH written expanded at its default", set(o16+`Word\Options`, hivetest.SZ("STARTUP-PATH", `C:\Users\alice\AppData\Roaming\Microsoft\Word\STARTUP\`)), report.Info, "", ""},
		{"Excel AltStartup", set(o16+`Excel\Options`, hivetest.SZ("AltStartup", `C:\Users\alice\AppData\Local\x`)), report.High, "office.excel-alt-startup", `Local\x`},
		// Outlook.
		{"Outlook WebView Inbox URL", set(o16+`Outlook\WebView\Inbox`, hivetest.SZ("URL", "http://203.0.113.8/home.html")), report.High, "office.outlook-webview-url", "home.html"},
		{"Outlook WebView URL by policy (Office 2013)", set(`Software\Policies\Microsoft\Office\15.0\Outlook\WebView\Calendar`, hivetest.SZ("URL", "file:///C:/Users/Public/c.htm")), report.High, "office.outlook-webview-url", "c.htm"},
		{"Outlook Today URL", set(o16+`Outlook\Today`, hivetest.SZ("URL", "http://evil.example/today.htm")), report.High, "office.outlook-today-url", "today.htm"},
		{"folder home pages switched back on", set(o16+`Outlook\Security`, hivetest.DWORD("EnableRoamingFolderHomepages", 1)), report.Medium, "office.outlook-homepages-allowed", ""},
		{"unsafe rule actions allowed", set(o16+`Outlook\Security`, hivetest.DWORD("EnableUnsafeClientMailRules", 1)), report.Medium, "office.outlook-unsafe-rules", ""},
		{"unsafe rule actions allowed by machine policy", setSW(`Policies\Microsoft\Office\16.0\Outlook\Security`, hivetest.DWORD("EnableUnsafeClientMailRules", 1)), report.Medium, "office.outlook-unsafe-rules", ""},
		{"Outlook VBA project loaded at start", set(o16+`Outlook`, hivetest.DWORD("LoadMacroProviderOnBoot", 1)), report.Medium, "office.outlook-vba-boot", ""},
		{"Outlook macros all enabled (Level 1)", set(o16+`Outlook\Security`, hivetest.DWORD("Level", 1)), report.High, "office.macro-level", ""},
		{"Outlook macro Level 2 (prompt) is stock", set(o16+`Outlook\Security`, hivetest.DWORD("Level", 2)), report.Info, "", ""},
		// Macro security.
		{"Word VBAWarnings 1", set(o16+`Word\Security`, hivetest.DWORD("VBAWarnings", 1)), report.High, "office.vba-warnings", ""},
		{"Excel VBAWarnings 1 by policy", set(pol+`Excel\Security`, hivetest.DWORD("VBAWarnings", 1)), report.High, "office.vba-warnings", ""},
		{"PowerPoint VBAWarnings 1 by machine policy (Office 2007)", setSW(`Policies\Microsoft\Office\12.0\PowerPoint\Security`, hivetest.DWORD("VBAWarnings", 1)), report.High, "office.vba-warnings", ""},
		{"VBAWarnings 3 (signed only) is no finding", set(o16+`Excel\Security`, hivetest.DWORD("VBAWarnings", 3)), report.Info, "", ""},
		{"Excel AccessVBOM 1", set(o16+`Excel\Security`, hivetest.DWORD("AccessVBOM", 1)), report.Medium, "office.vbom-access", ""},
		{"AccessVBOM 0 is stock", set(o16+`Excel\Security`, hivetest.DWORD("AccessVBOM", 0)), report.Info, "", ""},
		{"Protected View off for internet files", set(o16+`Word\Security\ProtectedView`, hivetest.DWORD("DisableInternetFilesInPV", 1)), report.Medium, "office.protected-view-off", "DisableInternetFilesInPV"},
		{"Protected View off for attachments by policy", set(pol+`Excel\Security\ProtectedView`, hivetest.DWORD("DisableAttachmentsInPV", 1)), report.Medium, "office.protected-view-off", "DisableAttachmentsInPV"},
		{"Protected View off for unsafe locations", set(o16+`PowerPoint\Security\ProtectedView`, hivetest.DWORD("DisableUnsafeLocationsInPV", 1)), report.Medium, "office.protected-view-off", "DisableUnsafeLocationsInPV"},
		{"internet macros not blocked (policy 0)", set(pol+`Word\Security`, hivetest.DWORD("blockcontentexecutionfrominternet", 0)), report.Low, "office.internet-macros-allowed", ""},
		{"internet macros blocked (policy 1) is stock", set(pol+`Word\Security`, hivetest.DWORD("blockcontentexecutionfrominternet", 1)), report.Info, "", ""},
		{"network trusted locations allowed", set(o16+`Word\Security\Trusted Locations`, hivetest.DWORD("AllowNetworkLocations", 1)), report.Low, "office.trusted-network-locations", ""},
	})
}
