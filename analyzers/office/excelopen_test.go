package office

import (
	"testing"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

func TestExcelOpen(t *testing.T) {
	opts := o16 + `Excel\Options`
	runCases(t, []caseT{
		{"XLL in AppData", func(h host) {
			samples.Set(h.user.Root, opts, hivetest.SZ("OPEN", `/R "C:\Users\alice\AppData\Roaming\Microsoft\AddIns\x.xll"`))
		}, report.High, "office.excel-open", "x.xll"},
		{"second OPEN value, workbook on a WebDAV share", func(h host) {
			samples.Set(h.user.Root, opts, hivetest.SZ("OPEN", `"C:\Program Files\Vendor\vendor.xlam"`), hivetest.SZ("OPEN1", `\\203.0.113.9@SSL\DavWWWRoot\book.xlsm`))
		}, report.High, "office.excel-open", "book.xlsm"},
		{"add-in from a URL", func(h host) {
			samples.Set(h.user.Root, `Software\Microsoft\Office\15.0\Excel\Options`, hivetest.SZ("OPEN2", `https://evil.example/a.xlam`))
		}, report.High, "office.excel-open", "a.xlam"},
		{"vendor add-in under Program Files", func(h host) {
			samples.Set(h.user.Root, opts, hivetest.SZ("OPEN", `/R "C:\Program Files\Vendor\vendor.xll"`))
		}, report.Medium, "office.excel-open", "vendor.xll"},
		{"automation add-in resolved to an AppData DLL", func(h host) {
			samples.Set(h.user.Root, opts, hivetest.SZ("OPEN", `/A "Evil.Functions"`))
			samples.Set(h.classes.Root, `Evil.Functions\CLSID`, hivetest.SZ("", clsidPlanted))
			samples.Set(h.classes.Root, `CLSID\`+clsidPlanted+`\InprocServer32`, hivetest.SZ("", `C:\Users\alice\AppData\Local\f.dll`))
		}, report.High, "office.excel-open", "f.dll"},
		{"Analysis ToolPak ticked in the Add-ins dialog", func(h host) {
			samples.Set(h.user.Root, opts, hivetest.SZ("OPEN", `/R "C:\Program Files\Microsoft Office\root\Office16\Library\Analysis\ANALYS32.XLL"`))
		}, report.Low, "office.excel-open", "ANALYS32.XLL"},
		{"OPENER and OPEN_x are not OPEN values", func(h host) {
			samples.Set(h.user.Root, opts, hivetest.SZ("OPENER", `C:\Users\alice\AppData\x.xll`), hivetest.SZ("OPEN_x", `C:\Users\alice\AppData\x.xll`))
		}, report.Info, "", ""},
	})
}

func TestParseOpen(t *testing.T) {
	for _, tc := range []struct {
		in, target string
		auto       bool
	}{
		{`/R "C:\a b\x.xll"`, `C:\a b\x.xll`, false},
		{`"C:\a\x.xlam"`, `C:\a\x.xlam`, false},
		{`/A "Prog.ID"`, `Prog.ID`, true},
		{`/F /R "C:\x.xll"`, `C:\x.xll`, false},
		{`/R"C:\x.xll"`, `C:\x.xll`, false},
		{`C:\x.xlsm`, `C:\x.xlsm`, false},
	} {
		it := parseOpen(tc.in)
		if it.target != tc.target || it.automation != tc.auto {
			t.Errorf("parseOpen(%q) = %+v, want target %q automation %v", tc.in, it, tc.target, tc.auto)
		}
	}
}
