package samples

import "github.com/hivescan/hivescan/hive/hivetest"

// autostartRunHosts are the sample hosts of the Run key, Winlogon, Windows
// key and shell-folder analyzers.
func autostartRunHosts() []Host { return []Host{FakeSmssAutostarts()} }

// FakeSmssAutostarts has fake smss.exe copies started from the machine and
// user Run keys, the LocalSystem profile's Run key and Winlogon Userinit, a win.ini load= line (inert while IniFileMapping
// sends Windows to the registry), and the user's Startup folder redirected
// to a folder of the attacker's.
func FakeSmssAutostarts() Host {
	later := Base.Add(52 * 3600e9)
	sw := Software()
	Set(sw.Root, `Microsoft\Windows\CurrentVersion\Run`, hivetest.SZ("Windows Update Agent", `C:\Windows\smss.exe`))
	Touch(sw.Root, `Microsoft\Windows\CurrentVersion\Run`, later)
	Set(sw.Root, `Microsoft\Windows NT\CurrentVersion\Winlogon`, hivetest.SZ("Userinit", `C:\Windows\system32\userinit.exe,C:\Windows\smss.exe`))
	Touch(sw.Root, `Microsoft\Windows NT\CurrentVersion\Winlogon`, later)

	user := NTUser("carol")
	Set(user.Root, `Software\Microsoft\Windows\CurrentVersion\Run`, hivetest.SZ("MicrosoftEdgeUpdate", `"C:\Program Files\Common Files\smss.exe" /background`))
	Touch(user.Root, `Software\Microsoft\Windows\CurrentVersion\Run`, later)
	Set(user.Root, `Software\Microsoft\Windows\CurrentVersion\Explorer\User Shell Folders`, hivetest.ExpandSZ("Startup", `C:\ProgramData\SysCache`))
	Set(user.Root, `Software\Microsoft\Windows\CurrentVersion\Explorer\Shell Folders`, hivetest.SZ("Startup", `C:\ProgramData\SysCache`))
	Touch(user.Root, `Software\Microsoft\Windows\CurrentVersion\Explorer`, later)

	def := Default()
	Set(def.Root, `Software\Microsoft\Windows\CurrentVersion\Run`, hivetest.SZ("smss", `C:\Windows\System32\drivers\smss.exe`))
	Touch(def.Root, `Software\Microsoft\Windows\CurrentVersion\Run`, later)

	return Host{
		Name:  "fake-smss-autostarts",
		About: `fake smss.exe copies started from HKLM Run (C:\Windows), carol's Run (Common Files), the LocalSystem profile's Run (System32\drivers), Winlogon Userinit and win.ini load= (inert while mapped to the registry), plus carol's Startup folder redirected to C:\ProgramData\SysCache`,
		Hives: []Hive{System("HR-PC", [4]uint32{1, 1, 1, 0}, 1), sw, def, user},
		Files: map[string]string{
			"Windows/win.ini":    Win10WinIni + "[windows]\r\nload=C:\\Windows\\smss.exe\r\n",
			"Windows/system.ini": Win10SystemIni,
		},
	}
}
