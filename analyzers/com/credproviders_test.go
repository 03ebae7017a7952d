package com

import (
	"testing"

	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

const credKey = `Microsoft\Windows\CurrentVersion\Authentication\`

func TestCredProviders(t *testing.T) {
	const password = "{60b78e88-ead8-445c-9cfd-0b87f74ea6cd}" // Windows' password provider
	withStock := func(h host) {
		samples.At(h.sw.Root, credKey+`Credential Providers\`+password)
		h.machineClass(password, `%SystemRoot%\system32\credprovs.dll`)
	}
	runCases(t, CredProviders, []caseT{
		{"windows' password provider", withStock, report.Info, "", ""},
		{"provider in ProgramData", func(h host) {
			withStock(h)
			samples.At(h.sw.Root, credKey+`Credential Providers\`+clsidUserOnly)
			h.machineClass(clsidUserOnly, `C:\ProgramData\cp\cp.dll`)
		}, report.High, "credproviders.server", "cp.dll"},
		{"unknown provider dropped in System32", func(h host) {
			samples.At(h.sw.Root, credKey+`Credential Providers\`+clsidUserOnly)
			h.machineClass(clsidUserOnly, `C:\Windows\System32\npcap.dll`)
		}, report.Medium, "credproviders.system32", "npcap.dll"},
		{"vendor MFA filter in Program Files", func(h host) {
			samples.At(h.sw.Root, credKey+`Credential Provider Filters\`+clsidVendor)
		}, report.Low, "credproviders.installed", "vendor.dll"},
		{"registration without a DLL", func(h host) {
			samples.At(h.sw.Root, credKey+`Credential Providers\{00000000-1111-2222-3333-444444444444}`)
		}, report.Low, "credproviders.unregistered", "{00000000-1111-2222-3333-444444444444}"},
	})
}
