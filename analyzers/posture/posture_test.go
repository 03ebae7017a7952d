package posture

import (
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

var family = []*analysis.Analyzer{Defender, UAC, Credentials, RemoteAccess, Logging, Hardening}

// host is a Windows host of build (a Windows 10 one when build is "") with
// Windows' own values of the settings this package reads written out, so
// that "the default, present" is tested besides "absent".
func host(build string) (sys, sw, user, def samples.Hive) {
	sys, sw, user, def = samples.System("PC", [4]uint32{1, 1, 1, 0}, 1), samples.Software(), samples.NTUser("alice"), samples.Default()
	if build != "" {
		samples.Set(sw.Root, `Microsoft\Windows NT\CurrentVersion`, hivetest.SZ("CurrentBuildNumber", build), hivetest.SZ("CurrentBuild", build))
	}
	cs := samples.At(sys.Root, "ControlSet001")
	samples.Set(cs, `Services\WinDefend`, hivetest.DWORD("Start", 2))
	samples.Set(cs, `Services\WdFilter`, hivetest.DWORD("Start", 0))
	samples.Set(cs, `Services\Sense`, hivetest.DWORD("Start", 3))
	samples.Set(cs, `Services\EventLog`, hivetest.DWORD("Start", 2))
	samples.Set(cs, `Services\MpsSvc`, hivetest.DWORD("Start", 2))
	samples.Set(cs, `Control\Lsa`, hivetest.DWORD("LimitBlankPasswordUse", 1), hivetest.DWORD("NoLmHash", 1), hivetest.DWORD("everyoneincludesanonymous", 0))
	samples.Set(cs, `Control\Terminal Server`, hivetest.DWORD("fDenyTSConnections", 1), hivetest.DWORD("fSingleSessionPerUser", 1))
	samples.Set(cs, `Control\Terminal Server\WinStations\RDP-Tcp`, hivetest.DWORD("UserAuthentication", 1), hivetest.DWORD("SecurityLayer", 2), hivetest.DWORD("PortNumber", 3389), hivetest.DWORD("Shadow", 1))
	samples.Set(cs, `Control\DeviceGuard\Scenarios\CredentialGuard`, hivetest.DWORD("Enabled", 0))
	samples.Set(cs, `Control\WMI\Autologger\EventLog-Security`, hivetest.DWORD("Start", 1))
	samples.Set(cs, `Control\WMI\Autologger\NBSMBLOGGER`, hivetest.DWORD("Start", 0))
	samples.Set(cs, `Control\Session Manager\Memory Management\PrefetchParameters`, hivetest.DWORD("EnablePrefetcher", 3))
	samples.Set(cs, `Services\LanmanServer\Parameters`, hivetest.DWORD("RestrictNullSessAccess", 1))
	for _, p := range []string{"DomainProfile", "StandardProfile", "PublicProfile"} {
		samples.Set(cs, `Services\SharedAccess\Parameters\FirewallPolicy\`+p, hivetest.DWORD("EnableFirewall", 1), hivetest.DWORD("DisableNotifications", 0))
	}
	samples.Set(sw.Root, `Microsoft\Windows\CurrentVersion\Policies\System`, hivetest.DWORD("EnableLUA", 1), hivetest.DWORD("ConsentPromptBehaviorAdmin", 5), hivetest.DWORD("PromptOnSecureDesktop", 1), hivetest.DWORD("FilterAdministratorToken", 0))
	samples.Set(sw.Root, `Microsoft\Windows NT\CurrentVersion\Winlogon`, hivetest.SZ("AutoAdminLogon", "0"), hivetest.SZ("DefaultPassword", ""))
	samples.Set(sw.Root, `Microsoft\Windows Defender`, hivetest.DWORD("DisableAntiSpyware", 0))
	samples.Set(sw.Root, `Microsoft\Windows Defender\Real-Time Protection`, hivetest.DWORD("DisableRealtimeMonitoring", 0))
	samples.Set(sw.Root, `Microsoft\Windows Defender\Spynet`, hivetest.DWORD("SpynetReporting", 2), hivetest.DWORD("SubmitSamplesConsent", 1))
	samples.Set(sw.Root, `Microsoft\Windows Defender\Features`, hivetest.DWORD("TamperProtection", 5))
	samples.Set(sw.Root, `Microsoft\Windows Defender\Exclusions\Paths`)
	samples.Set(sw.Root, `Microsoft\Windows\CurrentVersion\WINEVT\Channels\Security`, hivetest.DWORD("Enabled", 1))
	samples.Set(sw.Root, `Microsoft\Windows\CurrentVersion\WINEVT\Channels\Microsoft-Windows-PowerShell/Operational`, hivetest.DWORD("Enabled", 1))
	samples.Set(sw.Root, `Microsoft\Windows\CurrentVersion\Explorer`, hivetest.SZ("SmartScreenEnabled", "Warn"))
	samples.Set(sw.Root, `Microsoft\Windows\CurrentVersion\Explorer\Advanced\Folder\Hidden\SHOWALL`, hivetest.DWORD("CheckedValue", 1))
	samples.Set(sw.Root, `Microsoft\PowerShell\1\ShellIds\Microsoft.PowerShell`, hivetest.SZ("ExecutionPolicy", "Restricted"))
	samples.Set(user.Root, `Software\Microsoft\Windows\CurrentVersion\Internet Settings\ZoneMap\Domains\intranet.example\www`, hivetest.DWORD("https", 1))
	return sys, sw, user, def
}

func run(t *testing.T, hives ...samples.Hive) []report.Finding {
	t.Helper()
	var out []report.Finding
	set := analysistest.HostOf(t, "h", hives...)
	for _, a := range family {
		out = append(out, analysistest.Run(t, a, set)...)
	}
	return out
}

// TestDefaultsQuiet: Windows' own values of every setting, written out,
// give nothing above info on Windows 10, 7 and XP.
func TestDefaultsQuiet(t *testing.T) {
	for _, build := range []string{"19045", "7601", "2600"} {
		sys, sw, user, def := host(build)
		for _, f := range run(t, sys, sw, user, def) {
			if f.Severity > report.Info {
				t.Errorf("build %s: %s %v: %s", build, f.Rule, f.Severity, f.Title)
			}
		}
	}
}

func bySeverity(fs []report.Finding, rule string) (report.Severity, []report.Finding) {
	got := report.Info
	var out []report.Finding
	for _, f := range fs {
		if f.Rule == rule {
			got = report.Max(got, f.Severity)
			out = append(out, f)
		}
	}
	return got, out
}

// TestVersionSeverity: a setting that is the old versions' own behaviour
// is lower there (by_version), and an old version's default is quiet.
func TestVersionSeverity(t *testing.T) {
	for _, tc := range []struct {
		build, rule string
		set         func(sys, sw samples.Hive)
		want        report.Severity
	}{
		{"19045", "credentials.wdigest-cleartext", wdigest, report.High},
		{"7601", "credentials.wdigest-cleartext", wdigest, report.Medium},
		{"19045", "defender.service-disabled", defenderOff, report.High},
		{"7601", "defender.service-disabled", defenderOff, report.Medium},
		{"19045", "remoteaccess.nla-off", nlaOff, report.Medium},
		{"7601", "remoteaccess.nla-off", nlaOff, report.Info},
		{"19045", "credentials.lm-hash-stored", lmHash, report.Medium},
		{"2600", "credentials.lm-hash-stored", lmHash, report.Info},
	} {
		sys, sw, user, def := host(tc.build)
		tc.set(sys, sw)
		got, _ := bySeverity(run(t, sys, sw, user, def), tc.rule)
		if got != tc.want {
			t.Errorf("build %s %s: %v, want %v", tc.build, tc.rule, got, tc.want)
		}
	}
}

func cs(sys samples.Hive) *hivetest.Key { return samples.At(sys.Root, "ControlSet001") }

func wdigest(sys, _ samples.Hive) {
	samples.Set(cs(sys), `Control\SecurityProviders\WDigest`, hivetest.DWORD("UseLogonCredential", 1))
}
func defenderOff(sys, _ samples.Hive) {
	samples.Set(cs(sys), `Services\WinDefend`, hivetest.DWORD("Start", 4))
}
func nlaOff(sys, _ samples.Hive) {
	samples.Set(cs(sys), `Control\Terminal Server\WinStations\RDP-Tcp`, hivetest.DWORD("UserAuthentication", 0))
}
func lmHash(sys, _ samples.Hive) {
	samples.Set(cs(sys), `Control\Lsa`, hivetest.DWORD("NoLmHash", 0))
}

// TestDefaultPasswordMasked: the autologon password is high and never
// shown, in any field; an empty one is quiet.
func TestDefaultPasswordMasked(t *testing.T) {
	sys, sw, user, def := host("")
	samples.Set(sw.Root, `Microsoft\Windows NT\CurrentVersion\Winlogon`, hivetest.SZ("AutoAdminLogon", "1"), hivetest.SZ("DefaultUserName", "kiosk"), hivetest.SZ("DefaultPassword", "S3cret!pass"))
	fs := run(t, sys, sw, user, def)
	sev, pw := bySeverity(fs, "credentials.autologon-password")
	if sev != report.High || len(pw) != 1 {
		t.Fatalf("DefaultPassword: %v %+v", sev, pw)
	}
	for _, f := range fs {
		if s := strings.Join([]string{f.Title, f.Detail, anyString(f.Data)}, "|"); strings.Contains(s, "S3cret") {
			t.Errorf("%s shows the password: %s", f.Rule, s)
		}
	}
	if d := anyString(pw[0].Data); d != "(11 characters, not shown)" {
		t.Errorf("data %q, want the length only", d)
	}
	if sev, _ := bySeverity(fs, "credentials.autologon"); sev != report.Low {
		t.Errorf("AutoAdminLogon=1: %v, want low", sev)
	}
}

func anyString(v any) string {
	s, _ := v.(string)
	return s
}
