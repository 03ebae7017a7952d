package sessionmanager

import (
	"testing"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
)

func TestDosDevices(t *testing.T) {
	set := func(vals ...hivetest.Value) func(root, cs *hivetest.Key) {
		return func(root, cs *hivetest.Key) { samples.Set(cs, smPath+`\DOS Devices`, vals...) }
	}
	runSMCases(t, DosDevices, []smCase{
		{"default", noEdit, nil, ""},
		{"Windows 10 console links", set(hivetest.SZ("CON", `\Device\ConDrv\Console`), hivetest.SZ("CONIN$", `\Device\ConDrv\CurrentIn`), hivetest.SZ("Silos", `\Silos`)), nil, ""},
		{"Hyper-V link", set(hivetest.SZ("vmsmb", `\Device\vmsmb`)), []string{"dosdevices.known-addition:info"}, "Hyper-V"},
		{"PIPE redirected", set(hivetest.SZ("PIPE", `\Device\EvilPipe`)), []string{"dosdevices.redirected:high"}, `\Device\EvilPipe`},
		{"NUL redirected", set(hivetest.SZ("nul", `\Device\HarddiskVolume1\x`)), []string{"dosdevices.redirected:high"}, "nul"},
		{"new name", set(hivetest.SZ("WINSVC", `\Device\Secret`)), []string{"dosdevices.added:medium"}, "WINSVC"},
		{"drive letter", set(hivetest.SZ("Q:", `\??\C:\Windows\Temp\q`)), []string{"dosdevices.added:high"}, "drive letter"},
	})
}
