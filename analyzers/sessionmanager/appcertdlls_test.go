package sessionmanager

import (
	"testing"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
)

func TestAppCertDlls(t *testing.T) {
	set := func(vals ...hivetest.Value) func(root, cs *hivetest.Key) {
		return func(root, cs *hivetest.Key) { samples.Set(cs, smPath+`\AppCertDlls`, vals...) }
	}
	runSMCases(t, AppCertDlls, []smCase{
		{"absent", noEdit, nil, ""},
		{"empty key", set(), nil, ""},
		{"empty value", set(hivetest.SZ("x", "")), nil, ""},
		{"dll in System32", set(hivetest.SZ("acme", `C:\Windows\System32\acmecert.dll`)), []string{"appcertdlls.entry:high"}, `C:\Windows\System32\acmecert.dll`},
		{"dll in Temp", set(hivetest.ExpandSZ("x", `%SystemRoot%\Temp\cert.dll`)), []string{"appcertdlls.entry:high"}, "temporary folder"},
		{"dll with a system process name outside System32", set(hivetest.SZ("x", `C:\ProgramData\lsass.exe`)), []string{"appcertdlls.entry:critical"}, "lsass.exe"},
	})
}
