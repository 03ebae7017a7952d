package inproc

import (
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// packed is a PackedCatalogItem: the DLL path, NUL-padded to MAX_PATH,
// then (here) a stand-in for the WSAPROTOCOL_INFOW, with an older entry's
// leftover bytes after the NUL as the corpus's XP hive has them.
func packed(dll string) []byte {
	b := make([]byte, maxPath+628)
	copy(b, dll)
	copy(b[len(dll)+1:], "ls\\VSock SDK\\bin") // leftover after the terminator
	return b
}

func TestWinsock(t *testing.T) {
	cases := []struct {
		name string
		dlls map[string]string // catalog entry -> DLL
		nsp  string
		want report.Severity
		data string
	}{
		{"windows' own", map[string]string{"000000000001": `%SystemRoot%\system32\mswsock.dll`, "000000000002": `%SystemRoot%\system32\mswsock.dll`}, `%SystemRoot%\system32\NLAapi.dll`, report.Info, ""},
		{"vmware in program files", map[string]string{"000000000001": `C:\Program Files\VMware\VMware Tools\VSock SDK\bin\win32\vsocklib.dll`}, "", report.Low, `C:\Program Files\VMware\VMware Tools\VSock SDK\bin\win32\vsocklib.dll`},
		{"lsp in ProgramData", map[string]string{"000000000001": `%SystemRoot%\system32\mswsock.dll`, "000000000009": `C:\ProgramData\lsp\lsp.dll`}, "", report.Medium, `C:\ProgramData\lsp\lsp.dll`},
		{"nsp in Temp", nil, `C:\Windows\Temp\nsp.dll`, report.High, `C:\Windows\Temp\nsp.dll`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
			cs := samples.At(sys.Root, `ControlSet001\Services\WinSock2\Parameters`)
			for entry, dll := range tc.dlls {
				samples.Set(cs, `Protocol_Catalog9\Catalog_Entries64\`+entry, hivetest.Binary("PackedCatalogItem", packed(dll)))
			}
			if tc.nsp != "" {
				samples.Set(cs, `NameSpace_Catalog5\Catalog_Entries64\000000000001`, hivetest.ExpandSZ("LibraryPath", tc.nsp))
			}
			fs := analysistest.Run(t, Winsock, analysistest.HostOf(t, "h", sys, samples.Software()))
			if got := analysistest.MaxSeverity(fs); got != tc.want {
				t.Fatalf("max severity %v, want %v: %+v", got, tc.want, fs)
			}
			if tc.data != "" && (len(fs) != 1 || fs[0].Data != tc.data || !strings.Contains(fs[0].Title, "Winsock")) {
				t.Errorf("findings %+v, want one with data %q", fs, tc.data)
			}
		})
	}
}

func TestCatalogPath(t *testing.T) {
	for in, want := range map[string]string{
		"mswsock.dll\x00junk":    "mswsock.dll",
		"\x00":                   "",
		"":                       "",
		"\x01\x02bin\x00":        "",
		strings.Repeat("a", 300): "",
	} {
		got, ok := catalogPath([]byte(in))
		if got != want || ok != (want != "") {
			t.Errorf("catalogPath(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
