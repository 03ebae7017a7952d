package sessionmanager

import (
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
)

func TestSessionSwitches(t *testing.T) {
	sm := func(vals ...hivetest.Value) func(root, cs *hivetest.Key) {
		return func(root, cs *hivetest.Key) { samples.Set(cs, smPath, vals...) }
	}
	setup := func(vals ...hivetest.Value) func(root, cs *hivetest.Key) {
		return func(root, cs *hivetest.Key) { samples.Set(root, "Setup", vals...) }
	}
	runSMCases(t, SessionSwitches, []smCase{
		{"default", noEdit, nil, ""},
		{"heap flags", sm(hivetest.DWORD("GlobalFlag", 0x30)), []string{"smswitches.globalflag:medium"}, "FLG_HEAP_ENABLE_TAIL_CHECK, FLG_HEAP_ENABLE_FREE_CHECK"},
		{"debug winlogon", sm(hivetest.DWORD("GlobalFlag", 0x4000000)), []string{"smswitches.globalflag:high"}, "debugger"},
		{"protection mode off", sm(hivetest.DWORD("ProtectionMode", 0)), []string{"smswitches.protectionmode-off:medium"}, "standard users"},
		{"object directories changed", sm(hivetest.MultiSZ("ObjectDirectories", `\Windows`, `\RPC Control`, `\Evil`)), []string{"smswitches.objectdirectories:medium"}, `\Evil`},
		{"wpbt disabled", sm(hivetest.DWORD("DisableWpbtExecution", 1)), []string{"smswitches.wpbt-disabled:info"}, "WPBT"},
		{"setup cmdline persistence", setup(hivetest.SZ("CmdLine", `C:\Users\Public\p.exe -run`), hivetest.DWORD("SetupType", 2)), []string{"setup.cmdline:high"}, "SetupType 2"},
		{"setup cmdline dormant", setup(hivetest.SZ("CmdLine", `C:\Tools\x.exe`)), []string{"setup.cmdline:low"}, "dormant"},
		{"XP leftover msoobe", setup(hivetest.MultiSZ("CmdLine", `C:\WINDOWS\System32\oobe\msoobe.exe /update`)), []string{"setup.cmdline:info"}, "installation"},
		{"setup in progress", setup(hivetest.SZ("CmdLine", `oobe\windeploy.exe`), hivetest.DWORD("SetupType", 1), hivetest.DWORD("SystemSetupInProgress", 1)), []string{"setup.cmdline:low"}, "windeploy"},
	})
}

func TestFlagNames(t *testing.T) {
	if got := strings.Join(flagNames(0x80000002), ","); got != "FLG_SHOW_LDR_SNAPS,FLG_DISABLE_PROTDLLS" {
		t.Errorf("got %s", got)
	}
}
