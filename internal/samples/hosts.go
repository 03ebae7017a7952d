package samples

import "github.com/hivescan/hivescan/hive/hivetest"

// Hosts returns every sample host: the base hosts, then those of the
// Session Manager analyzers and of the autostart analyzers.
func Hosts() []Host {
	out := []Host{CleanHost(), FakeSmssBootExecute()}
	out = append(out, sessionManagerHosts()...)
	out = append(out, autostartHosts()...)
	return out
}

// CleanHost is a Windows 10 machine with nothing planted.
func CleanHost() Host {
	return Host{
		Name:  "clean-host",
		About: "a Windows 10 machine with default settings and ordinary Run entries: nothing above info",
		Hives: []Hive{
			System("CLEAN-PC", [4]uint32{1, 1, 1, 0}, 1),
			Software(),
			Default(),
			NTUser("alice"),
		},
	}
}

// FakeSmssBootExecute has a fake smss.exe planted in BootExecute of both
// control sets, and a second native program only in the last-known-good set.
func FakeSmssBootExecute() Host {
	sys := System("FINANCE-PC", [4]uint32{1, 1, 2, 0}, 1, 2)
	for _, cs := range sys.Root.Subkeys {
		if cs.Name == "ControlSet001" || cs.Name == "ControlSet002" {
			Set(cs, `Control\Session Manager`, hivetest.MultiSZ("BootExecute", "autocheck autochk *", `\??\C:\Windows\System32\drivers\smss.exe`))
			Touch(cs, `Control\Session Manager`, Base.Add(36*3600e9))
		}
		if cs.Name == "ControlSet002" {
			Set(cs, `Control\Session Manager`, hivetest.MultiSZ("BootExecute", "autocheck autochk *", `\??\C:\Windows\System32\drivers\smss.exe`, "bcdfix /quiet"))
		}
	}
	return Host{
		Name:  "fake-smss-bootexecute",
		About: `a fake smss.exe in System32\drivers started from BootExecute (both control sets), plus a native program only in the last-known-good set`,
		Hives: []Hive{sys, Software(), Default(), NTUser("bob")},
	}
}
