package sigma

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/report"
)

func rule(id, level, detection string) string {
	return "title: Rule " + id + "\nid: " + id + "\nstatus: test\nauthor: Tester\nlevel: " + level +
		"\nreferences:\n  - https://example.org/" + id + "\ntags:\n  - attack.persistence\n  - attack.t1547.001\n" +
		"logsource:\n  category: registry_set\n  product: windows\ndetection:\n" + detection
}

// policySet is a SOFTWARE hive with one Run value pointing into Temp.
func policySet(t *testing.T) *hive.Set {
	sw := builtHive(t, `\SystemRoot\System32\Config\SOFTWARE`, k("Classes", nil),
		nest([]string{"Microsoft", "Windows", "CurrentVersion"}, k("Run", vals(
			hivetest.SZ("Updater", `C:\Windows\Temp\upd.exe /q`),
			hivetest.ExpandSZ("Temp", `%temp%\x.exe`),
			hivetest.DWORD("Flag", 1),
		))))
	set := &hive.Set{Host: "p"}
	set.Add(&hive.Entry{Hive: sw, Path: "SOFTWARE"})
	return set
}

func TestPolicy(t *testing.T) {
	fsys := fstest.MapFS{
		"offline.yml": {Data: []byte(rule("offline", "high", "  sel:\n    TargetObject|contains: '\\CurrentVersion\\Run\\'\n    Details|contains: '\\Temp\\'\n  condition: sel\n"))},
		"image-selection.yml": {Data: []byte(rule("image-selection", "high",
			"  sel:\n    TargetObject|contains: '\\CurrentVersion\\Run\\'\n    Image|endswith: '\\reg.exe'\n  condition: sel\n"))},
		"image-filter.yml": {Data: []byte(rule("image-filter", "high",
			"  sel:\n    TargetObject|contains: '\\CurrentVersion\\Run\\'\n  filter:\n    Image|endswith: '\\msiexec.exe'\n  condition: sel and not filter\n"))},
		"all.yml": {Data: []byte(rule("all", "medium",
			"  sel:\n    TargetObject|contains|all:\n      - '\\Microsoft\\'\n      - '\\Run\\'\n      - '\\Updater'\n  condition: sel\n"))},
		"all-miss.yml": {Data: []byte(rule("all-miss", "medium",
			"  sel:\n    TargetObject|contains|all:\n      - '\\Microsoft\\'\n      - '\\RunOnce\\'\n  condition: sel\n"))},
		"re.yml": {Data: []byte(rule("re", "medium",
			"  sel:\n    TargetObject|endswith: '\\Run\\Updater'\n    Details|re: '(?i)^c:\\\\windows\\\\temp\\\\[a-z]+\\.exe'\n  condition: sel\n"))},
		"windash.yml": {Data: []byte(rule("windash", "medium",
			"  sel:\n    TargetObject|contains: '\\Run\\'\n    Details|windash|contains: ' /q'\n  condition: sel\n"))},
		"null.yml": {Data: []byte(rule("null", "low",
			"  sel:\n    TargetObject|contains: '\\CurrentVersion\\Run\\'\n  filter:\n    Details: null\n  condition: sel and not filter\n"))},
		"placeholder.yml": {Data: []byte(rule("placeholder", "low",
			"  sel:\n    TargetObject|contains: '\\Run\\'\n    Details|startswith: '%temp%'\n  condition: sel\n"))},
		"dword.yml": {Data: []byte(rule("dword", "low",
			"  sel:\n    TargetObject|endswith: '\\Run\\Flag'\n    Details: 'DWORD (0x00000001)'\n  condition: sel\n"))},
		"broken.yml":       {Data: []byte("title: x\ndetection: [\n")},
		"not-registry.yml": {Data: []byte("title: p\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  sel:\n    Image: x\n  condition: sel\n")},
		"README.md":        {Data: []byte("not a rule")},
	}
	rs, err := Load(fsys, ".", "test", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Problems) != 1 || rs.Problems[0].File != "broken.yml" || rs.Problems[0].Reason == "" {
		t.Errorf("problems = %+v, want broken.yml with a reason", rs.Problems)
	}
	support := map[string]Support{}
	for _, r := range rs.Rules {
		support[r.ID] = r.Support
	}
	wantSupport := map[string]Support{
		"offline": Offline, "image-selection": NeedsLive, "image-filter": WriterFilter, "all": Offline, "all-miss": Offline,
		"re": Offline, "windash": Unsupported, "null": Offline, "placeholder": Offline, "dword": Offline,
	}
	for id, want := range wantSupport {
		if support[id] != want {
			t.Errorf("rule %s: support %v, want %v", id, support[id], want)
		}
	}
	if len(support) != len(wantSupport) {
		t.Errorf("loaded %d rules, want %d (not-registry.yml is skipped)", len(support), len(wantSupport))
	}

	got := func(opts Options) map[string]report.Finding {
		out := map[string]report.Finding{}
		for _, f := range runRules(t, policySet(t), opts, rs) {
			out[f.Rule+" "+*f.Value] = f
		}
		return out
	}
	def := got(Options{})
	for _, want := range []string{"sigma.offline Updater", "sigma.all Updater", "sigma.re Updater", "sigma.null Updater", "sigma.null Temp", "sigma.null Flag", "sigma.placeholder Temp", "sigma.dword Flag"} {
		if _, ok := def[want]; !ok {
			t.Errorf("default options: no %s", want)
		}
	}
	if len(def) != 8 {
		t.Errorf("default options: %d findings, want 8: %v", len(def), keys(def))
	}
	f := def["sigma.offline Updater"]
	if f.Severity != report.High || f.Title != "Rule offline" || strings.Join(f.Attack, ",") != "T1547.001" ||
		!strings.Contains(f.Detail, "author Tester") || !strings.Contains(f.Detail, "https://example.org/offline") || f.Key != `\Microsoft\Windows\CurrentVersion\Run` {
		t.Errorf("offline finding = %+v", f)
	}
	wu := got(Options{WriterUnknown: true})
	g, ok := wu["sigma.image-filter Updater"]
	if !ok || g.Severity != report.Medium || !strings.Contains(g.Detail, "Writer unknown") {
		t.Errorf("writer-unknown: image-filter finding = %+v (present %v), want medium, writer unknown", g, ok)
	}
	if len(got(Options{MinLevel: report.High})) != 1 {
		t.Errorf("MinLevel high: want only the offline rule")
	}
	if n := len(got(Options{Status: []string{"stable"}})); n != 0 {
		t.Errorf("status stable: %d findings, want 0 (every rule is test)", n)
	}
}

func keys[V any](m map[string]V) []string { return sortedKeys(m) }

func TestMerge(t *testing.T) {
	v := report.ValueName("Updater")
	fs := []report.Finding{
		{Analyzer: "runkeys", Rule: "runkeys.temp", Severity: report.Medium, Host: "h", Hive: "SOFTWARE", Key: `\Run`, Value: v, Attack: []string{"T1547.001"}, Detail: "native."},
		{Analyzer: Name, Rule: "sigma.x", Title: "X", Severity: report.High, Host: "h", Hive: "SOFTWARE", Key: `\run`, Value: v, Attack: []string{"T1112"}, Detail: "sigma."},
		{Analyzer: Name, Rule: "sigma.y", Severity: report.Low, Host: "h", Hive: "SOFTWARE", Key: `\Other`, Value: v},
	}
	out := Merge(fs)
	if len(out) != 2 {
		t.Fatalf("Merge: %d findings, want 2: %+v", len(out), out)
	}
	n := out[0]
	if n.Analyzer != "runkeys" || n.Severity != report.High || strings.Join(n.Attack, ",") != "T1547.001,T1112" || !strings.Contains(n.Detail, "Also matched by sigma.x") {
		t.Errorf("merged = %+v", n)
	}
	if out[1].Rule != "sigma.y" {
		t.Errorf("unmatched sigma finding lost: %+v", out[1])
	}
}
