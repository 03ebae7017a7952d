package services

import (
	"context"
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

func TestSvchostGroupOf(t *testing.T) {
	for _, tc := range []struct {
		cmd, group string
		ok         bool
	}{
		{`%SystemRoot%\system32\svchost.exe -k netsvcs -p`, "netsvcs", true},
		{`C:\Windows\System32\svchost.exe -k LocalServiceNetworkRestricted -p -s WinHttpAutoProxySvc`, "LocalServiceNetworkRestricted", true},
		{`"C:\Windows\System32\SVCHOST.EXE" /K DcomLaunch`, "DcomLaunch", true},
		{`%SystemRoot%\system32\svchost.exe`, "", false},
		{`svchost.exe -k`, "", false},
		{`"C:\Program Files\Acme\svc.exe" -k netsvcs`, "", false},
		{``, "", false},
	} {
		g, ok := svchostGroupOf(tc.cmd)
		if g != tc.group || ok != tc.ok {
			t.Errorf("%q: got %q %v, want %q %v", tc.cmd, g, ok, tc.group, tc.ok)
		}
	}
}

// A service in an undefined group is reported once, from the current
// control set, though both sets hold it; a leftover group entry names every
// missing service in one finding.
func TestSvchostControlSets(t *testing.T) {
	sys, sw := samples.System("PC", [4]uint32{2, 2, 1, 0}, 1, 2), samples.Software()
	samples.Set(sw.Root, svchostKey, hivetest.MultiSZ("NetworkService", "Dnscache", "Nla", "Ias"), hivetest.MultiSZ("netsvcs", "Ias"))
	samples.Set(sw.Root, svchostKey+`\netsvcs`, hivetest.DWORD("CoInitializeSecurityParam", 1))
	for _, n := range []string{"ControlSet001", "ControlSet002"} {
		samples.Set(samples.At(sys.Root, n), `Services\UpdSvc`, ownProcess(`%SystemRoot%\system32\svchost.exe -k updgroup`)...)
	}
	samples.Set(samples.At(sys.Root, "ControlSet001"), `Services\Nla`, svchostService()...) // installed in one set: not missing
	fs := analysistest.Run(t, Svchost, analysistest.HostOf(t, "h", sys, sw))
	var got []string
	for _, f := range fs {
		got = append(got, f.Severity.String()+" "+f.Rule+" "+f.ControlSet+" "+f.Title)
	}
	want := []string{
		"medium svchost.unknown-group ControlSet002 Service UpdSvc runs in svchost group updgroup, which Svchost does not define",
		"low svchost.group-missing-service  Svchost group NetworkService lists 1 service(s) that are not installed",
		"low svchost.group-missing-service  Svchost group netsvcs lists 1 service(s) that are not installed",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(fs[1].Detail, "lists Ias,") || fs[0].Severity != report.Medium {
		t.Errorf("detail %q", fs[1].Detail)
	}
}

// The services analyzer's ServiceDll rule names the svchost group that
// loads the DLL, and says when no svchost loads it.
func TestServiceDllNamesGroup(t *testing.T) {
	for _, tc := range []struct {
		image, want string
	}{
		{`%SystemRoot%\system32\svchost.exe -k netsvcs -p`, "svchost.exe -k netsvcs loads its service DLL"},
		{`"C:\Program Files\Acme\svc.exe"`, "the DLL is dormant"},
	} {
		sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
		cs := samples.At(sys.Root, "ControlSet001")
		samples.Set(cs, `Services\TestSvc`, ownProcess(tc.image)...)
		samples.Set(cs, `Services\TestSvc\Parameters`, hivetest.ExpandSZ("ServiceDll", `C:\Tools\svc.dll`))
		var found bool
		for _, f := range analysistest.Run(t, Services, analysistest.HostOf(t, "h", sys)) {
			if f.Rule == "service.servicedll" {
				found = true
				if f.Severity != report.Medium || !strings.Contains(f.Detail, tc.want) {
					t.Errorf("%s: %s %q", tc.image, f.Severity, f.Detail)
				}
			}
		}
		if !found {
			t.Errorf("%s: no service.servicedll finding", tc.image)
		}
	}
}

// TestSvchostOnCorpus runs the svchost analyzer over every corpus folder
// that holds both a SYSTEM and a SOFTWARE hive (the pairs a host would
// give), and over each SYSTEM hive alone, where it must stay silent: without
// the Svchost key nothing can be compared. Nothing may be above low; the
// counts of svchost-hosted services and groups are logged.
func TestSvchostOnCorpus(t *testing.T) {
	byDir := map[string][]corpus.Entry{}
	for _, m := range corpus.Manifest(t) {
		if m.Kind == "SYSTEM" || m.Kind == "SOFTWARE" {
			byDir[path.Dir(m.Path)] = append(byDir[path.Dir(m.Path)], m)
		}
	}
	var log []string
	pairs := 0
	for _, dir := range sortedKeysOf(byDir) {
		set := &hive.Set{Host: dir}
		kinds := map[string]bool{}
		for _, m := range byDir[dir] {
			h, err := hive.Open(corpus.Path(t, m.Path))
			if err != nil {
				continue // unreadable hives are the hive tests' concern
			}
			set.Add(&hive.Entry{Hive: h, Path: m.Path})
			kinds[m.Kind] = true
			if m.Kind == "SYSTEM" {
				log = append(log, svchostCensus(t, h, m.Path))
			}
		}
		if kinds["SYSTEM"] && kinds["SOFTWARE"] {
			pairs++
		}
		res := analysis.Run(context.Background(), set, []*analysis.Analyzer{Svchost})
		for _, f := range res.Findings {
			log = append(log, fmt.Sprintf("%s %s %s: %s", f.Severity, f.Rule, dir, f.Title))
			if f.Severity > report.Low || !(kinds["SYSTEM"] && kinds["SOFTWARE"]) {
				t.Errorf("%s: %s %s: %s", dir, f.Severity, f.Rule, f.Title)
			}
		}
	}
	t.Logf("%d SYSTEM+SOFTWARE pairs\n%s", pairs, strings.Join(log, "\n"))
}

// svchostCensus counts the services of h's first control set that run in
// svchost, by group.
func svchostCensus(t *testing.T, h *hive.Hive, name string) string {
	t.Helper()
	sets, err := h.ControlSets()
	if err != nil || len(sets) == 0 {
		return fmt.Sprintf("%s: no control set (%v)", name, err)
	}
	keys, _ := analysis.Subkeys(sets[0].Key, "Services") // a census line only
	groups := map[string]int{}
	n := 0
	for _, k := range keys {
		_, img, _ := analysis.Text(k, "ImagePath")
		if g, ok := svchostGroupOf(img); ok {
			groups[strings.ToLower(g)]++
			n++
		}
	}
	return fmt.Sprintf("%s %s: %d svchost services in %d groups", name, sets[0].Name, n, len(groups))
}
