package com

import (
	"testing"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

func TestCOMHijack(t *testing.T) {
	runCases(t, COMHijack, []caseT{
		{"windows default with per-user OneDrive", func(h host) {}, report.Info, "", ""},
		{"known target shadowed from the user's AppData", func(h host) {
			h.userClass(clsidMMDevice, `C:\Users\alice\AppData\Roaming\Audio\mmdev.dll`)
		}, report.High, "comhijack.known-target", "mmdev.dll"},
		{"known target in the 32-bit view", func(h host) {
			samples.Set(h.classes.Root, `Wow6432Node\CLSID\`+clsidMMDevice+`\InprocServer32`, hivetest.SZ("", `C:\Users\alice\AppData\Roaming\Audio\mmdev32.dll`))
		}, report.High, "comhijack.known-target", "mmdev32.dll"},
		{"known target in NTUSER Software\\Classes", func(h host) {
			samples.Set(h.user.Root, `Software\Classes\CLSID\`+clsidAMSI+`\InprocServer32`, hivetest.SZ("", `C:\Users\alice\amsi.dll`))
		}, report.High, "comhijack.known-target", "amsi.dll"},
		{"known target pointed at another System32 file", func(h host) {
			h.userClass(clsidAMSI, `C:\Windows\System32\nonexistent.dll`)
		}, report.High, "comhijack.known-target", "nonexistent.dll"},
		{"known target's own DLL per user stays quiet", func(h host) {
			h.userClass(clsidMMDevice, `%SystemRoot%\System32\MMDevApi.dll`)
		}, report.Info, "", ""},
		{"known target in LocalSystem's classes (DEFAULT)", func(h host) {
			samples.Set(h.def.Root, `Software\Classes\CLSID\`+clsidMMDevice+`\InprocServer32`, hivetest.SZ("", `C:\Windows\Temp\mmdev.dll`))
		}, report.High, "comhijack.known-target", "mmdev.dll"},
		{"vendor class shadowed from the user's profile", func(h host) {
			h.userClass(clsidVendor, `C:\Users\alice\AppData\Local\Vendor\vendor.dll`)
		}, report.Medium, "comhijack.shadow", "vendor.dll"},
		{"vendor class shadowed from Public", func(h host) {
			h.userClass(clsidVendor, `C:\Users\Public\Libraries\vendor.dll`)
		}, report.High, "comhijack.shadow", "vendor.dll"},
		{"vendor class shadowed with its own server", func(h host) {
			h.userClass(clsidVendor, `C:\Program Files\Vendor\vendor.dll`)
		}, report.Info, "", ""},
		{"vendor class shadowed with a LocalServer32", func(h host) {
			samples.Set(h.classes.Root, `CLSID\`+clsidVendor+`\LocalServer32`, hivetest.SZ("", `"C:\Users\alice\AppData\Local\Vendor\srv.exe" -Embedding`))
		}, report.Medium, "comhijack.shadow", "srv.exe"},
		{"user-only class in the user's profile", func(h host) {
			h.userClass(clsidUserOnly, `C:\Users\alice\AppData\Local\Tool\tool.dll`)
		}, report.Low, "comhijack.user-only", "tool.dll"},
		{"user-only class in Temp", func(h host) {
			h.userClass(clsidUserOnly, `C:\Users\alice\AppData\Local\Temp\x.dll`)
		}, report.High, "comhijack.user-only", "x.dll"},
		{"user-only class of an installed product", func(h host) {
			h.userClass(clsidUserOnly, `C:\Program Files\Vendor\other.dll`)
		}, report.Info, "", ""},
		{"Paint's own per-user TreatAs", func(h host) {
			samples.Set(h.classes.Root, `CLSID\{0003000A-0000-0000-C000-000000000046}\TreatAs`, hivetest.SZ("", clsidUserOnly))
		}, report.Info, "", ""},
		{"scriptlet", func(h host) {
			h.userClass(clsidUserOnly, `C:\Windows\System32\scrobj.dll`)
			samples.Set(h.classes.Root, `CLSID\`+clsidUserOnly+`\ScriptletURL`, hivetest.SZ("", `https://example.test/payload.sct`))
		}, report.High, "comhijack.scriptlet", "payload.sct"},
		{"TreatAs redirect", func(h host) {
			samples.Set(h.classes.Root, `CLSID\`+clsidVendor+`\TreatAs`, hivetest.SZ("", clsidUserOnly))
		}, report.Medium, "comhijack.treatas", clsidUserOnly},
		{"TreatAs of a known target", func(h host) {
			samples.Set(h.classes.Root, `CLSID\`+clsidMMDevice+`\TreatAs`, hivetest.SZ("", clsidUserOnly))
		}, report.High, "comhijack.treatas", clsidUserOnly},
		{"TreatAs the machine has too", func(h host) {
			samples.Set(h.sw.Root, `Classes\CLSID\`+clsidVendor+`\TreatAs`, hivetest.SZ("", clsidUserOnly))
			samples.Set(h.classes.Root, `CLSID\`+clsidVendor+`\TreatAs`, hivetest.SZ("", clsidUserOnly))
		}, report.Info, "", ""},
		{"shadow of a class explorer loads (overlay identifier)", func(h host) {
			h.userClass(clsidOverlay, `C:\Users\alice\AppData\Local\Vendor\ov.dll`)
		}, report.High, "comhijack.loaded-class", "ov.dll"},
		{"COR_PROFILER class registered per user", func(h host) {
			samples.Set(h.user.Root, "Environment", hivetest.SZ("COR_ENABLE_PROFILING", "1"), hivetest.SZ("COR_PROFILER", clsidUserOnly))
			h.userClass(clsidUserOnly, `C:\Users\alice\AppData\Local\Tool\prof.dll`)
		}, report.High, "comhijack.profiler", "prof.dll"},
		{"machine AMSI server moved out of System32", func(h host) {
			h.machineClass(clsidAMSI, `C:\ProgramData\amsi.dll`)
		}, report.High, "comhijack.machine-server", `C:\ProgramData\amsi.dll`},
	})
}

// Without a SOFTWARE hive the machine's registrations cannot be told:
// per-user classes are listed low, known targets stay high.
func TestCOMHijackWithoutSoftware(t *testing.T) {
	h := newHost()
	h.userClass(clsidUserOnly, `C:\Users\alice\AppData\Local\Tool\tool.dll`)
	h.userClass(clsidMMDevice, `C:\Users\alice\AppData\Roaming\mmdev.dll`)
	fs := runWithout(t, h, COMHijack)
	got := map[string]report.Severity{}
	for _, f := range fs {
		got[f.Rule+" "+dataOf(f)] = f.Severity
	}
	want := map[string]report.Severity{
		`comhijack.user-class C:\Users\alice\AppData\Local\Tool\tool.dll`:                                           report.Low,
		`comhijack.known-target C:\Users\alice\AppData\Roaming\mmdev.dll`:                                           report.High,
		`comhijack.user-class C:\Users\alice\AppData\Local\Microsoft\OneDrive\23.038.0219.0001\FileSyncShell64.dll`: report.Info,
		`comhijack.user-class "C:\Users\alice\AppData\Local\Microsoft\OneDrive\23.038.0219.0001\FileCoAuth.exe"`:    report.Info,
	}
	for k, s := range want {
		if got[k] != s {
			t.Errorf("%s: got %v, want %v (all: %v)", k, got[k], s, summary(fs))
		}
	}
	if len(fs) != len(want) {
		t.Errorf("want %d findings, got %v", len(want), summary(fs))
	}
}
