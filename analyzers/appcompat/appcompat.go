// Package appcompat reports application-compatibility shim databases
// registered on a host (ATT&CK T1546.011).
package appcompat

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// Shims reports custom shim databases and the programs they apply to.
var Shims = &analysis.Analyzer{
	Name: "appcompat",
	Doc: `Application shims: custom compatibility databases (.sdb)
sdbinst.exe registers a custom shim database in SOFTWARE (native and
Wow6432Node) Microsoft\Windows NT\CurrentVersion\AppCompatFlags: InstalledSDB\
{GUID} holds its file (DatabasePath) and description, and Custom\<program>
holds one value {GUID}.sdb per database that applies to that program name.
Each time a program of that name starts, the shim engine loads the database
and applies its fixes inside the process, which can inject a DLL, patch the
program's memory or start another program instead. Windows' own databases
(sysmain.sdb and the others in AppPatch) are not registered there. Every
registered database is reported: medium; high when it applies to one of
Windows' critical processes (the path assessor's list: lsass.exe,
services.exe, svchost.exe, explorer.exe...) or its file lies in a folder
standard users can write. A Custom entry naming a database that is not
registered is its own finding (medium for a critical process, low
otherwise), as is a registered database that no Custom entry names (low).
The per-user AppCompatFlags\Layers values (compatibility modes such as
WIN7RTM or RUNASADMIN chosen on a program's Compatibility tab) are not
read: they change how a program runs, not what runs.`,
	Needs:  []hive.Kind{hive.KindSoftware},
	Attack: []string{"T1546.011"},
	Run:    run,
}

const (
	flagsPath = `Microsoft\Windows NT\CurrentVersion\AppCompatFlags`
	// source is where the registry layout and the engine's use of it are
	// described.
	source = "https://learn.microsoft.com/windows/deployment/planning/using-the-sdbinstexe-command-line-tool; https://attack.mitre.org/techniques/T1546/011/"
	// typesSource documents DatabaseType's flags.
	typesSource = "https://learn.microsoft.com/windows/win32/devnotes/shim-database-types"
)

// database is one InstalledSDB\{GUID} registration.
type database struct {
	key      *hive.Key
	pathVal  *hive.Value
	path     string
	desc     string
	typ      uint64
	hasTyp   bool
	installt uint64
	targets  []target
}

// target is one Custom\<program> value naming a database.
type target struct {
	key *hive.Key
	val *hive.Value
	exe string
}

func run(p *analysis.Pass) error {
	env := p.Env(nil)
	return p.EachSoftware(func(e *hive.Entry, root *hive.Key) error {
		dbs, orphans, err := read(root)
		var out []report.Finding
		for _, id := range sortedIDs(dbs) {
			out = append(out, judgeDatabase(e, root, dbs[id], env))
		}
		for _, t := range orphans {
			out = append(out, judgeOrphan(e, t))
		}
		p.Report(out...)
		return err
	})
}

func sortedIDs(m map[string]*database) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// read collects the registered databases of both registry views (keyed by
// lower-case GUID) and the Custom entries whose database is registered in
// neither. A Custom entry matches a registration of either view: 32- and
// 64-bit sdbinst share the GUID of one database.
func read(root *hive.Key) (map[string]*database, []target, error) {
	var errs []error
	dbs := map[string]*database{}
	for _, base := range analysis.SoftwareRoots(flagsPath) {
		keys, err := analysis.Subkeys(root, base+`\InstalledSDB`)
		errs = append(errs, err)
		for _, k := range keys {
			d := &database{key: k}
			var err error
			d.pathVal, d.path, err = analysis.Text(k, "DatabasePath")
			errs = append(errs, err)
			_, d.desc, err = analysis.Text(k, "DatabaseDescription")
			errs = append(errs, err)
			d.typ, _, d.hasTyp, err = analysis.Uint(k, "DatabaseType")
			errs = append(errs, err)
			d.installt, _, _, err = analysis.Uint(k, "DatabaseInstallTimeStamp")
			errs = append(errs, err)
			id := strings.ToLower(k.Name())
			if _, dup := dbs[id]; !dup {
				dbs[id] = d
			}
		}
	}
	var orphans []target
	for _, base := range analysis.SoftwareRoots(flagsPath) {
		exes, err := analysis.Subkeys(root, base+`\Custom`)
		errs = append(errs, err)
		for _, k := range exes {
			vals, err := k.Values()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", k.Path(), err))
			}
			for _, v := range vals {
				id := databaseID(v.Name())
				if id == "" {
					continue
				}
				t := target{key: k, val: v, exe: k.Name()}
				if d, ok := dbs[id]; ok {
					d.targets = append(d.targets, t)
				} else {
					orphans = append(orphans, t)
				}
			}
		}
	}
	return dbs, orphans, errors.Join(errs...)
}

// databaseID returns the lower-case {GUID} of a Custom value name
// ("{GUID}.sdb"), "" for the default value.
func databaseID(name string) string {
	if name == "" {
		return ""
	}
	id := strings.ToLower(name)
	return strings.TrimSuffix(id, ".sdb")
}

// criticalTargets returns the program names of ts that are Windows'
// critical processes, in their usual spelling.
func criticalTargets(ts []target) []string {
	var out []string
	for _, t := range ts {
		if c, ok := winpath.CriticalName(t.exe); ok {
			out = append(out, c)
		}
	}
	return out
}

func exeNames(ts []target) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range ts {
		if l := strings.ToLower(t.exe); !seen[l] {
			seen[l] = true
			out = append(out, t.exe)
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}

// customFolder reports whether p lies in AppPatch\Custom or
// AppPatch\Custom\Custom64, where sdbinst copies the databases it installs.
func customFolder(p winpath.Path) bool {
	d := strings.ToLower(p.Dir)
	root := strings.ToLower(p.SystemRoot) + `\apppatch\custom`
	return d == root || d == root+`\custom64`
}

// typeText names the flags of a DatabaseType.
func typeText(t uint64) string {
	names := []struct {
		bit  uint64
		name string
	}{
		{0x80000000, "main"}, {0x00010000, "shims"}, {0x00020000, "MSI"},
		{0x00040000, "driver blocks"}, {0x00080000, "AppHelp details"},
		{0x00100000, "service-pack AppHelp"}, {0x00200000, "AppHelp resources"},
	}
	var out []string
	for _, n := range names {
		if t&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	if len(out) == 0 {
		return fmt.Sprintf("0x%x", t)
	}
	return fmt.Sprintf("0x%x: %s", t, strings.Join(out, ", "))
}

func judgeDatabase(e *hive.Entry, root *hive.Key, d *database, env winpath.Env) report.Finding {
	f := analysis.At(e, d.key)
	if d.pathVal != nil {
		f = analysis.AtValue(e, d.key, d.pathVal)
	}
	f.Attack = []string{"T1546.011"}
	name := d.desc
	if name == "" {
		name = d.key.Name()
	}
	res := winpath.Resolve(d.path, env)
	exes := exeNames(d.targets)
	critical := criticalTargets(d.targets)
	var b strings.Builder
	fmt.Fprintf(&b, "Custom shim database %s (%q) is registered with file %q", d.key.Name(), d.desc, d.path)
	if d.hasTyp {
		fmt.Fprintf(&b, ", type %s (%s)", typeText(d.typ), typesSource)
	}
	if d.installt != 0 {
		fmt.Fprintf(&b, ", installed %s", hive.Filetime(d.installt).UTC().Format("2006-01-02 15:04:05Z"))
	}
	b.WriteString(".")
	if len(exes) > 0 {
		f.Rule, f.Severity = "appcompat.sdb", report.Medium
		f.Title = fmt.Sprintf("Shim database %q applies to %s", name, strings.Join(exes, ", "))
		fmt.Fprintf(&b, " Each time a program named %s starts, the shim engine loads this database into it and applies its fixes inside the process; a shim can inject a DLL (InjectDll), patch the program's code in memory or start another program (RedirectEXE). Windows' own fixes live in AppPatch\\sysmain.sdb and are not registered here: this one was installed (sdbinst.exe) by a product, an administrator or an attacker.", strings.Join(exes, ", "))
	} else {
		f.Rule, f.Severity = "appcompat.sdb-unreferenced", report.Low
		f.Title = fmt.Sprintf("Shim database %q is registered but applies to no program by name", name)
		b.WriteString(" No AppCompatFlags\\Custom entry names it, so the shim engine does not load it for a program by name; sdbinst writes both keys and removes both, so one half alone is a partial uninstall or a hand-made registration (a database of MSI or driver entries also has none).")
	}
	if len(critical) > 0 {
		f.Severity = report.High
		fmt.Fprintf(&b, " It applies to %s, a critical Windows process: a shim there runs code in that process at each start, which is how FIN7 and others made shims persist. Products have no reason to shim Windows' own processes.", strings.Join(critical, ", "))
	}
	switch {
	case d.path == "":
		b.WriteString(" It names no file.")
	case winpath.IsUserWritable(res):
		if f.Rule == "appcompat.sdb" {
			f.Severity = report.High
		} else {
			f.Severity = report.Max(f.Severity, report.Medium)
		}
		fmt.Fprintf(&b, " The file lies in %s, which standard users can write: whoever replaces it chooses the fixes applied.", res.Dir)
	case !customFolder(res):
		fmt.Fprintf(&b, " sdbinst copies the databases it installs to %s\\AppPatch\\Custom (Custom64 for 64-bit ones); this one is read from %s.", res.SystemRoot, res.Dir)
	}
	if _, ok, _ := analysis.OptionalKey(root, `Microsoft\Windows\CurrentVersion\Uninstall\`+d.key.Name()+".sdb"); !ok {
		// a damaged Uninstall key costs only this sentence
		b.WriteString(" sdbinst also writes an Uninstall entry named after the database; there is none, so it was registered by other means or the entry was removed.")
	}
	b.WriteString(" Collect the .sdb file and list its entries (python-sdb, sdb-explorer): look for InjectDll, RedirectEXE and in-memory patches; compare the key's last-write and install times with process and event-log history (Application-Experience, sdbinst.exe runs). Source: " + source + ".")
	f.Detail = b.String()
	return f
}

func judgeOrphan(e *hive.Entry, t target) report.Finding {
	f := analysis.AtValue(e, t.key, t.val)
	f.Rule, f.Severity = "appcompat.custom-unregistered", report.Low
	f.Attack = []string{"T1546.011"}
	f.Title = fmt.Sprintf("Shim entry for %s names database %s, which is not registered", t.exe, t.val.Name())
	f.Detail = fmt.Sprintf("AppCompatFlags\\Custom\\%s names database %s, but InstalledSDB has no registration of it (in either registry view). sdbinst writes both and `sdbinst -u` removes both: a Custom entry alone is left by a partial removal or was written by hand, and whether a program named %s still gets its shims depends on whether the file is still where the shim engine looks (AppPatch\\Custom).", t.exe, t.val.Name(), t.exe)
	if c, ok := winpath.CriticalName(t.exe); ok {
		f.Severity = report.Medium
		f.Detail += fmt.Sprintf(" %s is a critical Windows process, which products do not shim.", c)
	}
	f.Detail += " Look for " + strings.TrimSuffix(t.val.Name(), ".sdb") + ".sdb in AppPatch\\Custom and Custom64 and list its entries; check the key's last-write time. Source: " + source + "."
	return f
}
