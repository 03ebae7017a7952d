package office

import (
	"testing"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

func TestTrustedLocations(t *testing.T) {
	word := o16 + `Word\Security\Trusted Locations`
	loc := func(h host, path string) { samples.Set(h.user.Root, word+`\Location9`, hivetest.SZ("Path", path)) }
	runCases(t, []caseT{
		{"Downloads", func(h host) { loc(h, `C:\Users\alice\Downloads\`) }, report.Medium, "office.trusted-location", "Downloads"},
		{"the user's Temp", func(h host) { loc(h, `%TEMP%`) }, report.Medium, "office.trusted-location", "Temp"},
		{"the root of C:", func(h host) { loc(h, `C:\`) }, report.Medium, "office.trusted-location", `C:\`},
		{"Public", func(h host) { loc(h, `C:\Users\Public\Documents`) }, report.Medium, "office.trusted-location", "Public"},
		{"a share with AllowNetworkLocations", func(h host) {
			loc(h, `\\fileserver\templates`)
			samples.Set(h.user.Root, word, hivetest.DWORD("AllowNetworkLocations", 1))
		}, report.Medium, "office.trusted-location", "fileserver"},
		{"a share Office ignores (no AllowNetworkLocations)", func(h host) { loc(h, `\\203.0.113.5\x`) }, report.Low, "office.trusted-location", "203.0.113.5"},
		{"a project folder on D:", func(h host) { loc(h, `D:\Projects\Finance\`) }, report.Low, "office.trusted-location", "Finance"},
		{"policy trusted location in SOFTWARE", func(h host) {
			samples.Set(h.sw.Root, `Policies\Microsoft\Office\16.0\Excel\Security\Trusted Locations\Location1`, hivetest.SZ("Path", `C:\ProgramData\drop`))
		}, report.Medium, "office.trusted-location", "drop"},
		{"policy trusted location in the user's hive", func(h host) {
			samples.Set(h.user.Root, `Software\Policies\Microsoft\Office\16.0\Excel\Security\Trusted Locations\Location1`, hivetest.SZ("Path", `C:\Users\alice\AppData\Local\x`))
		}, report.Medium, "office.trusted-location", `AppData\Local\x`},
		{"stock locations of Office 2010 under Program Files (x86)", func(h host) {
			samples.Set(h.user.Root, `Software\Microsoft\Office\14.0\Excel\Security\Trusted Locations\Location0`, hivetest.SZ("Path", `C:\Program Files (x86)\Microsoft Office\Office14\XLSTART\`))
			samples.Set(h.user.Root, `Software\Microsoft\Office\14.0\PowerPoint\Security\Trusted Locations\Location3`, hivetest.SZ("Path", `C:\Program Files (x86)\Microsoft Office\Document Themes 14\`))
		}, report.Info, "", ""},
	})
}
