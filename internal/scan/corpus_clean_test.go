package scan

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/report"
)

// Every clean real hive of the corpus (Windows XP, 7, 8.1, 10 and the
// Windows 11 DFIRArtifactMuseum set), live and deleted records alike, gives
// no high or critical finding but the ones listed here, each deserved; and
// every finding on deleted data carries its confidence.
func TestCorpusNoHighOnCleanHives(t *testing.T) {
	_, r := scanCorpus(t)
	allowed := map[string]string{
		// AccessData FTK Imager run live loads its driver from the user's Temp.
		"SYSTEM_B|service.driver-location|\\ControlSet001\\Services\\ad_driver": "FTK Imager's ad_driver.sys loaded from a Temp folder",
		// moyix's XP test image loads a driver from a user's Desktop.
		"corrupted_system_hive|service.driver-location|\\ControlSet001\\Services\\msdirectx": "a driver loaded from moyix's Desktop",
		// The VMware Tools upgrade replaces a driver at the next boot.
		"SYSTEM_WIN_10_1709|pending.system-binary|\\ControlSet001\\Control\\Session Manager": "a pending VMware driver replacement",
	}
	var unexpected []string
	for _, f := range r.Findings {
		if f.Deleted && f.Confidence == "" {
			t.Errorf("deleted finding without confidence: %s %s %s", f.Rule, f.Hive, f.Key)
		}
		if f.Severity < report.High {
			continue
		}
		id := filepath.Base(f.Hive) + "|" + f.Rule + "|" + f.Key
		if _, ok := allowed[id]; !ok {
			unexpected = append(unexpected, f.Severity.String()+" "+id+" "+f.Title)
		}
	}
	sort.Strings(unexpected)
	for _, u := range unexpected {
		t.Errorf("high or critical finding on a clean real hive: %s", u)
	}
	// The Windows 11 set is among what was scanned.
	win11 := 0
	for _, in := range r.Inputs {
		if strings.Contains(filepath.ToSlash(in.Path), "DFIRArtifactMuseum/Windows/Registry/Win11/") {
			win11++
		}
	}
	if win11 < 5 {
		t.Errorf("only %d inputs from the Windows 11 set", win11)
	}
}
