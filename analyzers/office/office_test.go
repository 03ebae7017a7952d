package office

import (
	"testing"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// TestStockOffice: a clean Microsoft 365 install gives nothing above info.
func TestStockOffice(t *testing.T) {
	runCases(t, []caseT{{"stock Office 16", func(h host) {}, report.Info, "", ""}})
}

func TestOfficeTestDLL(t *testing.T) {
	runCases(t, []caseT{
		{"user Office test DLL in AppData", func(h host) {
			samples.Set(h.user.Root, `Software\Microsoft\Office test\Special\Perf`, hivetest.SZ("", `C:\Users\alice\AppData\Roaming\perf.dll`))
		}, report.High, "office.test-dll", "perf.dll"},
		{"machine Office test DLL, 32-bit view", func(h host) {
			samples.Set(h.sw.Root, `Wow6432Node\Microsoft\Office test\Special\Perf`, hivetest.SZ("", `C:\Program Files\Common Files\msperf.dll`))
		}, report.High, "office.test-dll", "msperf.dll"},
		{"Office test DLL named like a system file out of place", func(h host) {
			samples.Set(h.user.Root, `Software\Microsoft\Office test\Special\Perf`, hivetest.SZ("", `C:\Users\Public\lsass.exe`))
		}, report.Critical, "office.test-dll", "lsass.exe"},
	})
}
