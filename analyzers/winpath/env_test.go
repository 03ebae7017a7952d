package winpath

import (
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	alice := Env{UserName: "alice"}
	xp := Env{UserName: "bob", XP: true}
	host := Env{
		System: map[string]string{"SystemRoot": `D:\WINNT`, "TEMP": `%SystemRoot%\TEMP`, "A": "%B%", "B": "%A%", "Self": "x%SELF%y"},
		User:   map[string]string{"temp": `%USERPROFILE%\AppData\Local\Temp`},
	}
	tests := []struct {
		env  Env
		in   string
		want string
	}{
		{alice, `%SystemRoot%\system32`, `C:\Windows\system32`},
		{alice, `%WINDIR%\x`, `C:\Windows\x`},
		{alice, `%systemdrive%`, `C:`},
		{alice, `%ProgramFiles%|%ProgramFiles(x86)%|%ProgramW6432%`, `C:\Program Files|C:\Program Files (x86)|C:\Program Files`},
		{alice, `%CommonProgramFiles%`, `C:\Program Files\Common Files`},
		{alice, `%ProgramData%|%ALLUSERSPROFILE%|%PUBLIC%`, `C:\ProgramData|C:\ProgramData|C:\Users\Public`},
		{alice, `%APPDATA%|%LOCALAPPDATA%|%TEMP%|%TMP%`, `C:\Users\alice\AppData\Roaming|C:\Users\alice\AppData\Local|C:\Users\alice\AppData\Local\Temp|C:\Users\alice\AppData\Local\Temp`},
		{alice, `%USERPROFILE%|%HOMEDRIVE%%HOMEPATH%|%USERNAME%`, `C:\Users\alice|C:\Users\alice|alice`},
		{xp, `%APPDATA%|%LOCALAPPDATA%|%TEMP%`, `C:\Documents and Settings\bob\Application Data|C:\Documents and Settings\bob\Local Settings\Application Data|C:\Documents and Settings\bob\Local Settings\Temp`},
		{xp, `%ALLUSERSPROFILE%|%PUBLIC%`, `C:\Documents and Settings\All Users|%PUBLIC%`},
		{Env{}, `%APPDATA%\x.exe`, `C:\Users\<user>\AppData\Roaming\x.exe`},
		{Env{Profile: `E:\Profiles\carol`}, `%APPDATA%|%HOMEPATH%`, `E:\Profiles\carol\AppData\Roaming|\Profiles\carol`},
		{host, `%SystemRoot%|%windir%|%ProgramFiles%`, `D:\WINNT|D:\WINNT|C:\Program Files`},
		{host, `%TEMP%`, `C:\Users\<user>\AppData\Local\Temp`}, // User wins over System
		{host, `%A%`, `%A%`}, // A -> B -> A stays as written
		{host, `%B%-%A%`, `%B%-%A%`},
		{host, `%self%`, `x%SELF%y`},
		{alice, `%NOPE%\x`, `%NOPE%\x`},
		{alice, `100%`, `100%`},
		{alice, `%%%%`, `%%%%`},
		{alice, `%%SystemDrive%%`, `%C:%`},
		{alice, `50% off %SystemDrive%`, `50% off C:`}, // "% off %" is no name; the second '%' starts the next try
		{alice, "no variables", "no variables"},
	}
	for _, tt := range tests {
		if got := tt.env.Expand(tt.in); got != tt.want {
			t.Errorf("Expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExpandBounded(t *testing.T) {
	// Each level doubles: unbounded, %V0% would be 2^30 copies.
	vars := map[string]string{}
	for i := range 30 {
		vars["V"+itoa(i)] = "%V" + itoa(i+1) + "%%V" + itoa(i+1) + "%"
	}
	vars["V30"] = strings.Repeat("x", 1000)
	got := Env{System: vars}.Expand("%V0%")
	if len(got) > 2*maxExpandOutput {
		t.Errorf("Expand grew to %d bytes, want at most %d", len(got), 2*maxExpandOutput)
	}
	big := strings.Repeat("%%", 50000)
	if got := (Env{}).Expand(big); got != big {
		t.Errorf("Expand changed a string of percent signs")
	}
}

func TestLookupAndSystemRootDir(t *testing.T) {
	env := Env{System: map[string]string{"systemroot": `d:/winnt/`}}
	if got := SystemRootDir(env); got != `D:\winnt` {
		t.Errorf("SystemRootDir = %q, want D:\\winnt", got)
	}
	if v, ok := (Env{UserName: "a"}).Lookup("localappdata"); !ok || v != `C:\Users\a\AppData\Local` {
		t.Errorf("Lookup(localappdata) = %q, %v", v, ok)
	}
	if _, ok := (Env{}).Lookup("nope"); ok {
		t.Error("Lookup(nope) found a value")
	}
}

// TestLookupRawMatchesVars checks that the map-free lookup Expand uses gives
// every variable the merged map gives, with the same precedence.
func TestLookupRawMatchesVars(t *testing.T) {
	for _, e := range []Env{
		{},
		{XP: true, UserName: "bob"},
		{Profile: `D:\Profiles\al`, UserName: "al"},
		{XP: true, Profile: `noColon`},
		{System: map[string]string{"SystemRoot": `D:\WinNT`, "Path": "x"}, User: map[string]string{"TEMP": `E:\t`, "path": "u"}},
	} {
		vars := e.vars()
		for name, want := range vars {
			if got, ok := e.lookupRaw(name); !ok || got != want {
				t.Errorf("%+v: lookupRaw(%q) = %q, %v; want %q", e, name, got, ok, want)
			}
		}
		for _, name := range []string{"public", "nosuch", ""} {
			_, ok := e.lookupRaw(name)
			if _, want := vars[name]; ok != want {
				t.Errorf("%+v: lookupRaw(%q) known = %v, want %v", e, name, ok, want)
			}
		}
	}
}
