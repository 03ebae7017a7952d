package samples

import (
	"unicode/utf16"

	"github.com/hivescan/hivescan/hive/hivetest"
)

// sessionManagerHosts are the sample hosts that exercise the Session Manager
// analyzers.
func sessionManagerHosts() []Host { return []Host{SessionManagerTampered()} }

// SessionManagerTampered has something planted in every part of the Session
// Manager that smss.exe acts on at boot, plus a per-user windir hijack.
func SessionManagerTampered() Host {
	sys := System("SM-TAMPERED", [4]uint32{1, 1, 1, 0}, 1)
	cs := At(sys.Root, "ControlSet001")
	sm := `Control\Session Manager`
	Set(cs, sm,
		hivetest.MultiSZ("BootExecute", "autocheck autochk *", `\??\C:\Windows\System32\drivers\smss.exe`),
		multiSZWithEmpty("PendingFileRenameOperations",
			`\??\C:\Windows\Temp\wl.tmp`, `!\??\C:\Windows\System32\winlogon.exe`,
			`\??\C:\Users\bob\AppData\Local\Temp\old.log`, ""),
		hivetest.DWORD("AllowProtectedRenames", 1),
		hivetest.MultiSZ("ExcludeFromKnownDlls", "version.dll"),
		hivetest.DWORD("GlobalFlag", 0x4000000),
		hivetest.DWORD("ProtectionMode", 0),
	)
	Set(cs, sm+`\Environment`,
		hivetest.ExpandSZ("Path", `C:\Users\Public\bin;%SystemRoot%\system32;%SystemRoot%;%SystemRoot%\System32\Wbem`),
		hivetest.SZ("COR_ENABLE_PROFILING", "1"),
		hivetest.SZ("COR_PROFILER", "{cf0d821e-299b-5307-a3d8-b283c03916dd}"),
		hivetest.SZ("COR_PROFILER_PATH", `C:\ProgramData\Microsoft\prof.dll`),
	)
	Set(cs, sm+`\KnownDLLs`, hivetest.SZ("winhttpx", "winhttpx.dll"))
	Set(cs, sm+`\SubSystems`, hivetest.ExpandSZ("Windows", `C:\ProgramData\csrss.exe ObjectDirectory=\Windows SharedSection=1024,20480,768 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16`))
	Set(cs, sm+`\DOS Devices`, hivetest.SZ("PIPE", `\Device\NpTap`))
	Set(cs, sm+`\AppCertDlls`, hivetest.SZ("certpol", `C:\ProgramData\Microsoft\certpol.dll`))
	Set(cs, sm+`\Memory Management`,
		hivetest.MultiSZ("PagingFiles", `D:\pagefile.sys 2048 4096`),
		hivetest.MultiSZ("ExistingPageFiles", `\??\D:\pagefile.sys`),
		hivetest.DWORD("ClearPageFileAtShutdown", 1))
	Touch(cs, sm, Base.Add(72*3600e9))
	Set(sys.Root, "Setup", hivetest.SZ("CmdLine", `C:\Users\Public\svc\agent.exe /boot`), hivetest.DWORD("SetupType", 2))

	user := NTUser("bob")
	Set(user.Root, "Environment", hivetest.SZ("windir", `cmd.exe /c start C:\Users\bob\AppData\Roaming\x.exe &&`))
	return Host{
		Name:  "session-manager-tampered",
		About: "every Session Manager area tampered: fake smss in BootExecute, winlogon.exe replaced from Windows\\Temp at next boot, fake csrss in SubSystems, AppCertDlls, extra and excluded KnownDLLs, redirected PIPE device, Public folder before System32 in Path, COR_PROFILER, debugger GlobalFlag, ProtectionMode 0, pagefile on D: cleared at shutdown, Setup CmdLine with SetupType 2, per-user windir hijack",
		Hives: []Hive{sys, Software(), Default(), user},
	}
}

// multiSZWithEmpty builds a REG_MULTI_SZ that keeps empty strings, as
// PendingFileRenameOperations stores a delete (an empty destination).
func multiSZWithEmpty(name string, parts ...string) hivetest.Value {
	var b []byte
	for _, p := range append(parts, "") {
		for _, u := range utf16.Encode([]rune(p)) {
			b = append(b, byte(u), byte(u>>8))
		}
		b = append(b, 0, 0)
	}
	return hivetest.Value{Name: name, Type: hivetest.TypeMultiSZ, Data: b}
}
