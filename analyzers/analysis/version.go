package analysis

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/hivescan/hivescan/hive"
)

// winFamily is a group of Windows releases that share their defaults.
type Family string

const (
	FamNT4   Family = "nt4"   // Windows NT 4.0 (and the NT 3.x releases, the nearest)
	Fam2000  Family = "2000"  // Windows 2000
	FamXP    Family = "xp"    // XP, Server 2003
	FamVista Family = "vista" // Vista, 7, Server 2008 and 2008 R2
	Fam8     Family = "8"     // 8, 8.1, Server 2012 and 2012 R2
	Fam10    Family = "10"    // 10, 11, Server 2016 to 2025
)

// winVersion is the Windows release of a host as its hives tell it.
type WinVersion struct {
	Version string // CurrentVersion, "6.3"; "" when unknown
	Build   int    // CurrentBuildNumber; 0 when unknown
	Family  Family // "" when nothing tells
	From    string // where it was read, for details
	Guessed bool   // Family is the nearest one, not read directly
}

// about describes v for a finding's detail.
func (v WinVersion) About() string {
	switch {
	case v.Family == "":
		return "the Windows version is unknown"
	case v.Guessed:
		return fmt.Sprintf("the Windows version is taken as %s, the nearest known one (%s)", v.Family.Name(), v.From)
	}
	return fmt.Sprintf("Windows %s (%s)", v.Family.Name(), v.From)
}

func (f Family) Name() string {
	return map[Family]string{FamNT4: "NT 4.0", Fam2000: "2000", FamXP: "XP/2003", FamVista: "Vista/7/2008", Fam8: "8/8.1/2012", Fam10: "10/11/2016-2025"}[f]
}

// hostVersion works out the host's Windows version family from what
// hive.Set.Info read once (SOFTWARE Microsoft\Windows NT\CurrentVersion:
// CurrentBuildNumber or CurrentBuild, CurrentVersion, "10.0" for Windows 10
// and later) and, without a SOFTWARE hive, from what the SYSTEM hive implies
// (NT 4.0's spooler image, spoolss.exe). Analyzers learn it from their Pass
// (Host.Version), which calls this once per host.
func hostVersion(set *hive.Set) WinVersion {
	info := set.Info()
	v := WinVersion{Version: info.Version}
	if n, err := strconv.Atoi(info.Build); err == nil {
		v.Build = n
	}
	switch {
	case v.Build > 0:
		v.Family, v.Guessed = FamilyOfBuild(v.Build)
		v.From = fmt.Sprintf("build %d in SOFTWARE", v.Build)
	case v.Version != "":
		v.Family, v.Guessed = familyOfVersion(v.Version)
		v.From = "CurrentVersion " + v.Version + " in SOFTWARE"
	default:
		if systemLooksNT4(set) {
			v.Family, v.Guessed = FamNT4, true
			v.From = "no SOFTWARE hive; the SYSTEM hive's Spooler runs spoolss.exe, as only NT 4.0 does"
		}
	}
	return v
}

// familyOfBuild maps a build number to its family; guessed is true for
// builds no release of the family has (the nearest family is returned).
func FamilyOfBuild(b int) (Family, bool) {
	switch {
	case b <= 1381:
		return FamNT4, b != 1381
	case b < 2195:
		return Fam2000, true
	case b == 2195:
		return Fam2000, false
	case b < 6000:
		return FamXP, b != 2600 && b != 3790
	case b < 9200:
		return FamVista, b < 6000 || b > 7601
	case b < 10240:
		return Fam8, b != 9200 && b != 9600
	}
	return Fam10, false
}

func familyOfVersion(s string) (Family, bool) {
	var ma, mi int
	if _, err := fmt.Sscanf(s, "%d.%d", &ma, &mi); err != nil {
		return "", false
	}
	switch {
	case ma < 4:
		return FamNT4, true
	case ma == 4:
		return FamNT4, false
	case ma == 5 && mi == 0:
		return Fam2000, false
	case ma == 5:
		return FamXP, false
	case ma == 6 && mi < 2:
		return FamVista, false
	case ma == 6:
		// 6.3 is also what Windows 10 and 11 report without a build.
		return Fam8, false
	}
	return Fam10, false
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
		if val, ok, _ := OptionalValue(k, "ImagePath"); ok {
			s, _ := val.Text() // a hint only: an unreadable path says "not NT 4"
			return strings.HasSuffix(strings.ToLower(strings.TrimSpace(s)), `\spoolss.exe`)
		}
	}
	return false
}

//go:embed baselines/windows.tsv
var windowsTSV string

// BaselineRow is one known-good entry of baselines/windows.tsv.
type BaselineRow struct {
	Area, Name, Value, Source string
	Family                    Family // "*" for every family
}

var windowsBaseline = parseBaseline(windowsTSV)

func parseBaseline(text string) []BaselineRow {
	var out []BaselineRow
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			panic("baselines/windows.tsv: want 5 tab-separated fields: " + line) // caught by the tests
		}
		out = append(out, BaselineRow{Area: f[0], Family: Family(f[1]), Name: strings.ToLower(f[2]), Value: strings.ToLower(f[3]), Source: f[4]})
	}
	return out
}

// Baseline returns the rows of area that apply to v's family; when the
// family is unknown, every family's rows, so that a host whose version
// cannot be read is not flagged for another version's normal state.
func (v WinVersion) Baseline(area string) []BaselineRow {
	var out []BaselineRow
	for _, r := range windowsBaseline {
		if r.Area == area && (r.Family == "*" || r.Family == v.Family || v.Family == "") {
			out = append(out, r)
		}
	}
	return out
}

// genuineFiles returns the Genuine map of winpath.Env for v.
func (v WinVersion) GenuineFiles() map[string][]string {
	m := map[string][]string{}
	for _, r := range v.Baseline("genuine") {
		m[r.Name] = append(m[r.Name], r.Value)
	}
	return m
}
