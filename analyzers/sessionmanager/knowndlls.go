package sessionmanager

import (
	"embed"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/checks"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// KnownDLLs compares the KnownDLLs list with the one Windows ships.
var KnownDLLs = &analysis.Analyzer{
	Name: "knowndlls",
	Doc: `KnownDLLs: the system DLLs smss.exe maps at boot and the DLL search settings
smss.exe maps every DLL named in Session Manager\KnownDLLs from DllDirectory
(System32) into \KnownDlls at boot; processes then take those DLLs from there
and never search the disk for them. The list is compared with the one the
Windows version ships (baselines read from real hives, see
analyzers/sessionmanager/baselines). A DLL removed from the list, or named in
ExcludeFromKnownDlls, is again searched for in the program's folder, which
opens DLL search-order hijacking; a changed DllDirectory makes every process
load its core DLLs from elsewhere. SafeDllSearchMode = 0 puts the current
directory before System32 in the DLL search order.`,
	Needs:  []hive.Kind{hive.KindSystem},
	Attack: []string{"T1574.001"},
	Run:    runKnownDLLs,
}

//go:embed knowndlls.yaml
var knownDLLsYAML []byte

// knownDLLsTable holds SafeDllSearchMode.
var knownDLLsTable = checks.MustParsePart("knowndlls", "analyzers/sessionmanager/knowndlls.yaml", knownDLLsYAML)

//go:embed baselines/knowndlls/*.txt
var knownDLLFiles embed.FS

// knownDLLBaseline is the KnownDLLs list of one Windows version.
type knownDLLBaseline struct {
	name string          // "Windows 10"
	dlls map[string]bool // lower-case file names
}

var (
	knownDLLVersions = []struct {
		file, name    string
		minBuild, end int // builds [minBuild, end)
	}{
		{"nt4.txt", "Windows NT 4.0", 1, 2195},
		{"winxp.txt", "Windows XP", 2195, 6000},
		{"win7.txt", "Windows 7", 7600, 7602},
		{"win8.1.txt", "Windows 8.1", 9600, 9601},
		{"win10.txt", "Windows 10", 10240, 22000},
	}
	knownDLLLists = loadKnownDLLLists()
	wow64DLLs     = readDLLList("wow64.txt")
)

func loadKnownDLLLists() []knownDLLBaseline {
	var out []knownDLLBaseline
	for _, v := range knownDLLVersions {
		out = append(out, knownDLLBaseline{name: v.name, dlls: readDLLList(v.file)})
	}
	return out
}

// readDLLList reads one embedded list; a missing file is a build error
// caught by the tests, so it panics.
func readDLLList(file string) map[string]bool {
	b, err := knownDLLFiles.ReadFile("baselines/knowndlls/" + file)
	if err != nil {
		panic(err)
	}
	m := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.ToLower(strings.TrimSpace(line))
		if line != "" && !strings.HasPrefix(line, "#") {
			m[line] = true
		}
	}
	return m
}

// knownDLLExpectation says which DLLs are expected and which required.
type knownDLLExpectation struct {
	about    string          // for details: "the Windows 10 list"
	allowed  map[string]bool // DLLs that may appear
	required map[string]bool // DLLs that must appear
	exact    bool            // one version's list was used
}

func expectationFor(build int) knownDLLExpectation {
	for i, v := range knownDLLVersions {
		if build >= v.minBuild && build < v.end {
			l := knownDLLLists[i]
			allowed := map[string]bool{}
			for d := range l.dlls {
				allowed[d] = true
			}
			for d := range wow64DLLs {
				allowed[d] = true
			}
			return knownDLLExpectation{about: "the " + l.name + " list (build " + strconv.Itoa(build) + ")", allowed: allowed, required: l.dlls, exact: true}
		}
	}
	if build != 0 {
		// No list for this build: the list of its family's nearest
		// release (Vista takes 7's, 8.0 takes 8.1's, 11 takes 10's), said so.
		fam, _ := analysis.FamilyOfBuild(build)
		file := map[analysis.Family]string{analysis.FamNT4: "nt4.txt", analysis.Fam2000: "winxp.txt", analysis.FamXP: "winxp.txt", analysis.FamVista: "win7.txt", analysis.Fam8: "win8.1.txt", analysis.Fam10: "win10.txt"}[fam]
		best := 0
		for i, v := range knownDLLVersions {
			if v.file == file {
				best = i
			}
		}
		ex := expectationFor(knownDLLVersions[best].minBuild)
		ex.about = fmt.Sprintf("the %s list, the nearest version's (there is no list for build %d)", knownDLLLists[best].name, build)
		ex.exact = false
		return ex
	}
	ex := knownDLLExpectation{allowed: map[string]bool{}, required: map[string]bool{}}
	ex.about = "any Windows version's list (the Windows build is unknown)"
	for d := range wow64DLLs {
		ex.allowed[d] = true
	}
	for i, l := range knownDLLLists {
		for d := range l.dlls {
			ex.allowed[d] = true
			if i == 0 {
				ex.required[d] = true
			}
		}
		for d := range ex.required {
			if !l.dlls[d] {
				delete(ex.required, d)
			}
		}
	}
	return ex
}

func runKnownDLLs(p *analysis.Pass) error {
	env := p.Env(nil)
	ex := expectationFor(familyBuild(p.Version()))
	var out []report.Finding
	err := p.EachSessionManager(func(e *hive.Entry, cs hive.ControlSet, sm *hive.Key) error {
		fs, err := searchSettings(e, cs, sm)
		out = append(out, fs...)
		p.Problem(err)
		kd, ok, err := analysis.OptionalKey(sm, "KnownDLLs")
		if !ok {
			return err
		}
		vals, err := kd.Values()
		present := map[string]bool{}
		for _, v := range vals {
			out = append(out, knownDLLEntry(e, cs, kd, v, ex, env, present)...)
		}
		var missing []string
		for d := range ex.required {
			if !present[d] {
				missing = append(missing, d)
			}
		}
		sort.Strings(missing)
		for _, d := range missing {
			f := analysis.InSet(analysis.At(e, kd), cs)
			f.Rule, f.Severity, f.Data = "knowndlls.missing", report.Medium, d
			f.Attack = []string{"T1574.001"}
			f.Title = d + " is missing from KnownDLLs"
			f.Detail = fmt.Sprintf("%s is in %s but not in this KnownDLLs key, so Windows no longer takes it from \\KnownDlls: programs load it by the normal search order, starting with their own folder, where a planted copy wins (DLL search-order hijacking). Look for %s outside System32 and SysWOW64 (program folders, user-writable folders) and check when the key was last written.", d, ex.about, d)
			out = append(out, f)
		}
		return err
	})
	p.Report(out...)
	return errors.Join(err, checks.Run(p, knownDLLsTable))
}

// knownDLLEntry judges one value of the KnownDLLs key and records the DLL
// it names in present.
func knownDLLEntry(e *hive.Entry, cs hive.ControlSet, kd *hive.Key, v *hive.Value, ex knownDLLExpectation, env winpath.Env, present map[string]bool) []report.Finding {
	s, err := v.Text()
	if err != nil {
		return nil
	}
	f := analysis.SMValue(e, cs, kd, v)
	switch strings.ToLower(v.Name()) {
	case "dlldirectory", "dlldirectory32":
		want := `%SystemRoot%\system32`
		if strings.EqualFold(v.Name(), "DllDirectory32") {
			want = `%SystemRoot%\syswow64`
		}
		if analysis.SamePath(s, want, env) {
			return nil
		}
		f.Rule, f.Severity = "knowndlls.dlldirectory", report.Critical
		f.Attack = []string{"T1574.001"}
		f.Title = fmt.Sprintf("KnownDLLs %s points to %s instead of %s", v.Name(), s, want)
		f.Detail = fmt.Sprintf("smss.exe opens every KnownDLL from %s, so every process on the machine would take kernel32.dll, user32.dll and the other KnownDLLs from %s. Collect that folder and compare its DLLs with System32.", v.Name(), env.Expand(s))
		return []report.Finding{f}
	}
	name := strings.ToLower(strings.TrimSpace(s))
	present[name] = true
	if strings.ContainsAny(name, `\/:`) {
		f.Rule, f.Severity = "knowndlls.path", report.High
		f.Attack = []string{"T1574.001"}
		f.Title = "KnownDLLs entry " + v.Name() + " carries a path: " + s
		f.Detail = fmt.Sprintf("KnownDLLs entries are plain file names that smss.exe opens in DllDirectory (System32); \"%s\" reaches outside it. Collect the file it names and the DLL processes would otherwise load.", s)
		analysis.Assessed(&f, winpath.AssessPath(`%SystemRoot%\system32\`+s, env))
		return []report.Finding{f}
	}
	if ex.allowed[name] {
		return nil
	}
	f.Rule, f.Severity = "knowndlls.unknown", report.Medium
	f.Attack = []string{"T1574.001"}
	f.Title = fmt.Sprintf("KnownDLLs names %s, which %s does not", s, ex.about)
	f.Detail = fmt.Sprintf("smss.exe will map %%SystemRoot%%\\System32\\%s into \\KnownDlls at boot and every process that loads %s takes that copy. Windows does not ship this entry; collect System32\\%s, check its signature and find what added the entry (the key's last-write time).", s, s, s)
	for _, l := range knownDLLLists {
		if l.dlls[name] {
			f.Severity = report.Low
			f.Detail += " " + l.name + " lists it, so the host may have been upgraded from that version."
			break
		}
	}
	return []report.Finding{f}
}

// searchSettings reports ExcludeFromKnownDlls, SafeDllSearchMode and
// CWDIllegalInDllSearch of a Session Manager key.
func searchSettings(e *hive.Entry, cs hive.ControlSet, sm *hive.Key) ([]report.Finding, error) {
	var out []report.Finding
	var errs []error
	v, ok, err := analysis.OptionalValue(sm, "ExcludeFromKnownDlls")
	errs = append(errs, err)
	if ok {
		lines, err := analysis.ValueLines(v)
		errs = append(errs, err)
		for _, d := range lines {
			f := analysis.SMValue(e, cs, sm, v)
			f.Data = d
			f.Rule, f.Severity = "knowndlls.excluded", report.High
			f.Attack = []string{"T1574.001"}
			f.Title = d + " is excluded from KnownDLLs"
			f.Detail = fmt.Sprintf("ExcludeFromKnownDlls makes Windows drop %s from \\KnownDlls, so programs search for it again starting with their own folder: a planted copy next to any program is loaded instead (DLL search-order hijacking). Look for %s outside System32 and SysWOW64.", d, d)
			out = append(out, f)
		}
	}
	n, v, ok, err := analysis.Uint(sm, "CWDIllegalInDllSearch")
	errs = append(errs, err)
	if ok && n != 0 {
		f := analysis.SMValue(e, cs, sm, v)
		f.Rule, f.Severity = "knowndlls.cwdillegal", report.Info
		f.Title = "CWDIllegalInDllSearch restricts loading DLLs from the current directory"
		meaning := map[uint64]string{1: "when it is a WebDAV folder", 2: "when it is a remote (WebDAV or SMB) folder", 0xffffffff: "always"}[n]
		if meaning == "" {
			meaning = fmt.Sprintf("per the bit mask %#x", n)
		}
		f.Detail = "Windows removes the current directory from the DLL search order " + meaning + " (the hardening of Microsoft advisory 2269637). This limits DLL planting through documents opened from shares; nothing to collect."
		out = append(out, f)
	}
	return out, errors.Join(errs...)
}

// familyBuild returns v's build, or for a host whose family is known
// without a build (a SYSTEM hive alone), that family's usual build.
func familyBuild(v analysis.WinVersion) int {
	if v.Build != 0 {
		return v.Build
	}
	return map[analysis.Family]int{analysis.FamNT4: 1381, analysis.Fam2000: 2195, analysis.FamXP: 2600, analysis.FamVista: 7601, analysis.Fam8: 9600, analysis.Fam10: 19041}[v.Family]
}
