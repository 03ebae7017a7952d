package winpath

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestResolve(t *testing.T) {
	alice := Env{UserName: "alice"}
	tests := []struct {
		in   string
		env  Env
		want Path
	}{
		{`C:\Windows\System32\smss.exe`, alice, Path{Full: `C:\Windows\System32\smss.exe`, Dir: `C:\Windows\System32`, Base: "smss.exe", Ext: ".exe"}},
		{`c:/windows//system32/./x/../smss.exe`, alice, Path{Full: `C:\windows\system32\smss.exe`, Dir: `C:\windows\system32`, Base: "smss.exe", Ext: ".exe"}},
		{`"%SystemRoot%\system32\csrss.exe"`, alice, Path{Full: `C:\Windows\system32\csrss.exe`, Dir: `C:\Windows\system32`, Base: "csrss.exe", Ext: ".exe"}},
		{`\SystemRoot\System32\drivers\disk.sys`, alice, Path{Full: `C:\Windows\System32\drivers\disk.sys`, Dir: `C:\Windows\System32\drivers`, Base: "disk.sys", Ext: ".sys"}},
		{`system32\DRIVERS\ACPI.sys`, alice, Path{Full: `C:\Windows\system32\DRIVERS\ACPI.sys`, Dir: `C:\Windows\system32\DRIVERS`, Base: "ACPI.sys", Ext: ".sys", Relative: true}},
		{`\??\C:\Windows\smss.exe`, alice, Path{Full: `C:\Windows\smss.exe`, Dir: `C:\Windows`, Base: "smss.exe", Ext: ".exe"}},
		{`\\?\C:\x\smss.exe.`, alice, Path{Full: `C:\x\smss.exe.`, Dir: `C:\x`, Base: "smss.exe.", Ext: ".exe"}},
		{`\\.\C:\x.exe`, alice, Path{Full: `C:\x.exe`, Dir: `C:\`, Base: "x.exe", Ext: ".exe"}},
		{`\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy3\Windows\x.exe`, alice, Path{Full: `\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy3\Windows\x.exe`,
			Dir: `\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy3\Windows`, Base: "x.exe", Ext: ".exe", GlobalRoot: true}},
		{`\Device\HarddiskVolume2\Windows\x.exe`, alice, Path{Full: `\\?\GLOBALROOT\Device\HarddiskVolume2\Windows\x.exe`,
			Dir: `\\?\GLOBALROOT\Device\HarddiskVolume2\Windows`, Base: "x.exe", Ext: ".exe", GlobalRoot: true}},
		{`\\?\UNC\srv\share\a\b.exe`, alice, Path{Full: `\\srv\share\a\b.exe`, Dir: `\\srv\share\a`, Base: "b.exe", Ext: ".exe", UNC: true}},
		{`\\10.0.0.5\c$\..\..\x.exe`, alice, Path{Full: `\\10.0.0.5\c$\x.exe`, Dir: `\\10.0.0.5\c$`, Base: "x.exe", Ext: ".exe", UNC: true}},
		{`C:\ProgramData\x.exe:hidden:$DATA`, alice, Path{Full: `C:\ProgramData\x.exe`, Dir: `C:\ProgramData`, Base: "x.exe", Ext: ".exe", Stream: "hidden:$DATA"}},
		{`C:\ProgramData\x.txt:evil.exe`, alice, Path{Full: `C:\ProgramData\x.txt`, Dir: `C:\ProgramData`, Base: "x.txt", Ext: ".txt", Stream: "evil.exe"}},
		{`smss`, alice, Path{Full: `C:\Windows\System32\smss.exe`, Dir: `C:\Windows\System32`, Base: "smss.exe", Ext: ".exe", Relative: true}},
		{`explorer.exe`, alice, Path{Full: `C:\Windows\explorer.exe`, Dir: `C:\Windows`, Base: "explorer.exe", Ext: ".exe", Relative: true}},
		{`shell32.dll`, alice, Path{Full: `C:\Windows\System32\shell32.dll`, Dir: `C:\Windows\System32`, Base: "shell32.dll", Ext: ".dll", Relative: true}},
		{`\Windows\x.exe`, alice, Path{Full: `C:\Windows\x.exe`, Dir: `C:\Windows`, Base: "x.exe", Ext: ".exe"}},
		{`C:x.exe`, alice, Path{Full: `C:\x.exe`, Dir: `C:\`, Base: "x.exe", Ext: ".exe", Relative: true}},
		{`C:\PROGRA~1\COMMON~1\x.dll`, alice, Path{Full: `C:\PROGRA~1\COMMON~1\x.dll`, Dir: `C:\PROGRA~1\COMMON~1`, Base: "x.dll", Ext: ".dll"}},
		{`%APPDATA%\..\..\..\..\..\x.exe`, alice, Path{Full: `C:\x.exe`, Dir: `C:\`, Base: "x.exe", Ext: ".exe"}},
		{`%USERPROFILE%\x.exe`, Env{UserName: "bob", XP: true}, Path{Full: `C:\Documents and Settings\bob\x.exe`, Dir: `C:\Documents and Settings\bob`, Base: "x.exe", Ext: ".exe"}},
		{`\SystemRoot\x.sys`, Env{System: map[string]string{"SystemRoot": `D:\WINNT`}}, Path{Full: `D:\WINNT\x.sys`, Dir: `D:\WINNT`, Base: "x.sys", Ext: ".sys"}},
		{``, alice, Path{}},
	}
	for _, tt := range tests {
		tt.want.Raw = tt.in
		got := Resolve(tt.in, tt.env)
		if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Path{}, "SystemRoot")); diff != "" {
			t.Errorf("Resolve(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestPredicates(t *testing.T) {
	env := Env{UserName: "alice"}
	tests := []struct {
		in             string
		system, writes bool
	}{
		{`C:\Windows\System32\x.exe`, true, false},
		{`C:\WINDOWS\SysWOW64\x.exe`, true, false},
		{`C:\Windows\x.exe`, true, false},
		{`C:\Windows\System32\drivers\x.sys`, true, false},
		{`C:\Windows\System32\wbem\x.exe`, false, false},
		{`C:\Windows\Temp\x.exe`, false, true},
		{`C:\Windows\Tasks\x.exe`, false, true},
		{`C:\Windows\System32\spool\drivers\color\x.exe`, false, true},
		{`C:\Users\alice\AppData\Roaming\x.exe`, false, true},
		{`C:\Users\Public\x.exe`, false, true},
		{`C:\ProgramData\x.exe`, false, true},
		{`C:\$Recycle.Bin\S-1-5-21\x.exe`, false, true},
		{`C:\RECYCLER\x.exe`, false, true},
		{`C:\PerfLogs\x.exe`, false, true},
		{`C:\Documents and Settings\bob\Local Settings\Temp\x.exe`, false, true},
		{`C:\Program Files\x\x.exe`, false, false},
		{`C:\x.exe`, false, false},
		{`\\srv\share\x.exe`, false, false},
	}
	for _, tt := range tests {
		p := Resolve(tt.in, env)
		if got := IsSystemDir(p); got != tt.system {
			t.Errorf("IsSystemDir(%q) = %v, want %v", tt.in, got, tt.system)
		}
		if got := IsUserWritable(p); got != tt.writes {
			t.Errorf("IsUserWritable(%q) = %v, want %v", tt.in, got, tt.writes)
		}
	}
	// A host whose Windows folder is D:\WINNT.
	winnt := Resolve(`%SystemRoot%\system32\x.exe`, Env{System: map[string]string{"SystemRoot": `D:\WINNT`}})
	if !IsSystemDir(winnt) {
		t.Errorf("IsSystemDir(%q) = false on a D:\\WINNT host", winnt.Full)
	}
}
