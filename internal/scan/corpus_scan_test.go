package scan

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/report"
)

var (
	corpusOnce   sync.Once
	corpusReport *report.Report
	corpusErr    error
)

// scanCorpus scans the whole corpus once for the tests that judge it.
func scanCorpus(t *testing.T) (string, *report.Report) {
	t.Helper()
	dir := corpus.Dir(t)
	corpusOnce.Do(func() {
		corpusReport, corpusErr = Run(context.Background(), Options{Paths: []string{dir}, Analyzers: analyzers.All()})
	})
	if corpusErr != nil {
		t.Fatal(corpusErr)
	}
	return dir, corpusReport
}

// Scanning the whole corpus of real hives end to end (discovery, log replay,
// every analyzer, deleted records): no panic, every hive identified, and
// nothing above low except the findings listed here, each deserved.
func TestScanWholeCorpus(t *testing.T) {
	dir, r := scanCorpus(t)
	deserved := map[string]string{
		// AccessData FTK Imager run live loads its driver from the user's Temp:
		// a kernel driver from a user-writable folder is exactly what the rule is for.
		"SYSTEM_B|service.driver-location|\\ControlSet001\\Services\\ad_driver": "FTK Imager driver from Temp",
		// moyix's XP test image loads a driver from a user's Desktop.
		"corrupted_system_hive|service.driver-location|\\ControlSet001\\Services\\msdirectx": "driver from a Desktop folder",
		// VMware Tools upgrade replacing a driver at the next boot.
		"SYSTEM_WIN_10_1709|pending.system-binary|\\ControlSet001\\Control\\Session Manager": "driver replaced at boot",
		// Anaconda and Chocolatey folders under ProgramData in the system Path.
		"SYSTEM_WIN_10_1709|environment.path-user-writable|\\ControlSet001\\Control\\Session Manager\\Environment": "user-writable Path entries",
		// PsExec ran on that machine.
		"SYSTEM|service.remote-exec|\\ControlSet001\\services\\PSEXESVC": "PsExec service",
		"SYSTEM|service.remote-exec|\\ControlSet002\\services\\PSEXESVC": "PsExec service",
		// conda's AutoRun hook runs a script from a user's profile in every cmd.exe.
		"ntuser_software_partial|cmdautorun.autorun|\\Microsoft\\Command Processor": "machine-wide AutoRun into a user profile",
		// regipy's Windows 7 SYSTEM sets WDigest UseLogonCredential = 1: clear-text
		// passwords in LSASS (Windows 7's own behaviour, so medium there, not high).
		"SYSTEM|credentials.wdigest-cleartext|\\ControlSet001\\Control\\SecurityProviders\\WDigest": "WDigest clear-text credentials",
		// moyix's XP image has Windows Firewall off for the standard profile.
		"corrupted_system_hive|hardening.firewall-off|\\ControlSet001\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\StandardProfile": "firewall off",
	}
	var unexpected []string
	seen := map[string]bool{}
	for _, f := range r.Findings {
		if f.Severity <= report.Low {
			continue
		}
		keys := []string{f.Key} // a finding merged across control sets stands for each of them
		for _, cs := range f.ControlSets {
			keys = append(keys, cs.Key)
		}
		for _, key := range keys {
			id := filepath.Base(f.Hive) + "|" + f.Rule + "|" + key
			seen[id] = true
			if _, ok := deserved[id]; !ok {
				unexpected = append(unexpected, f.Severity.String()+" "+id+" "+f.Title)
			}
		}
	}
	sort.Strings(unexpected)
	for _, u := range unexpected {
		t.Errorf("finding above low not known to be deserved: %s", u)
	}
	for id := range deserved {
		if !seen[id] {
			t.Errorf("expected finding no longer reported: %s", id)
		}
	}
	// Every real hive gets the kind the manifest gives it, and the manifest's
	// "other" hives get the kind Windows has for them (listed here, with the
	// evidence that decides) or are UNKNOWN, each UNKNOWN one a problem.
	otherKinds := map[string]string{
		"EricZimmerman__Registry/Registry.Test/Hives/BCD":                       "BCD",  // root keys Description, Objects
		"mkorman90__regipy/regipy_tests/data/BCD":                               "BCD",  // root keys Description, Objects
		"AndrewRathbun__DFIRArtifactMuseum/Windows/Registry/Win11/BCD-Template": "BCD",  // root keys, embedded name ...config\BCD-Template
		"AndrewRathbun__DFIRArtifactMuseum/Windows/Registry/Win11/BBI":          "BBI",  // embedded name \SystemRoot\System32\Config\BBI
		"AndrewRathbun__DFIRArtifactMuseum/Windows/Registry/Win11/ELAM":         "ELAM", // embedded name C:\Windows\system32\Config\Elam
		"mkorman90__regipy/regipy_tests/data/ntuser_software_partial":           "SOFTWARE",
		// hivex's template hives carry the embedded name of a DEFAULT hive.
		"libguestfs__hivex/images/minimal":             "DEFAULT",
		"libguestfs__hivex/images/rlenvalue_test_hive": "DEFAULT",
	}
	kinds := map[string]string{}
	for _, in := range r.Inputs {
		kinds[filepath.ToSlash(in.Path)] = in.Kind
	}
	undecided := map[string]bool{}
	for _, p := range r.Problems {
		if strings.Contains(p.Message, "hive kind could not be decided") {
			undecided[filepath.ToSlash(p.Path)] = true
		}
	}
	for _, e := range corpus.Manifest(t) {
		want := e.Kind
		switch {
		case want == "other" && strings.HasPrefix(e.Notes, "regf ") && strings.Contains(e.Notes, " primary"):
			want = otherKinds[e.Path]
			if want == "" {
				want = "UNKNOWN"
			}
		case want == "other", strings.HasPrefix(want, "LOG"), strings.HasPrefix(want, "disk"), want == "ntfs-partition":
			continue
		}
		p := filepath.ToSlash(filepath.Join(dir, e.Path))
		got, ok := kinds[p]
		if !ok {
			// Hives too damaged to read are problems, not inputs of a kind.
			if !strings.Contains(e.Notes, "corrupt") && want != "UNKNOWN" {
				t.Errorf("%s (%s) not among the inputs", e.Path, e.Kind)
			}
			continue
		}
		if got != want && !(got == "UNKNOWN" && strings.Contains(e.Notes, "corrupt")) {
			t.Errorf("%s: kind %s, want %s", e.Path, got, want)
		}
		if got == "UNKNOWN" && !undecided[p] {
			t.Errorf("%s: UNKNOWN kind but no problem says so", e.Path)
		}
	}
	for _, a := range r.Analyzers {
		if a.Status == report.Failed && !strings.Contains(a.Reason, "corrupted_system_hive") {
			t.Errorf("analyzer %s failed on %s: %s", a.Name, a.Host, a.Reason)
		}
	}
	for _, p := range r.Problems {
		if strings.Contains(p.Message, "panic") {
			t.Errorf("panic: %+v", p)
		}
	}
	if r.Summary.Hives < 140 {
		t.Errorf("only %d inputs from the corpus", r.Summary.Hives)
	}
}
