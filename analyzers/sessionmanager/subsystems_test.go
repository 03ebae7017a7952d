package sessionmanager

import (
	"strings"
	"testing"

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
