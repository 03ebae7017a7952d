package autostart

import (
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// The files as Windows 10 ships them.
const (
	win10WinIni    = samples.Win10WinIni
	win10SystemIni = samples.Win10SystemIni
)

func TestIniFiles(t *testing.T) {
	const mapping = `Microsoft\Windows NT\CurrentVersion\IniFileMapping`
	dropMapping := func(sw, _, _, _ *hivetest.Key) {
		cv := samples.At(sw, `Microsoft\Windows NT\CurrentVersion`)
		for i, k := range cv.Subkeys {
			if k.Name == "IniFileMapping" {
				cv.Subkeys = append(cv.Subkeys[:i], cv.Subkeys[i+1:]...)
				break
			}
		}
	}
	tests := []struct {
		name      string
		plant     func(sw, user, def, sys *hivetest.Key)
		win, sys  string
		want      []string // rule/severity
		substring string
	}{
		{"Windows 10 files and mappings", nil, win10WinIni, win10SystemIni, nil, ""},
		{"no files: mappings only", nil, "", "", nil, ""},
		{"load= while mapped to the registry", nil, win10WinIni + "[windows]\r\nload=C:\\Tools\\tray.exe\r\n", win10SystemIni,
			[]string{"inifiles.win-load/medium"}, "does not use it now"},
		{"run= from Public while mapped", nil, "[windows]\r\nrun=C:\\Windows\\Temp\\r.exe\r\n", "",
			[]string{"inifiles.win-run/high"}, "Temp"},
		{"load= with the mapping removed", dropMapping, "[Windows]\r\nload=tray.exe helper.exe\r\n", "",
			[]string{"inifiles.win-load/high", "inifiles.win-load/high"}, "reads it from the file"},
		{"shell= Explorer is Windows'", nil, "", "[boot]\r\nshell=Explorer.exe\r\n", nil, ""},
		{"shell= adds a program", nil, "", "[boot]\r\nshell=explorer.exe C:\\ProgramData\\s.exe\r\n",
			[]string{"inifiles.system-shell/medium"}, "s.exe"},
		{"extra [drivers] entry", nil, "", win10SystemIni + "[drivers]\r\nmidi=C:\\Users\\Public\\m.dll\r\n",
			[]string{"inifiles.system-driver/medium"}, "NTVDM"},
		{"Shell mapping sent to a per-user key", func(sw, _, _, _ *hivetest.Key) {
			samples.Set(sw, mapping+`\system.ini\boot`, hivetest.SZ("Shell", `USR:Software\Microsoft\Windows NT\CurrentVersion\Winlogon`))
		}, "", "", []string{"inifiles.mapping/high"}, "per-user replacement"},
		{"Shell mapping with Windows' prefix flags", func(sw, _, _, _ *hivetest.Key) {
			samples.Set(sw, mapping+`\system.ini\boot`, hivetest.SZ("Shell", `#SYS:Microsoft\Windows NT\CurrentVersion\Winlogon`))
		}, "", "", nil, ""},
		{"Shell mapped by the [boot] default as Windows NT 3.1 ships it", func(sw, _, _, _ *hivetest.Key) {
			k := samples.At(sw, mapping+`\system.ini\boot`)
			k.Values = nil
			samples.Set(sw, mapping+`\system.ini\boot`, hivetest.SZ("", `SYS:Microsoft\Windows NT\CurrentVersion\WOW\boot`))
		}, "", "[boot]\r\nshell=progman.exe\r\n", []string{"inifiles.system-shell/medium"}, "does not use it now"},
		{"win.ini mapping sent elsewhere", func(sw, _, _, _ *hivetest.Key) {
			samples.Set(sw, mapping+`\win.ini\Windows`, hivetest.SZ("load", `SYS:Software\Vendor\Loader`))
		}, "[windows]\r\nload=x.exe\r\n", "", []string{"inifiles.mapping/medium", "inifiles.win-load/medium"}, "load"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set := autostartHost(t, tc.plant)
			if tc.win != "" {
				set.Texts = append(set.Texts, hive.Text{Path: "h/Windows/win.ini", Name: "win.ini", Data: []byte(tc.win)})
			}
			if tc.sys != "" {
				set.Texts = append(set.Texts, hive.Text{Path: "h/Windows/system.ini", Name: "system.ini", Data: []byte(tc.sys)})
			}
			res := analysistest.RunResult(t, IniFiles, set)
			var got []string
			for _, f := range res.Findings {
				got = append(got, f.Rule+"/"+f.Severity.String())
				if tc.substring != "" && !strings.Contains(f.Title+" "+f.Detail, tc.substring) {
					t.Errorf("%s does not mention %q: %s | %s", f.Rule, tc.substring, f.Title, f.Detail)
				}
				if f.Rule != "inifiles.mapping" && (f.HiveKind != report.InputText || !strings.HasPrefix(f.Key, "[")) {
					t.Errorf("evidence: %+v", f)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if len(res.Problems) > 0 {
				t.Errorf("problems: %v", res.Problems)
			}
		})
	}
}

func TestParseIni(t *testing.T) {
	utf16 := []byte{0xff, 0xfe}
	for _, r := range "[Windows]\r\nload=a.exe\r\n" {
		utf16 = append(utf16, byte(r), 0)
	}
	for name, in := range map[string][]byte{
		"ANSI":         []byte("; c\r\n[Windows]\r\n  load = a.exe \r\nnoequals\r\n=x\r\nrun=\r\n"),
		"UTF-16":       utf16,
		"Latin-1 name": []byte("[windows]\nload=a.exe\n[f\xe9]\nx=y\n"),
	} {
		lines := parseIni(in)
		if len(lines) == 0 || lines[0] != (iniLine{section: "windows", key: "load", value: "a.exe", line: lines[0].line}) {
			t.Errorf("%s: %+v", name, lines)
		}
	}
	if l := parseIni([]byte("[windows]\nload=a.exe\n[f\xe9]\nx=y\n")); len(l) != 2 || l[1].section != "fé" {
		t.Errorf("Latin-1 section: %+v", l)
	}
}

func FuzzParseIni(f *testing.F) {
	f.Add([]byte(win10SystemIni))
	f.Add([]byte{0xff, 0xfe, '[', 0, 'b', 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, l := range parseIni(b) {
			if l.key == "" || l.value == "" || l.line < 1 {
				t.Fatalf("bad line %+v", l)
			}
		}
	})
}
