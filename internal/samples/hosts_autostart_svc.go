package samples

import "github.com/hivescan/hivescan/hive/hivetest"

// autostartServiceHosts are the sample hosts of the service-family
// analyzers (services, IFEO, LSA and the other machine-wide autostarts).
func autostartServiceHosts() []Host {
	return []Host{FakeSmssService()}
}

// FakeSmssService has a service running a fake smss.exe from
// System32\drivers, a sticky-keys debugger on sethc.exe and an extra LSA
// authentication package, each written a day after the baseline.
func FakeSmssService() Host {
	planted := Base.Add(26 * 3600e9)
	sys := System("HR-PC", [4]uint32{1, 1, 1, 0}, 1)
	cs := At(sys.Root, "ControlSet001")
	Set(cs, `Services\SmssHelper`,
		hivetest.ExpandSZ("ImagePath", `C:\Windows\System32\drivers\smss.exe`),
		hivetest.DWORD("Type", 0x10), hivetest.DWORD("Start", 2),
		hivetest.SZ("ObjectName", "LocalSystem"),
		hivetest.SZ("DisplayName", "Windows Session Manager Helper"))
	Touch(cs, `Services\SmssHelper`, planted)
	Set(cs, `Control\Lsa`,
		hivetest.MultiSZ("Authentication Packages", "msv1_0", "lsaauth"),
		hivetest.MultiSZ("Notification Packages", "scecli"),
		hivetest.MultiSZ("Security Packages", ""))
	Touch(cs, `Control\Lsa`, planted)

	sw := Software()
	ifeo := `Microsoft\Windows NT\CurrentVersion\Image File Execution Options`
	Set(sw.Root, ifeo+`\Your Image File Name here without a path`, hivetest.SZ("Debugger", "ntsd -d"))
	Set(sw.Root, ifeo+`\sethc.exe`, hivetest.SZ("Debugger", `C:\Windows\System32\cmd.exe`))
	Touch(sw.Root, ifeo+`\sethc.exe`, planted)
	return Host{
		Name:  "fake-smss-service",
		About: `a service running a fake smss.exe from System32\drivers, a sticky-keys (sethc.exe) IFEO debugger and an extra LSA authentication package`,
		Hives: []Hive{sys, sw, Default(), NTUser("carol")},
	}
}
