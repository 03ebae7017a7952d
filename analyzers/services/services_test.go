package services

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// failureActions builds a SERVICE_FAILURE_ACTIONS blob with the given action types.
func failureActions(types ...uint32) []byte {
	b := make([]byte, 20+8*len(types))
	binary.LittleEndian.PutUint32(b[0:], 86400)
	binary.LittleEndian.PutUint32(b[12:], uint32(len(types)))
	binary.LittleEndian.PutUint32(b[16:], 20)
	for i, t := range types {
		binary.LittleEndian.PutUint32(b[20+8*i:], t)
		binary.LittleEndian.PutUint32(b[24+8*i:], 60000)
	}
	return b
}

func ownProcess(image string, more ...hivetest.Value) []hivetest.Value {
	return append([]hivetest.Value{hivetest.ExpandSZ("ImagePath", image), hivetest.DWORD("Type", 0x10), hivetest.DWORD("Start", 2), hivetest.SZ("ObjectName", "LocalSystem")}, more...)
}

func kernelDriver(image string) []hivetest.Value {
	return []hivetest.Value{hivetest.ExpandSZ("ImagePath", image), hivetest.DWORD("Type", 1), hivetest.DWORD("Start", 1)}
}

func svchostService() []hivetest.Value {
	return []hivetest.Value{hivetest.ExpandSZ("ImagePath", `%SystemRoot%\system32\svchost.exe -k netsvcs -p`), hivetest.DWORD("Type", 0x20), hivetest.DWORD("Start", 2), hivetest.SZ("ObjectName", "LocalSystem")}
}

func TestServices(t *testing.T) {
	tests := []struct {
		name   string
		values []hivetest.Value
		params []hivetest.Value // Parameters subkey
		want   report.Severity
		rule   string // rule of the most severe finding; "" expects no finding
	}{
		{"fake smss in drivers", ownProcess(`C:\Windows\System32\drivers\smss.exe`), nil, report.Critical, "service.image-masquerade"},
		{"fake svchost in ProgramData", ownProcess(`C:\ProgramData\svchost.exe -k netsvcs`), nil, report.Critical, "service.image-masquerade"},
		{"rootkit driver in Temp", kernelDriver(`\??\C:\Users\x\AppData\Local\Temp\rk.sys`), nil, report.Critical, "service.driver-location"},
		{"driver outside known folders", kernelDriver(`\??\C:\Tools\mon.sys`), nil, report.High, "service.driver-location"},
		{"driver not a .sys", kernelDriver(`System32\drivers\null.dll`), nil, report.High, "service.driver-extension"},
		{"driver in Program Files", kernelDriver(`\??\C:\Program Files\VMware\VMware Tools\vmrawdsk.sys`), nil, report.Low, "service.driver-location"},
		{"default driver", kernelDriver(`\SystemRoot\System32\drivers\afd.sys`), nil, report.Info, ""},
		{"driverstore driver", kernelDriver(`\SystemRoot\System32\DriverStore\FileRepository\basicdisplay.inf_amd64_307898c750ba9e44\BasicDisplay.sys`), nil, report.Info, ""},
		{"driver without image path", []hivetest.Value{hivetest.DWORD("Type", 1), hivetest.DWORD("Start", 3)}, nil, report.Info, ""},
		{"defender driver in ProgramData", kernelDriver(`\??\C:\ProgramData\Microsoft\Windows Defender\Definition Updates\{D04C61E7-0810-4ADB-8675-B55F469E20CF}\MpKslb17392d7.sys`), nil, report.Info, ""},
		{"service in Public", ownProcess(`C:\Users\Public\updater.exe`), nil, report.High, "service.user-writable"},
		{"defender service in ProgramData", ownProcess(`"C:\ProgramData\Microsoft\Windows Defender\platform\4.18.1904.1-0\MsMpEng.exe"`), nil, report.Info, ""},
		{"unquoted path with spaces", ownProcess(`C:\Program Files\Acme Agent\agent.exe -service`), nil, report.Medium, "service.unquoted-path"},
		{"third-party service is inventory", ownProcess(`"C:\Program Files\Acme\agent.exe" /svc`), nil, report.Info, "service.inventory"},
		{"psexec service", ownProcess(`%SystemRoot%\PSEXESVC.EXE`), nil, report.Medium, "service.remote-exec"},
		{"default svchost service", svchostService(), []hivetest.Value{hivetest.ExpandSZ("ServiceDll", `%SystemRoot%\System32\qmgr.dll`)}, report.Info, ""},
		{"service dll in ProgramData", svchostService(), []hivetest.Value{hivetest.ExpandSZ("ServiceDll", `C:\ProgramData\cache\netsvc.dll`)}, report.High, "service.servicedll"},
		{"service dll not a dll", svchostService(), []hivetest.Value{hivetest.ExpandSZ("ServiceDll", `%SystemRoot%\System32\qmgr.dat`)}, report.High, "service.servicedll"},
		{"service dll directly under the key", append(svchostService(), hivetest.ExpandSZ("ServiceDll", `C:\Tools\svc.dll`)), nil, report.Medium, "service.servicedll"},
		{"failure command that runs", ownProcess(`%SystemRoot%\System32\spoolsv.exe`, hivetest.SZ("FailureCommand", `C:\Users\Public\r.exe`), hivetest.Binary("FailureActions", failureActions(1, 3))), nil, report.High, "service.failure-command"},
		{"vendor failure command", ownProcess(`%SystemRoot%\System32\spoolsv.exe`, hivetest.SZ("FailureCommand", `"C:\Program Files\Acme\recover.exe"`), hivetest.Binary("FailureActions", failureActions(3))), nil, report.Low, "service.failure-command"},
		{"dormant failure command", ownProcess(`%SystemRoot%\System32\spoolsv.exe`, hivetest.SZ("FailureCommand", "customScript.cmd"), hivetest.Binary("FailureActions", failureActions(1, 1))), nil, report.Info, ""},
		{"windows update mimic", ownProcess(`"C:\Program Files\Acme\wu.exe"`, hivetest.SZ("DisplayName", "Windows Update Service")), nil, report.Medium, "service.display-name-mimic"},
		{"microsoft product name", ownProcess(`"C:\Program Files\Common Files\Microsoft Shared\ClickToRun\OfficeClickToRun.exe" /service`, hivetest.SZ("DisplayName", "Microsoft Office Click-to-Run Service")), nil, report.Info, ""},
		{"multi-string display name", ownProcess(`%SystemRoot%\System32\spoolsv.exe`, hivetest.MultiSZ("DisplayName", "NDProxy")), nil, report.Info, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
			cs := samples.At(sys.Root, "ControlSet001")
			samples.Set(cs, `Services\TestSvc`, tc.values...)
			if tc.params != nil {
				samples.Set(cs, `Services\TestSvc\Parameters`, tc.params...)
			}
			fs := analysistest.Run(t, Services, analysistest.HostOf(t, "h", sys))
			if tc.rule == "" {
				if len(fs) != 0 {
					t.Fatalf("want no finding, got %+v", fs)
				}
				return
			}
			if len(fs) == 0 {
				t.Fatalf("no finding, want %s %s", tc.want, tc.rule)
			}
			f := fs[0] // sorted most severe first
			if f.Severity != tc.want || f.Rule != tc.rule {
				t.Errorf("got %s %s (%s), want %s %s", f.Severity, f.Rule, f.Title, tc.want, tc.rule)
			}
			if f.ControlSet != "ControlSet001" || len(f.ControlSetRole) == 0 || f.ControlSetRole[0] != "current" {
				t.Errorf("control set %q roles %v", f.ControlSet, f.ControlSetRole)
			}
			if !strings.HasPrefix(f.Key, `\ControlSet001\Services\TestSvc`) || f.Value == nil || f.LastWrite.IsZero() || f.HiveKind != "SYSTEM" {
				t.Errorf("location %q value %v", f.Key, f.Value)
			}
			if len(f.Attack) == 0 || !strings.Contains(f.Detail, "TestSvc") {
				t.Errorf("attack %v detail %q", f.Attack, f.Detail)
			}
		})
	}
}

// The baseline sample hive (Tcpip driver, svchost-hosted Dnscache) is quiet,
// and an inventory entry present in two agreeing control sets is listed once.
func TestServicesQuietAndDeduplicated(t *testing.T) {
	if fs := analysistest.Run(t, Services, analysistest.HostOf(t, "h", samples.CleanHost().Hives...)); len(fs) != 0 {
		t.Fatalf("clean host: %+v", fs)
	}
	sys := samples.System("PC", [4]uint32{1, 1, 2, 0}, 1, 2)
	for _, n := range []string{"ControlSet001", "ControlSet002"} {
		samples.Set(samples.At(sys.Root, n), `Services\Acme`, ownProcess(`"C:\Program Files\Acme\agent.exe"`)...)
	}
	samples.Set(samples.At(sys.Root, "ControlSet002"), `Services\Evil`, ownProcess(`C:\Users\Public\e.exe`)...)
	fs := analysistest.Run(t, Services, analysistest.HostOf(t, "h", sys))
	var inv, evil int
	for _, f := range fs {
		switch f.Rule {
		case "service.inventory":
			inv++
			if f.ControlSet != "ControlSet001" {
				t.Errorf("inventory kept from %s", f.ControlSet)
			}
		case "service.user-writable":
			evil++
			if f.ControlSet != "ControlSet002" || !strings.Contains(f.Detail, "not in the current control set") {
				t.Errorf("non-current finding: %s %q", f.ControlSet, f.Detail)
			}
		}
	}
	if inv != 1 || evil != 1 || len(fs) != 2 {
		t.Errorf("got %d inventory, %d user-writable, %d total: %+v", inv, evil, len(fs), fs)
	}
}

func TestFailureRunsCommand(t *testing.T) {
	for _, tc := range []struct {
		b    []byte
		want bool
	}{
		{failureActions(1, 1, 3), true},
		{failureActions(1, 2), false},
		{failureActions(), false},
		{failureActions(3)[:24], false}, // truncated action
		{nil, false},
	} {
		if got := svcFailureRunsCommand(tc.b); got != tc.want {
			t.Errorf("%x: got %v", tc.b, got)
		}
	}
}
