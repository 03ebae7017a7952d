package autostart

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// ShellFolders reports Startup folders moved away from their defaults.
var ShellFolders = &analysis.Analyzer{
	Name: "shellfolders",
	Doc: `Shell folders: Startup folders redirected away from their defaults
Explorer starts everything in the user's Startup folder and in the common
(all users) Startup folder at logon, and finds both through the Startup and
Common Startup values of Explorer\User Shell Folders (and the expanded copy
in Shell Folders). Pointing them at another folder makes everything in that
folder run at every logon, without any Run key. Redirection to a network
share with the standard layout (folder redirection) is reported low, other
moves high.`,
	Needs:  []hive.Kind{hive.KindSoftware, hive.KindNTUser, hive.KindDefault},
	Attack: []string{"T1547.001"},
	Run:    runShellFolders,
}

// startupTails end every default Startup folder (Vista and later; XP).
var startupTails = []string{`\microsoft\windows\start menu\programs\startup`, `\start menu\programs\startup`}

func runShellFolders(p *analysis.Pass) error {
	var out []report.Finding
	var errs []error
	type place struct {
		e     *hive.Entry
		base  string // Explorer key below the root
		value string
	}
	var places []place
	ver := p.Version()
	for _, e := range p.Set.ByKind(hive.KindSoftware) {
		places = append(places, place{e, `Microsoft\Windows\CurrentVersion\Explorer`, "Common Startup"})
	}
	for _, e := range analysis.UserHives(p.Set) {
		places = append(places, place{e, `Software\Microsoft\Windows\CurrentVersion\Explorer`, "Startup"})
	}
	for _, pl := range places {
		if err := p.Context().Err(); err != nil {
			p.Report(out...)
			return err
		}
		root, err := pl.e.Root()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", pl.e.Path, err))
			continue
		}
		env := p.Env(pl.e)
		for _, sub := range []string{"User Shell Folders", "Shell Folders"} {
			k, ok, err := analysis.OptionalKey(root, pl.base+`\`+sub)
			if !ok {
				errs = append(errs, err)
				continue
			}
			v, ok, err := analysis.OptionalValue(k, pl.value)
			if !ok {
				errs = append(errs, err)
				continue
			}
			f, ok, err := startupFolder(pl.e, k, v, env, ver)
			errs = append(errs, err)
			if ok {
				out = append(out, f)
			}
		}
	}
	p.Report(out...)
	return errors.Join(errs...)
}

// defaultStartups returns the folded default folders for a Startup value.
func defaultStartups(common bool, env winpath.Env) []string {
	vars := []string{`%APPDATA%\Microsoft\Windows\Start Menu\Programs\Startup`, `%USERPROFILE%\Start Menu\Programs\Startup`}
	if common {
		vars = []string{`%ProgramData%\Microsoft\Windows\Start Menu\Programs\Startup`, `%ALLUSERSPROFILE%\Start Menu\Programs\Startup`, `%ALLUSERSPROFILE%\Microsoft\Windows\Start Menu\Programs\Startup`}
	}
	var out []string
	for _, xp := range []bool{false, true} {
		e := env
		e.XP = xp
		for _, v := range vars {
			out = append(out, strings.ToLower(winpath.Resolve(v, e).Full))
		}
	}
	return out
}

// profileLike reports whether a folded folder lies in a profile or the
// all-users data folder, where a renamed or moved profile keeps its Startup.
func profileLike(dir string) bool {
	for _, s := range []string{`\users\`, `\documents and settings\`, `\config\systemprofile`, `\programdata`} {
		if strings.Contains(dir, s) {
			return true
		}
	}
	return false
}

// versionProfile reports whether a folded folder lies in the profile
// folder of the host's Windows family (baselines/windows.tsv, area
// profiles: NT 4.0 keeps profiles in %SystemRoot%\Profiles).
func versionProfile(dir string, env winpath.Env, ver analysis.WinVersion) bool {
	root := strings.ToLower(winpath.Resolve(`%SystemRoot%`, env).Full)
	for _, r := range ver.Baseline("profiles") {
		if root != "" && strings.HasPrefix(dir, root+`\`+r.Value+`\`) {
			return true
		}
	}
	return false
}

// startupFolder judges one Startup value; ok is false when it is a default.
func startupFolder(e *hive.Entry, k *hive.Key, v *hive.Value, env winpath.Env, ver analysis.WinVersion) (report.Finding, bool, error) {
	s, isText, err := analysis.ValueText(v)
	if s = strings.TrimSpace(s); !isText || s == "" {
		return report.Finding{}, false, err
	}
	common := strings.EqualFold(v.Name(), "Common Startup")
	p := winpath.Resolve(s, env)
	dir := strings.ToLower(p.Full)
	for _, d := range defaultStartups(common, env) {
		if dir == d {
			return report.Finding{}, false, nil
		}
	}
	standard := false
	for _, t := range startupTails {
		standard = standard || strings.HasSuffix(dir, t)
	}
	base := report.High
	var caps map[string]analysis.Cap
	why := "This folder does not have the Startup folder's layout at all: someone pointed Explorer at a folder of their choosing."
	switch {
	case standard && (profileLike(dir) || versionProfile(dir, env, ver)) && !p.UNC:
		return report.Finding{}, false, nil
	case standard && p.UNC:
		base = report.Low
		caps = map[string]analysis.Cap{"location.unc": {UpTo: report.Medium, To: report.Low}} // the share is what this case is about
		why = "The folder keeps the standard Start Menu layout on a network share, which is what Group Policy folder redirection does; confirm the share belongs to the organisation's redirection policy."
	case standard:
		base = report.Medium
		why = "The folder keeps the standard Start Menu layout outside any profile folder: a moved profile, or a copy of the layout made to look ordinary."
	}
	who := "user " + e.User
	switch {
	case common:
		who = "every user"
	case e.Kind() == hive.KindDefault:
		who = "the LocalSystem profile"
	case e.User == "":
		who = "the owner of this hive"
	}
	a := winpath.AssessPath(p.Full+`\desktop.ini`, env)
	f := analysis.AtValue(e, k, v)
	f.Rule = "shellfolders.startup"
	f.Data = s
	f.Title = fmt.Sprintf("%s folder of %s redirected to %s", v.Name(), who, p.Full)
	f.Detail = fmt.Sprintf("Explorer starts every program and shortcut in the %s folder at the logon of %s, and finds that folder through this value (%s\\%s). It now points at %s. %s Collect the folder's contents and their timestamps, and compare with the default Startup folder. (The path check below judges a file placed in that folder.)", v.Name(), who, k.Name(), v.Name(), p.Full, why)
	analysis.JudgeCapped(&f, base, "T1547.001", a, caps)
	return f, true, nil
}
