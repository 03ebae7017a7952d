package analyzers

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/hivescan/hivescan/hive"
)

// winFamily is a group of Windows releases that share their defaults.
type winFamily string

const (
	famNT4   winFamily = "nt4"   // Windows NT 4.0 (and the NT 3.x releases, the nearest)
	fam2000  winFamily = "2000"  // Windows 2000
	famXP    winFamily = "xp"    // XP, Server 2003
	famVista winFamily = "vista" // Vista, 7, Server 2008 and 2008 R2
	fam8     winFamily = "8"     // 8, 8.1, Server 2012 and 2012 R2
	fam10    winFamily = "10"    // 10, 11, Server 2016 to 2025
)

// winVersion is the Windows release of a host as its hives tell it.
type winVersion struct {
	Version string    // CurrentVersion, "6.3"; "" when unknown
	Build   int       // CurrentBuildNumber; 0 when unknown
	Family  winFamily // "" when nothing tells
	From    string    // where it was read, for details
	Guessed bool      // Family is the nearest one, not read directly
}

// about describes v for a finding's detail.
func (v winVersion) about() string {
	switch {
	case v.Family == "":
		return "the Windows version is unknown"
	case v.Guessed:
		return fmt.Sprintf("the Windows version is taken as %s, the nearest known one (%s)", v.Family.name(), v.From)
	}
	return fmt.Sprintf("Windows %s (%s)", v.Family.name(), v.From)
}

func (f winFamily) name() string {
	return map[winFamily]string{famNT4: "NT 4.0", fam2000: "2000", famXP: "XP/2003", famVista: "Vista/7/2008", fam8: "8/8.1/2012", fam10: "10/11/2016-2025"}[f]
}

// hostVersion works out the host's Windows version family from what
// hive.Set.Info read once (SOFTWARE Microsoft\Windows NT\CurrentVersion:
// CurrentBuildNumber or CurrentBuild, CurrentVersion, "10.0" for Windows 10
// and later) and, without a SOFTWARE hive, from what the SYSTEM hive implies
// (NT 4.0's spooler image, spoolss.exe). Analyzers learn it from their Pass
// (Host.Version), which calls this once per host.
func hostVersion(set *hive.Set) winVersion {
	info := set.Info()
	v := winVersion{Version: info.Version}
	if n, err := strconv.Atoi(info.Build); err == nil {
		v.Build = n
	}
	switch {
	case v.Build > 0:
		v.Family, v.Guessed = familyOfBuild(v.Build)
		v.From = fmt.Sprintf("build %d in SOFTWARE", v.Build)
	case v.Version != "":
		v.Family, v.Guessed = familyOfVersion(v.Version)
		v.From = "CurrentVersion " + v.Version + " in SOFTWARE"
	default:
		if systemLooksNT4(set) {
			v.Family, v.Guessed = famNT4, true
			v.From = "no SOFTWARE hive; the SYSTEM hive's Spooler runs spoolss.exe, as only NT 4.0 does"
		}
	}
	return v
}

// familyOfBuild maps a build number to its family; guessed is true for
// builds no release of the family has (the nearest family is returned).
func familyOfBuild(b int) (winFamily, bool) {
	switch {
	case b <= 1381:
		return famNT4, b != 1381
	case b < 2195:
		return fam2000, true
	case b == 2195:
		return fam2000, false
	case b < 6000:
		return famXP, b != 2600 && b != 3790
	case b < 9200:
		return famVista, b < 6000 || b > 7601
	case b < 10240:
		return fam8, b != 9200 && b != 9600
	}
	return fam10, false
}

func familyOfVersion(s string) (winFamily, bool) {
	var ma, mi int
	if _, err := fmt.Sscanf(s, "%d.%d", &ma, &mi); err != nil {
		return "", false
	}
	switch {
	case ma < 4:
		return famNT4, true
	case ma == 4:
		return famNT4, false
	case ma == 5 && mi == 0:
		return fam2000, false
	case ma == 5:
		return famXP, false
	case ma == 6 && mi < 2:
		return famVista, false
	case ma == 6:
		// 6.3 is also what Windows 10 and 11 report without a build.
		return fam8, false
	}
	return fam10, false
}

// systemLooksNT4 reports whether the current control set's Spooler service
// runs spoolss.exe, the NT 4.0 spooler.
func systemLooksNT4(set *hive.Set) bool {
	sys := set.System()
	if sys == nil {
		return false
	}
	sets, _ := sys.ControlSets() // no control set: nothing tells
	for _, cs := range sets {
		if !cs.IsCurrent() && len(sets) > 1 {
			continue
		}
		k, err := cs.Key.Key(`Services\Spooler`)
		if err != nil {
			continue
		}
		if val, ok, _ := optionalValue(k, "ImagePath"); ok {
			s, _ := val.Text()
			return strings.HasSuffix(strings.ToLower(strings.TrimSpace(s)), `\spoolss.exe`)
		}
	}
	return false
}

//go:embed baselines/windows.tsv
var windowsTSV string

// baselineRow is one known-good entry of baselines/windows.tsv.
type baselineRow struct {
	area, name, value, source string
	family                    winFamily // "*" for every family
}

var windowsBaseline = parseBaseline(windowsTSV)

func parseBaseline(text string) []baselineRow {
	var out []baselineRow
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			panic("baselines/windows.tsv: want 5 tab-separated fields: " + line) // caught by the tests
		}
		out = append(out, baselineRow{area: f[0], family: winFamily(f[1]), name: strings.ToLower(f[2]), value: strings.ToLower(f[3]), source: f[4]})
	}
	return out
}

// baseline returns the rows of area that apply to v's family.
func (v winVersion) baseline(area string) []baselineRow {
	var out []baselineRow
	for _, r := range windowsBaseline {
		if r.area == area && (r.family == "*" || r.family == v.Family) {
			out = append(out, r)
		}
	}
	return out
}

// genuineFiles returns the Genuine map of winpath.Env for v.
func (v winVersion) genuineFiles() map[string][]string {
	m := map[string][]string{}
	for _, r := range v.baseline("genuine") {
		m[r.name] = append(m[r.name], r.value)
	}
	return m
}
