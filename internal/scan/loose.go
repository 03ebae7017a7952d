package scan

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/evidence"
	"github.com/hivescan/hivescan/report"
)

// looseFile is a hive or transaction log given by name on the command line.
type looseFile struct {
	arg  string // as typed
	kind hive.FileKind
}

// logExts are the transaction log suffixes Windows gives a hive's logs.
var logExts = []string{".log", ".log1", ".log2"}

// looseSources turns the hive and log files named on the command line into
// sources, one per folder: each hive with its sibling logs (NAME.LOG,
// .LOG1, .LOG2, any letter case) and with the logs given beside it. A log
// given without its hive is a problem that says where the hive is.
func looseSources(files []looseFile) ([]evidence.Source, []report.Problem) {
	type group struct {
		dir   string // as typed ("" for the working folder)
		hives []string
		logs  []string // base names of the logs given
	}
	byDir := map[string]*group{}
	var dirs []string
	for _, f := range files {
		dir, base := filepath.Split(f.arg)
		key := filepath.Clean(dir)
		g := byDir[key]
		if g == nil {
			g = &group{dir: dir}
			byDir[key] = g
			dirs = append(dirs, key)
		}
		if f.kind == hive.LogFile {
			g.logs = append(g.logs, base)
		} else {
			g.hives = append(g.hives, base)
		}
	}
	var srcs []evidence.Source
	var problems []report.Problem
	for _, key := range dirs {
		g := byDir[key]
		dir := g.dir
		if dir == "" {
			dir = "."
		}
		siblings, _ := os.ReadDir(dir) // unreadable folder: only the files given are used
		paths := map[string]bool{}
		for _, h := range g.hives {
			paths[h] = true
			for _, e := range siblings {
				if isLogOf(e.Name(), h) {
					paths[e.Name()] = true
				}
			}
		}
		for _, l := range g.logs {
			owner := ""
			for _, h := range g.hives {
				if isLogOf(l, h) {
					owner = h
				}
			}
			if owner != "" {
				continue
			}
			msg := "transaction log given without its hive: not applied"
			for _, e := range siblings {
				if isLogOf(l, e.Name()) {
					msg = fmt.Sprintf("transaction log given without its hive: give %s too (it sits beside the log), or give the folder", filepath.Join(g.dir, e.Name()))
				}
			}
			problems = append(problems, report.Problem{Path: filepath.Join(g.dir, l), Message: msg})
		}
		if len(g.hives) == 0 {
			continue
		}
		list := make([]string, 0, len(paths))
		for p := range paths {
			list = append(list, p)
		}
		sort.Strings(list)
		name := filepath.Join(g.dir, g.hives[0])
		if len(g.hives) > 1 {
			name = g.dir
			if name == "" {
				if wd, err := os.Getwd(); err == nil {
					name = filepath.Base(wd)
				}
			}
		}
		typed := g.dir
		srcs = append(srcs, evidence.Source{FS: os.DirFS(dir), Root: ".", Name: name, Paths: list, Concurrent: true,
			Display: func(p string) string {
				if p == "." || p == "" {
					return name
				}
				return filepath.Join(typed, filepath.FromSlash(p))
			}})
	}
	return srcs, problems
}

// isLogOf reports whether name is one of hive's transaction logs.
func isLogOf(name, hiveName string) bool {
	n, h := strings.ToLower(name), strings.ToLower(hiveName)
	for _, ext := range logExts {
		if n == h+ext {
			return true
		}
	}
	return false
}

// KindOverride says what a hive is when no rule can settle it (--kind).
type KindOverride struct {
	Path string // as typed: a file path, or a path as the report shows it
	Kind hive.Kind
}

// overrides matches --kind paths with the hives being read and remembers
// which were used.
type overrides struct {
	list []KindOverride
	mu   sync.Mutex // hosts may be read in parallel
	used []bool
}

func newOverrides(list []KindOverride) *overrides {
	return &overrides{list: list, used: make([]bool, len(list))}
}

// kindOf returns the override for a hive at a display path, or
// hive.KindUnknown. A path matches as the report shows it, or as the same
// file once made absolute.
func (o *overrides) kindOf(display string) hive.Kind {
	for i, ov := range o.list {
		if samePath(ov.Path, display) {
			o.mu.Lock()
			o.used[i] = true
			o.mu.Unlock()
			return ov.Kind
		}
	}
	return hive.KindUnknown
}

func samePath(a, b string) bool {
	if a == b || filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// unused reports the overrides that matched no hive.
func (o *overrides) unused() []report.Problem {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []report.Problem
	for i, ov := range o.list {
		if !o.used[i] {
			out = append(out, report.Problem{Path: ov.Path, Message: fmt.Sprintf("--kind %s=%s matched no hive of the evidence (give the path as the report shows it)", ov.Path, ov.Kind)})
		}
	}
	return out
}

// unclassified lists the problems of a loaded host that keep hivescan from
// analysing all of it: hives whose kind could not be decided, and
// analyzers skipped for want of a hive while the host holds a hive that
// could be it (of unknown kind, or unreadable).
func unclassified(l *evidence.Loaded, runs []report.AnalyzerRun, needs map[string][]hive.Kind) []report.Problem {
	type candidate struct {
		path string
		kind string // the kind it would be, or UNKNOWN
		why  string
	}
	var out []report.Problem
	var candidates []candidate
	for _, e := range l.Set.Entries {
		if e.Kind() != hive.KindUnknown || e.Deleted {
			continue
		}
		candidates = append(candidates, candidate{e.Path, hive.KindUnknown.String(), "kind unknown"})
		out = append(out, report.Problem{Host: l.Set.Host, Path: e.Path, Message: "hive kind could not be decided (" + describeUnknown(e.Hive) + "): no analyzer read it; if you know what it is, give --kind PATH=KIND"})
	}
	for _, f := range l.Files {
		if f.Role == "hive" && f.Err != nil {
			candidates = append(candidates, candidate{f.Display, f.Kind, "could not be read"})
		}
	}
	if len(candidates) == 0 {
		return out
	}
	// One problem per host: the analyzers left without a hive that one of
	// the candidates could be, and those candidates.
	var names []string
	kinds := map[string]bool{}
	used := map[string]bool{}
	for _, r := range runs {
		if r.Status != report.Skipped || len(needs[r.Name]) == 0 {
			continue
		}
		starved := false
		for _, c := range candidates {
			for _, k := range needs[r.Name] {
				if c.kind == hive.KindUnknown.String() || c.kind == k.String() {
					starved = true
					used[c.path] = true
					if !l.Set.Has(k) && (c.kind == k.String() || c.kind == hive.KindUnknown.String()) {
						kinds[k.String()] = true
					}
				}
			}
		}
		if starved {
			names = append(names, r.Name)
		}
	}
	if len(names) == 0 {
		return out
	}
	var ks, cs []string
	for k := range kinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, c := range candidates {
		if used[c.path] {
			cs = append(cs, fmt.Sprintf("%s (%s, %s)", c.path, c.kind, c.why))
		}
	}
	out = append(out, report.Problem{Host: l.Set.Host, Message: fmt.Sprintf("%d analyzers not run for want of a %s hive (%s), while the host holds hives that were not analysed: %s",
		len(names), strings.Join(ks, " or "), strings.Join(names, ", "), strings.Join(cs, "; "))})
	return out
}

// crowded reports a host holding several live hives of a kind Windows has
// one of per machine (a flat folder of several machines' hives): the host's
// identity, environment and version come from the first, and some analyzers
// read only that one, so the others are not fully looked at.
func crowded(l *evidence.Loaded) []report.Problem {
	var out []report.Problem
	for _, k := range []hive.Kind{hive.KindSystem, hive.KindSoftware, hive.KindSAM, hive.KindSecurity, hive.KindDefault} {
		var paths []string
		for _, e := range l.Set.ByKind(k) {
			if !e.Deleted && e.Label == "" {
				paths = append(paths, e.Path)
			}
		}
		if len(paths) < 2 {
			continue
		}
		out = append(out, report.Problem{Host: l.Set.Host, Message: fmt.Sprintf("%d %s hives in one host folder (%s): a machine has one, so these are likely several machines' hives; the host's name, version and environment come from %s and some analyzers read only it — give each machine's hives a folder of their own", len(paths), k, strings.Join(paths, ", "), paths[0])})
	}
	return out
}

// describeUnknown says what an unclassified hive shows: its embedded name
// and its first root keys.
func describeUnknown(h *hive.Hive) string {
	var parts []string
	if h.Header.FileName != "" {
		parts = append(parts, fmt.Sprintf("embedded name %q", h.Header.FileName))
	} else {
		parts = append(parts, "no embedded name")
	}
	root, err := h.Root()
	if err == nil {
		subs, err := root.Subkeys()
		var names []string
		for i, s := range subs {
			if i == 5 {
				names = append(names, "...")
				break
			}
			names = append(names, s.Name())
		}
		switch {
		case err != nil:
			parts = append(parts, "root subkey list damaged")
		case len(names) == 0:
			parts = append(parts, "no root subkeys")
		default:
			parts = append(parts, "root keys "+strings.Join(names, ", "))
		}
	}
	return strings.Join(parts, "; ")
}
