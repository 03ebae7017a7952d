package checks_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/analyzers/checks"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// engineFile exercises every pattern form and data kind.
const engineFile = `analyzer: engine
doc: Engine test
checks:
  - rule: engine.cs
    keys: HKLM\SYSTEM\ControlSet*\Control\Test
    values: Switch
    data: number
    fires: nonzero
    defaults:
      - {data: "1", versions: [nt4], source: test}
    severity: medium
    attack: [T1112]
    source: test
    title: Switch is {{.Data}}
    detail: Windows {{.Windows}} ships 0.
  - rule: engine.glob
    keys: HKLM\SOFTWARE\Vendor\*\Plugins
    wow64: true
    values: "Load*"
    data: dlls
    defaults:
      - {data: good.dll, source: test}
    severity: low
    attack: [T1574]
    source: test
    title: "{{.Value}} loads {{.Program}}"
    detail: For {{.Whose}}.
  - rule: engine.list
    keys: HKCU\Software\Test
    values: Programs
    data: commands
    defaults:
      - {data: explorer.exe, source: test}
    severity: high
    attack: [T1547]
    source: test
    title: "{{.Data}} starts at logon"
    detail: "Defaults: {{.Defaults}}."
  - rule: engine.classes
    keys: HKCU\Software\Classes\CLSID\*\InprocServer32
    values: (default)
    data: path
    severity: medium
    attack: [T1546.015]
    source: test
    title: COM server {{.Program}}
    detail: In {{.Key}}.
`

func TestEngine(t *testing.T) {
	f, err := checks.Parse("engine.yaml", []byte(engineFile))
	if err != nil {
		t.Fatal(err)
	}
	a := checks.New(f)
	sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1, 2)
	samples.Set(samples.At(sys.Root, "ControlSet001"), `Control\Test`, hivetest.DWORD("Switch", 1))
	samples.Set(samples.At(sys.Root, "ControlSet002"), `Control\Test`, hivetest.DWORD("Switch", 0)) // quiet: nonzero only
	sw := samples.Software()
	samples.Set(sw.Root, `Vendor\Acme\Plugins`, hivetest.SZ("LoadFirst", "good.dll, C:\\Users\\Public\\bad.dll"), hivetest.SZ("Other", "ignored.dll"))
	samples.Set(sw.Root, `Wow6432Node\Vendor\Acme32\Plugins`, hivetest.SZ("Load", `"C:\Program Files (x86)\Acme\x.dll"`))
	user := samples.NTUser("alice")
	samples.Set(user.Root, `Software\Test`, hivetest.SZ("Programs", "explorer.exe, evil.exe"))
	def := samples.Default()
	samples.Set(def.Root, `Software\Test`, hivetest.SZ("Programs", "explorer.exe"))
	classes := samples.Hive{Path: "Users/alice/AppData/Local/Microsoft/Windows/UsrClass.dat", Root: &hivetest.Key{Name: "ROOT", LastWrite: samples.Base}}
	samples.Set(classes.Root, `CLSID\{0000-TEST}\InprocServer32`, hivetest.SZ("", `C:\Users\alice\AppData\Roaming\x.dll`))

	fs := analysistest.Run(t, a, analysistest.HostOf(t, "h", sys, sw, user, def, classes))
	got := map[string][]report.Finding{}
	for _, f := range fs {
		got[f.Rule] = append(got[f.Rule], f)
	}
	if cs := got["engine.cs"]; len(cs) != 1 || cs[0].ControlSet != "ControlSet001" || cs[0].Severity != report.Medium || cs[0].Title != "Switch is 1" || !strings.Contains(cs[0].Detail, "Windows 10/11") {
		t.Errorf("control set check: %+v", cs)
	}
	glob := got["engine.glob"]
	if len(glob) != 2 {
		t.Fatalf("glob check: want bad.dll and the Wow6432Node entry, got %+v", glob)
	}
	var datas []string
	for _, f := range glob {
		datas = append(datas, f.Data.(string))
	}
	if strings.Join(datas, "|") != `C:\Users\Public\bad.dll|C:\Program Files (x86)\Acme\x.dll` && strings.Join(datas, "|") != `C:\Program Files (x86)\Acme\x.dll|C:\Users\Public\bad.dll` {
		t.Errorf("glob check data: %v", datas)
	}
	for _, f := range glob {
		if f.Data == `C:\Users\Public\bad.dll` && f.Severity <= report.Low {
			t.Errorf("a DLL in C:\\Users\\Public was not raised by the path assessor: %v", f.Severity)
		}
	}
	if l := got["engine.list"]; len(l) != 1 || l[0].Data != "evil.exe" || l[0].User != "alice" || !strings.Contains(l[0].Detail, "Defaults: explorer.exe.") {
		t.Errorf("list check (the DEFAULT hive holds only the default): %+v", l)
	}
	if c := got["engine.classes"]; len(c) != 1 || !strings.HasSuffix(c[0].Hive, "UsrClass.dat") || c[0].Severity < report.Medium {
		t.Errorf("classes check must read UsrClass.dat: %+v", c)
	}
}

// TestEngineDamage: a value the check names that cannot be read fails the
// run with the reason; the rest of the run is kept.
func TestEngineDamage(t *testing.T) {
	f, err := checks.Parse("engine.yaml", []byte(engineFile))
	if err != nil {
		t.Fatal(err)
	}
	a := checks.New(f)
	user := samples.NTUser("alice")
	samples.Set(user.Root, `Software\Test`, hivetest.SZ("Programs", "a long list of programs, evil.exe, other.exe"))
	user.After = func(h *hivetest.Hive) error { return h.SetValueSize(`\Software\Test`, "Programs", 0x100000) }
	res := analysistest.RunResult(t, a, analysistest.HostOf(t, "h", samples.Software(), user))
	if len(res.Runs) != 1 || res.Runs[0].Status != report.Failed || !strings.Contains(res.Runs[0].Reason, "Programs") {
		t.Fatalf("runs %+v: want a failed run naming the damaged value", res.Runs)
	}
}

// TestEngineVersionDefaults: a default that holds for one version family
// quiets the check there only.
func TestEngineVersionDefaults(t *testing.T) {
	f, err := checks.Parse("engine.yaml", []byte(engineFile))
	if err != nil {
		t.Fatal(err)
	}
	a := checks.New(f)
	for _, tc := range []struct {
		build string
		want  int
	}{{"1381", 0}, {"2600", 1}, {"19045", 1}} {
		sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
		samples.Set(samples.At(sys.Root, "ControlSet001"), `Control\Test`, hivetest.DWORD("Switch", 1))
		sw := samples.Software()
		samples.Set(sw.Root, `Microsoft\Windows NT\CurrentVersion`, hivetest.SZ("CurrentBuildNumber", tc.build), hivetest.SZ("CurrentBuild", tc.build))
		n := 0
		for _, f := range analysistest.Run(t, a, analysistest.HostOf(t, "h", sys, sw)) {
			if f.Rule == "engine.cs" {
				n++
			}
		}
		if n != tc.want {
			t.Errorf("build %s: %d findings, want %d (Switch=1 is NT 4.0's default only)", tc.build, n, tc.want)
		}
	}
}

// matchMaskFile has a number check that reports listed numbers only, with a
// lower severity on old Windows, and a secret text check.
const matchMaskFile = `analyzer: engine
doc: Engine test
checks:
  - rule: engine.match
    keys: HKLM\SYSTEM\ControlSet*\Services\Svc
    values: Start
    data: number
    match: [3, 4]
    defaults:
      - {data: "3", versions: [vista], source: test}
    by_version:
      - {versions: [xp, vista], severity: low, source: test}
    severity: high
    source: test
    title: Start is {{.Data}}
    detail: Start {{.Whole}}.
  - rule: engine.mask
    keys: HKLM\SOFTWARE\Test
    values: Secret
    data: text
    mask: true
    severity: high
    source: test
    title: "{{.Value}} holds {{.Data}}"
    detail: "{{.Whole}} in {{.Program}}."
`

// TestEngineMatchMaskByVersion: match reports only its numbers and not a
// default; by_version lowers the severity on its families (and when the
// family is unknown); mask keeps the secret out of every field.
func TestEngineMatchMaskByVersion(t *testing.T) {
	f, err := checks.Parse("engine.yaml", []byte(matchMaskFile))
	if err != nil {
		t.Fatal(err)
	}
	a := checks.New(f)
	for _, tc := range []struct {
		build string // "" leaves the version unknown
		start uint32
		want  report.Severity // Info: no finding
	}{
		{"19045", 4, report.High}, {"19045", 3, report.High}, {"19045", 2, report.Info}, {"19045", 0, report.Info},
		{"7601", 4, report.Low}, {"7601", 3, report.Info}, {"2600", 3, report.Low}, {"", 4, report.Low},
	} {
		sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
		samples.Set(samples.At(sys.Root, "ControlSet001"), `Services\Svc`, hivetest.DWORD("Start", tc.start))
		hives := []samples.Hive{sys}
		if tc.build != "" {
			sw := samples.Software()
			samples.Set(sw.Root, `Microsoft\Windows NT\CurrentVersion`, hivetest.SZ("CurrentBuildNumber", tc.build), hivetest.SZ("CurrentBuild", tc.build))
			hives = append(hives, sw)
		}
		got := report.Info
		for _, f := range analysistest.Run(t, a, analysistest.HostOf(t, "h", hives...)) {
			if f.Rule == "engine.match" {
				got = f.Severity
			}
		}
		if got != tc.want {
			t.Errorf("build %q Start=%d: %v, want %v", tc.build, tc.start, got, tc.want)
		}
	}

	sw := samples.Software()
	samples.Set(sw.Root, `Test`, hivetest.SZ("Secret", "hunter2-Passw0rd"))
	fs := analysistest.Run(t, a, analysistest.HostOf(t, "h", sw))
	if len(fs) != 1 {
		t.Fatalf("mask: %d findings, want 1: %+v", len(fs), fs)
	}
	m := fs[0]
	all := fmt.Sprintf("%v|%s|%s", m.Data, m.Title, m.Detail)
	if strings.Contains(all, "hunter2") || !strings.Contains(all, "(16 characters, not shown)") || m.Severity != report.High {
		t.Errorf("mask: the secret shows or its length is missing: %s", all)
	}
}

func TestLoadMatchErrors(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"data: text\n    match: [1]", "applies to number data only"},
		{"data: number\n    fires: zero\n    match: [1]", "not both"},
		{"data: number\n    match: [x]", "not a number"},
		{"data: number\n    by_version: [{versions: [win95], severity: low, source: s}]", `"win95"`},
		{"data: number\n    mask: maybe", "want true or false"},
	} {
		file := "analyzer: e\ndoc: d\nchecks:\n  - rule: e.x\n    keys: HKLM\\SOFTWARE\\X\n    values: V\n    " + tc.body + "\n    severity: low\n    source: s\n    title: t\n    detail: d\n"
		_, err := checks.Parse("e.yaml", []byte(file))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.body, err, tc.want)
		}
	}
}
