package posture

import (
	"testing"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// TestAMSIProviders: Defender's provider registered is quiet; an empty
// provider list is medium; the provider listed without its COM server is
// high; Windows 7 has no AMSI and is not judged.
func TestAMSIProviders(t *testing.T) {
	const clsid = "{2781761E-28E0-4109-99FE-B9D127C57AFE}"
	for _, tc := range []struct {
		name, build         string
		providers, register bool
		rule                string
		want                report.Severity
	}{
		{"registered", "19045", true, true, "", report.Info},
		{"empty list", "19045", false, false, "logging.amsi-no-provider", report.Medium},
		{"unregistered", "19045", true, false, "logging.amsi-provider-unregistered", report.High},
		{"windows 7", "7601", false, false, "", report.Info},
	} {
		sys, sw, user, def := host(tc.build)
		samples.Set(sw.Root, `Microsoft\AMSI\Providers`)
		if tc.providers {
			samples.Set(sw.Root, `Microsoft\AMSI\Providers\`+clsid)
		}
		if tc.register {
			samples.Set(sw.Root, `Classes\CLSID\`+clsid+`\InprocServer32`, hivetest.SZ("", `"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.2301.6-0\MpOav.dll"`))
		}
		got, rule := report.Info, ""
		for _, f := range run(t, sys, sw, user, def) {
			if f.Severity > got {
				got, rule = f.Severity, f.Rule
			}
		}
		if got != tc.want || rule != tc.rule {
			t.Errorf("%s: %s at %v, want %q at %v", tc.name, rule, got, tc.rule, tc.want)
		}
	}
}
