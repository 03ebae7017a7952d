package samples

import (
	"time"

	"github.com/hivescan/hivescan/hive/hivetest"
)

// Base is the time the sample hosts' keys were last written.
var Base = time.Date(2024, 3, 14, 9, 26, 53, 589793200, time.UTC)

// Windows 10 defaults a clean SYSTEM hive carries in every control set.
var (
	csrssLine = `%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows SharedSection=1024,20480,768 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16`
	knownDLLs = map[string]string{
		"_wow64cpu": "wow64cpu.dll", "_wowarmhw": "wowarmhw.dll", "_xtajit": "xtajit.dll",
		"advapi32": "advapi32.dll", "clbcatq": "clbcatq.dll", "combase": "combase.dll",
		"COMDLG32": "COMDLG32.dll", "coml2": "coml2.dll", "DifxApi": "difxapi.dll",
		"gdi32": "gdi32.dll", "gdiplus": "gdiplus.dll", "IMAGEHLP": "IMAGEHLP.dll",
		"IMM32": "IMM32.dll", "kernel32": "kernel32.dll", "MSCTF": "MSCTF.dll",
		"MSVCRT": "MSVCRT.dll", "NORMALIZ": "NORMALIZ.dll", "NSI": "NSI.dll",
		"ole32": "ole32.dll", "OLEAUT32": "OLEAUT32.dll", "PSAPI": "PSAPI.DLL",
		"rpcrt4": "rpcrt4.dll", "sechost": "sechost.dll", "Setupapi": "Setupapi.dll",
		"SHCORE": "SHCORE.dll", "SHELL32": "SHELL32.dll", "SHLWAPI": "SHLWAPI.dll",
		"user32": "user32.dll", "WLDAP32": "WLDAP32.dll", "wow64": "wow64.dll",
		"wow64win": "wow64win.dll", "WS2_32": "WS2_32.dll",
	}
)

// ControlSet builds a Windows 10 ControlSet00N subtree with default Session
// Manager, a computer name and a few ordinary services.
func ControlSet(computer string) *hivetest.Key {
	cs := &hivetest.Key{LastWrite: Base}
	sm := `Control\Session Manager`
	Set(cs, sm,
		hivetest.MultiSZ("BootExecute", "autocheck autochk *"),
		hivetest.MultiSZ("SetupExecute"),
		hivetest.DWORD("ProtectionMode", 1),
		hivetest.DWORD("GlobalFlag", 0),
		hivetest.MultiSZ("ObjectDirectories", `\Windows`, `\RPC Control`),
		hivetest.DWORD("CWDIllegalInDllSearch", 0),
	)
	Set(cs, sm+`\Environment`,
		hivetest.ExpandSZ("ComSpec", `%SystemRoot%\system32\cmd.exe`),
		hivetest.SZ("OS", "Windows_NT"),
		hivetest.ExpandSZ("Path", `%SystemRoot%\system32;%SystemRoot%;%SystemRoot%\System32\Wbem;%SYSTEMROOT%\System32\WindowsPowerShell\v1.0\;%SYSTEMROOT%\System32\OpenSSH\`),
		hivetest.SZ("PATHEXT", ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC"),
		hivetest.ExpandSZ("TEMP", `%SystemRoot%\TEMP`),
		hivetest.ExpandSZ("TMP", `%SystemRoot%\TEMP`),
		hivetest.SZ("windir", `%SystemRoot%`),
		hivetest.SZ("NUMBER_OF_PROCESSORS", "2"),
	)
	kd := At(cs, sm+`\KnownDLLs`)
	for _, name := range sortedKeys(knownDLLs) {
		kd.Values = append(kd.Values, hivetest.SZ(name, knownDLLs[name]))
	}
	Set(cs, sm+`\SubSystems`,
		hivetest.ExpandSZ("Windows", csrssLine),
		hivetest.ExpandSZ("Kmode", `\SystemRoot\System32\win32k.sys`),
		hivetest.MultiSZ("Required", "Debug", "Windows"),
		hivetest.MultiSZ("Optional"),
		hivetest.ExpandSZ("Debug", ""),
	)
	Set(cs, sm+`\DOS Devices`,
		hivetest.SZ("AUX", `\DosDevices\COM1`),
		hivetest.SZ("MAILSLOT", `\Device\MailSlot`),
		hivetest.SZ("NUL", `\Device\Null`),
		hivetest.SZ("PIPE", `\Device\NamedPipe`),
		hivetest.SZ("PRN", `\DosDevices\LPT1`),
		hivetest.SZ("UNC", `\Device\Mup`),
	)
	Set(cs, sm+`\Memory Management`,
		hivetest.MultiSZ("PagingFiles", `?:\pagefile.sys`),
		hivetest.MultiSZ("ExistingPageFiles", `\??\C:\pagefile.sys`),
		hivetest.DWORD("ClearPageFileAtShutdown", 0),
	)
	Set(cs, `Control\ComputerName\ComputerName`, hivetest.SZ("ComputerName", computer))
	Set(cs, `Control\TimeZoneInformation`, hivetest.SZ("TimeZoneKeyName", "UTC"))
	Set(cs, `Services\Tcpip`,
		hivetest.ExpandSZ("ImagePath", `System32\drivers\tcpip.sys`),
		hivetest.DWORD("Type", 1), hivetest.DWORD("Start", 0),
		hivetest.SZ("DisplayName", "@todo.dll,-100;TCP/IP Protocol Driver"))
	Set(cs, `Services\Dnscache`,
		hivetest.ExpandSZ("ImagePath", `%SystemRoot%\system32\svchost.exe -k NetworkService -p`),
		hivetest.DWORD("Type", 0x20), hivetest.DWORD("Start", 2),
		hivetest.SZ("ObjectName", `NT AUTHORITY\NetworkService`),
		hivetest.SZ("DisplayName", "@%SystemRoot%\\System32\\dnsapi.dll,-101"))
	Set(cs, `Services\Dnscache\Parameters`, hivetest.ExpandSZ("ServiceDll", `%SystemRoot%\System32\dnsrslvr.dll`))
	return cs
}

// System builds a SYSTEM hive: Select, and one control set per number in
// sets (each made by ControlSet(computer)).
func System(computer string, sel [4]uint32, sets ...int) Hive {
	root := &hivetest.Key{Name: "ROOT", LastWrite: Base}
	Set(root, "Select",
		hivetest.DWORD("Current", sel[0]), hivetest.DWORD("Default", sel[1]),
		hivetest.DWORD("LastKnownGood", sel[2]), hivetest.DWORD("Failed", sel[3]))
	for _, n := range sets {
		cs := ControlSet(computer)
		cs.Name = controlSetName(n)
		root.Subkeys = append(root.Subkeys, cs)
	}
	Set(root, "Setup", hivetest.SZ("CmdLine", ""), hivetest.DWORD("SetupType", 0), hivetest.DWORD("SystemSetupInProgress", 0))
	return Hive{Path: "Windows/System32/config/SYSTEM", Root: root, Opts: hivetest.Options{FileName: `\SystemRoot\System32\Config\SYSTEM`, LastWritten: Base}}
}

// Software builds a Windows 10 SOFTWARE hive with ordinary Run entries.
func Software() Hive {
	root := &hivetest.Key{Name: "ROOT", LastWrite: Base}
	cv := `Microsoft\Windows NT\CurrentVersion`
	Set(root, cv,
		hivetest.SZ("ProductName", "Windows 10 Pro"),
		hivetest.SZ("CurrentVersion", "6.3"),
		hivetest.SZ("CurrentBuild", "19045"),
		hivetest.SZ("CurrentBuildNumber", "19045"),
		hivetest.SZ("SystemRoot", `C:\WINDOWS`))
	Set(root, cv+`\Winlogon`,
		hivetest.SZ("Shell", "explorer.exe"),
		hivetest.SZ("Userinit", `C:\Windows\system32\userinit.exe,`),
		hivetest.SZ("ShellInfrastructure", "sihost.exe"),
		hivetest.SZ("VMApplet", "SystemPropertiesPerformance.exe /pagefile"))
	Set(root, cv+`\Windows`, hivetest.SZ("AppInit_DLLs", ""), hivetest.DWORD("LoadAppInit_DLLs", 0))
	// IniFileMapping as Windows 10 ships the two mappings the analyzers read.
	Set(root, cv+`\IniFileMapping\system.ini\boot`,
		hivetest.SZ("", `SYS:Microsoft\Windows NT\CurrentVersion\WOW\boot`),
		hivetest.SZ("Shell", `SYS:Microsoft\Windows NT\CurrentVersion\Winlogon`),
		hivetest.SZ("SCRNSAVE.EXE", `USR:Control Panel\Desktop`))
	Set(root, cv+`\IniFileMapping\win.ini\Windows`,
		hivetest.SZ("", `USR:Software\Microsoft\Windows NT\CurrentVersion\Windows`))
	Set(root, `Microsoft\Windows\CurrentVersion\Run`,
		hivetest.ExpandSZ("SecurityHealth", `%windir%\system32\SecurityHealthSystray.exe`))
	At(root, `Microsoft\Windows\CurrentVersion\RunOnce`)
	At(root, `Classes\CLSID`)
	return Hive{Path: "Windows/System32/config/SOFTWARE", Root: root, Opts: hivetest.Options{FileName: `\SystemRoot\System32\Config\SOFTWARE`, LastWritten: Base}}
}

// NTUser builds a user's NTUSER.DAT with an ordinary Run entry.
func NTUser(user string) Hive {
	root := &hivetest.Key{Name: "ROOT", LastWrite: Base}
	Set(root, "Environment", hivetest.ExpandSZ("TEMP", `%USERPROFILE%\AppData\Local\Temp`), hivetest.ExpandSZ("TMP", `%USERPROFILE%\AppData\Local\Temp`))
	At(root, `Control Panel\Desktop`)
	Set(root, `Software\Microsoft\Windows\CurrentVersion\Run`,
		hivetest.SZ("OneDrive", `"C:\Users\`+user+`\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background`))
	return Hive{Path: "Users/" + user + "/NTUSER.DAT", Root: root, Opts: hivetest.Options{FileName: `\??\C:\Users\` + user + `\ntuser.dat`, LastWritten: Base}}
}

// Default builds the DEFAULT hive (HKU\.DEFAULT).
func Default() Hive {
	root := &hivetest.Key{Name: "ROOT", LastWrite: Base}
	Set(root, "Environment", hivetest.ExpandSZ("TEMP", `%USERPROFILE%\AppData\Local\Temp`))
	At(root, `Control Panel\Desktop`)
	At(root, `Software\Microsoft\Windows\CurrentVersion\Run`)
	return Hive{Path: "Windows/System32/config/DEFAULT", Root: root, Opts: hivetest.Options{FileName: `\SystemRoot\System32\Config\DEFAULT`, LastWritten: Base}}
}

func controlSetName(n int) string {
	return "ControlSet00" + string(rune('0'+n))
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
