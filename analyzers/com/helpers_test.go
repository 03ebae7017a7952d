package com

import (
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// Windows 10 CLSIDs and their System32 servers, as a clean machine
// registers them.
const (
	clsidMMDevice  = "{BCDE0395-E52F-467C-8E3D-C4579291692E}" // MMDeviceEnumerator, a known target
	clsidAMSI      = "{fdb00e52-a214-4aa1-8fba-4357bb0072ec}"
	clsidOverlay   = "{4E77131D-3629-431c-9818-C5679DC83E81}" // an icon overlay of Windows (Offline Files)
	clsidSSO       = "{35786D3C-B075-49b9-88DD-029876E11C01}" // a ShellServiceObject of Windows (portable devices)
	clsidVendor    = "{11111111-2222-3333-4444-555555555555}" // a vendor class, registered machine-wide
	clsidOneDrive  = "{CB3D0F55-BC2C-4C1A-85ED-23ED75B5106B}" // OneDrive's per-user context-menu handler
	clsidUserOnly  = "{99999999-8888-7777-6666-555555555555}"
	clsidMachineCM = "{09A47860-11B0-4DA5-AFA5-26D86198A780}" // Windows' own context-menu handler (Defender)
)

// host is a Windows 10 host with a SOFTWARE hive, alice's NTUSER.DAT and
// UsrClass.dat, as a clean installation (with a per-user OneDrive) has
// them; a test case edits it.
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
	h.machineClass(clsidMMDevice, `%SystemRoot%\System32\MMDevApi.dll`)
	h.machineClass(clsidAMSI, `%windir%\system32\amsi.dll`)
	h.machineClass(clsidOverlay, `%SystemRoot%\System32\cscui.dll`)
	h.machineClass(clsidSSO, `%SystemRoot%\System32\wpdshserviceobj.dll`)
	h.machineClass(clsidMachineCM, `"C:\Program Files\Windows Defender\shellext.dll"`)
	h.machineClass(clsidVendor, `C:\Program Files\Vendor\vendor.dll`)
	samples.Set(h.sw.Root, `Classes\Wow6432Node\CLSID\`+clsidMMDevice+`\InprocServer32`, hivetest.ExpandSZ("", `%SystemRoot%\SysWOW64\MMDevApi.dll`))
	samples.Set(h.sw.Root, explorerKey+`ShellIconOverlayIdentifiers\EnhancedStorageShell`, hivetest.SZ("", clsidOverlay))
	samples.Set(h.sw.Root, explorerKey+`ShellServiceObjects\`+clsidSSO, hivetest.DWORD("AutoStart", 1))
	samples.Set(h.sw.Root, `Classes\*\shellex\ContextMenuHandlers\EPP`, hivetest.SZ("", clsidMachineCM))
	samples.Set(h.sw.Root, `Microsoft\Windows\CurrentVersion\ShellServiceObjectDelayLoad`, hivetest.SZ("WebCheck", clsidSSO))
	// OneDrive, installed per user: its handler and server live in the user's classes.
	samples.Set(h.classes.Root, `*\shellex\ContextMenuHandlers\ FileSyncEx`, hivetest.SZ("", clsidOneDrive))
	h.userClass(clsidOneDrive, `C:\Users\alice\AppData\Local\Microsoft\OneDrive\23.038.0219.0001\FileSyncShell64.dll`)
	samples.Set(h.classes.Root, `CLSID\{021e4f06-9dcc-49ad-88cf-ecc2da314c8a}\LocalServer32`, hivetest.SZ("", `"C:\Users\alice\AppData\Local\Microsoft\OneDrive\23.038.0219.0001\FileCoAuth.exe"`))
	// Windows' own per-user registration of a shell folder (seen on the corpus).
	h.userClass("{018d5c66-4533-4307-9b53-224de2ed1fe6}", `%systemroot%\system32\shell32.dll`)
	// The Store's protocol registration (uacbypass default).
	samples.Set(h.classes.Root, `AppX82a6gwre4fdg3bt635tn5ctqjf8msdd2\Shell\open\command`, hivetest.SZ("DelegateExecute", "{4ED3A719-CEA8-4BD9-910D-E252F997AFC2}"))
	return h
}

func (h host) machineClass(clsid, dll string) {
	samples.Set(h.sw.Root, `Classes\CLSID\`+clsid+`\InprocServer32`, hivetest.ExpandSZ("", dll), hivetest.SZ("ThreadingModel", "Both"))
}

func (h host) userClass(clsid, dll string) {
	samples.Set(h.classes.Root, `CLSID\`+clsid+`\InprocServer32`, hivetest.SZ("", dll), hivetest.SZ("ThreadingModel", "Apartment"))
}

func (h host) run(t *testing.T, a *analysis.Analyzer) []report.Finding {
	t.Helper()
	return analysistest.Run(t, a, analysistest.HostOf(t, "h", h.sys, h.sw, h.user, h.def, h.classes))
}

// caseT is one planted (or default) state and what it must give.
type caseT struct {
	name string
	edit func(h host)
	want report.Severity // the highest severity expected
	rule string          // the rule of a finding at want; "" expects nothing above info
	data string          // a substring of that finding's data or title, when not ""
}

func runCases(t *testing.T, a *analysis.Analyzer, cases []caseT) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost()
			tc.edit(h)
			fs := h.run(t, a)
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
		out = append(out, f.Rule+":"+f.Severity.String()+" "+f.Title)
	}
	return out
}

// runWithout runs a on h without its SOFTWARE hive.
func runWithout(t *testing.T, h host, a *analysis.Analyzer) []report.Finding {
	t.Helper()
	return analysistest.Run(t, a, analysistest.HostOf(t, "h", h.sys, h.user, h.def, h.classes))
}
