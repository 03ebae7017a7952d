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

// TestLogAccessDenied: Windows' own descriptors (denying anonymous and
// guests) are quiet; a deny for SYSTEM or Everyone on a core log is medium,
// in the classic key and the channel key; the SACL is not read as the DACL.
func TestLogAccessDenied(t *testing.T) {
	const windows = "O:BAG:SYD:(D;;0xf0007;;;AN)(D;;0xf0007;;;BG)(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x3;;;BO)(A;;0x5;;;SO)(A;;0x1;;;IU)S:(ML;;0x1;;;LW)"
	for _, tc := range []struct {
		name, classic, channel string
		want                   int
	}{
		{"windows", windows, "O:BAG:SYD:(A;;0xf0005;;;SY)(A;;0x5;;;BA)(A;;0x1;;;S-1-5-32-573)", 0},
		{"deny system", "O:BAG:SYD:(D;;0xf0007;;;SY)(A;;0x7;;;BA)", "", 1},
		{"deny everyone channel", "", "O:BAG:SYD:(D;;0x1;;;WD)(A;;0xf0005;;;SY)", 1},
		{"deny in sacl only", "O:BAG:SYD:(A;;0x7;;;BA)S:(D;;0x1;;;WD)", "", 0},
	} {
		sys, sw, user, def := host("")
		if tc.classic != "" {
			samples.Set(samples.At(sys.Root, "ControlSet001"), `Services\EventLog\Security`, hivetest.SZ("CustomSD", tc.classic))
		}
		if tc.channel != "" {
			samples.Set(sw.Root, `Microsoft\Windows\CurrentVersion\WINEVT\Channels\Microsoft-Windows-Sysmon/Operational`, hivetest.SZ("ChannelAccess", tc.channel))
		}
		sev, fs := bySeverity(run(t, sys, sw, user, def), "logging.log-access-denied")
		if len(fs) != tc.want || tc.want > 0 && sev != report.Medium {
			t.Errorf("%s: %d findings at %v, want %d at medium: %+v", tc.name, len(fs), sev, tc.want, fs)
		}
	}
}
