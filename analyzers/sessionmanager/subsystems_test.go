package sessionmanager

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
)

func TestSubSystems(t *testing.T) {
	const win7 = `%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows SharedSection=1024,12288,512 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=winsrv:ConServerDllInitialization,2 ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16`
	windows := func(line string) func(root, cs *hivetest.Key) {
		return func(root, cs *hivetest.Key) {
			samples.Set(cs, smPath+`\SubSystems`, hivetest.ExpandSZ("Windows", line))
		}
	}
	runSMCases(t, SubSystems, []smCase{
		{"default", noEdit, nil, ""},
		{"Windows 7 line with consrv, Posix optional", func(root, cs *hivetest.Key) {
			windows(win7)(root, cs)
			samples.Set(cs, smPath+`\SubSystems`, hivetest.MultiSZ("Optional", "Posix"), hivetest.ExpandSZ("Posix", `%SystemRoot%\system32\psxss.exe`), hivetest.SZ("", "mnmsrvc"))
		}, nil, ""},
		{"fake csrss", windows(strings.Replace(win7, `%SystemRoot%\system32\csrss.exe`, `C:\ProgramData\csrss.exe`, 1)), []string{"subsystems.csrss-path:critical"}, `C:\ProgramData\csrss.exe`},
		{"extra server dll", windows(win7 + ` ServerDll=evilsrv,5`), []string{"subsystems.serverdll:high"}, `evilsrv.dll`},
		{"object directory", windows(strings.Replace(win7, `ObjectDirectory=\Windows`, `ObjectDirectory=\Evil`, 1)), []string{"subsystems.objectdirectory:high"}, `\Evil`},
		{"kmode", func(root, cs *hivetest.Key) {
			samples.Set(cs, smPath+`\SubSystems`, hivetest.ExpandSZ("Kmode", `\SystemRoot\System32\drivers\w32.sys`))
		}, []string{"subsystems.kmode:critical"}, "w32.sys"},
		{"extra required", func(root, cs *hivetest.Key) {
			samples.Set(cs, smPath+`\SubSystems`, hivetest.MultiSZ("Required", "Debug", "Windows", "Agent"), hivetest.ExpandSZ("Agent", `C:\Windows\agent.exe`))
		}, []string{"subsystems.extra:high"}, "agent.exe"},
		{"debug set", func(root, cs *hivetest.Key) {
			samples.Set(cs, smPath+`\SubSystems`, hivetest.ExpandSZ("Debug", `C:\Tools\dbg.exe`))
		}, []string{"subsystems.debug:high"}, "dbg.exe"},
		{"posix elsewhere", func(root, cs *hivetest.Key) {
			samples.Set(cs, smPath+`\SubSystems`, hivetest.MultiSZ("Optional", "Posix"), hivetest.ExpandSZ("Posix", `C:\Users\Public\psxss.exe`))
		}, []string{"subsystems.optional-path:high"}, `C:\Users\Public\psxss.exe`},
	})
}

// Windows' own server DLLs are those of the host's version (baselines/
// windows.tsv): sxssrv is Windows Vista's and later, so an NT 4.0 host that
// loads it loads a foreign DLL; a host whose version cannot be read accepts
// every version's and says so.
func TestSubSystemsServerDLLsByVersion(t *testing.T) {
	const line = `%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows SharedSection=1024,3072 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sxssrv,4`
	host := func(version string, extra string) []string {
		sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
		samples.Set(samples.At(sys.Root, "ControlSet001"), smPath+`\SubSystems`, hivetest.ExpandSZ("Windows", line+extra))
		hives := []samples.Hive{sys}
		if version != "" {
			sw := samples.Software()
			samples.Set(sw.Root, `Microsoft\Windows NT\CurrentVersion`, hivetest.SZ("CurrentVersion", version), hivetest.SZ("CurrentBuildNumber", map[string]string{"4.0": "1381", "6.3": "19045"}[version]))
			hives = append(hives, sw)
		}
		var got []string
		for _, f := range analysistest.Run(t, SubSystems, analysistest.HostOf(t, "h", hives...)) {
			got = append(got, f.Rule+":"+f.Severity.String()+":"+fmt.Sprint(f.Data)+":"+fmt.Sprint(strings.Contains(f.Detail, "could not be read")))
		}
		return got
	}
	if got := host("6.3", ""); len(got) != 0 {
		t.Errorf("Windows 10 line on Windows 10: %v", got)
	}
	if got := host("4.0", ""); strings.Join(got, " ") != "subsystems.serverdll:high:ServerDll=sxssrv,4:false" {
		t.Errorf("Windows 10 line on NT 4.0: %v", got)
	}
	if got := host("", " ServerDll=consrv,2 ServerDll=evilsrv,5"); strings.Join(got, " ") != "subsystems.serverdll:high:ServerDll=evilsrv,5:true" {
		t.Errorf("unknown version: %v", got)
	}
}
