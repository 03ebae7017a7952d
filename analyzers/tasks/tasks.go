package tasks

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// Tasks reports scheduled tasks from the TaskCache of every SOFTWARE hive.
var Tasks = &analysis.Analyzer{
	Name: "tasks",
	Doc: `Scheduled tasks: the TaskCache of SOFTWARE (Tree, Tasks, Boot, Logon, Plain, Maintenance)
Task Scheduler 2.0 keeps every registered task twice in SOFTWARE\Microsoft\
Windows NT\CurrentVersion\Schedule\TaskCache: Tree\<folders>\<name> holds its
Id, Index and security descriptor (SD); Tasks\{Id} holds its path, its
Actions (the programs it starts and the COM handlers it loads), Triggers and
DynamicInfo (registration and last-run times); Boot, Logon, Plain and
Maintenance list the ids by trigger kind. Each exec action is judged by the
path assessor as a command line (an interpreter told to hide, decode or
download is high); each COM handler is resolved to its CLSID's
InprocServer32 in SOFTWARE\Classes and the DLL judged. Windows' own tasks
(under \Microsoft\ with programs and handlers in Windows folders) are quiet;
other tasks in Program Files are listed as info. A task whose Tree entry has
no SD, or an empty one, is hidden from schtasks and the Task Scheduler
console (Tarrask, HAFNIUM) and is high; an Index of 0 hides it the same way
and is medium, a missing Index low; a Tree entry without its Tasks entry,
or the reverse, was deleted or tampered with by hand and is medium. A
differencing (layer) hive or a view of deleted records is not judged for
what it lacks.`,
	Needs:  []hive.Kind{hive.KindSoftware},
	Attack: []string{"T1053.005", "T1564", "T1546.015"},
	Run:    run,
}

const cachePath = `Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache`

// triggerLists are the TaskCache keys listing task ids by trigger kind.
var triggerLists = []string{"Boot", "Logon", "Plain", "Maintenance"}

func run(p *analysis.Pass) error {
	env := p.Env(nil)
	return p.EachSoftware(func(e *hive.Entry, root *hive.Key) error {
		c, ok, err := analysis.OptionalKey(root, cachePath)
		if !ok {
			return err
		}
		s := &scan{p: p, e: e, root: root, cache: c, env: env, partial: e.Deleted || e.Header.Minor >= 6}
		return s.run()
	})
}

// scan is the analysis of one SOFTWARE hive's TaskCache.
type scan struct {
	p     *analysis.Pass
	e     *hive.Entry
	root  *hive.Key
	cache *hive.Key
	env   winpath.Env
	// partial is set for a differencing hive (format 1.6, a container or
	// app layer holding only what changed) and for a view of deleted
	// records: what such a hive lacks is not missing.
	partial bool

	errs   []error
	out    []report.Finding
	parsed map[uint32]decoded // Actions values by Tasks key offset
}

// treeTask is a task's Tree entry.
type treeTask struct {
	key  *hive.Key
	path string // `\Folder\Name`
	id   string // Id as written
}

func (s *scan) run() error {
	// A Tree or Tasks list that could not all be read makes the other's
	// entries look orphaned: the problem is reported, the orphans are not.
	n := len(s.errs)
	tree := s.readTree()
	treeDamaged, n := len(s.errs) > n, len(s.errs)
	entries, order := s.readTasks()
	tasksDamaged := len(s.errs) > n
	lists := s.readLists()
	used := map[string]bool{}
	for _, t := range tree {
		if err := s.p.Context().Err(); err != nil {
			s.p.Report(s.out...)
			return errors.Join(append(s.errs, err)...)
		}
		te := entries[normID(t.id)]
		if !s.partial {
			s.checkSD(t, te)
			s.checkIndex(t)
		}
		if te == nil {
			if !s.partial && !tasksDamaged {
				s.orphanTree(t)
			}
			continue
		}
		used[normID(t.id)] = true
		s.judgeTask(t.path, te, lists[normID(t.id)])
	}
	for _, id := range order {
		if used[id] {
			continue
		}
		te := entries[id]
		path := s.entryPath(te)
		if !s.partial && !treeDamaged {
			s.orphanTask(te, path)
		}
		s.judgeTask(path, te, lists[id])
	}
	if !s.partial && !tasksDamaged {
		s.staleLists(lists, entries)
	}
	s.p.Report(s.out...)
	return errors.Join(s.errs...)
}

func (s *scan) fail(k *hive.Key, err error) {
	if err != nil {
		s.errs = append(s.errs, fmt.Errorf("%s: %w", k.Path(), err))
	}
}

// readTree walks Tree: a key with an Id value is a task, one without is a
// folder.
func (s *scan) readTree() []treeTask {
	top, ok, err := analysis.OptionalKey(s.cache, "Tree")
	if !ok {
		s.fail(s.cache, err)
		return nil
	}
	prefix := top.Path()
	var out []treeTask
	err = s.e.Walk(s.p.Context(), prefix, func(k *hive.Key, err error) error {
		if err != nil {
			s.fail(k, err)
			return nil
		}
		if k == nil || k.Path() == prefix {
			return nil
		}
		_, id, err := analysis.Text(k, "Id")
		s.fail(k, err)
		if id != "" {
			out = append(out, treeTask{key: k, path: strings.TrimPrefix(k.Path(), prefix), id: id})
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.fail(top, err)
	}
	return out
}

// readTasks reads Tasks\{Id}, keyed by normalised id, with the ids in
// stored order.
func (s *scan) readTasks() (map[string]*hive.Key, []string) {
	keys, err := analysis.Subkeys(s.cache, "Tasks")
	s.fail(s.cache, err)
	m := map[string]*hive.Key{}
	var order []string
	for _, k := range keys {
		id := normID(k.Name())
		if m[id] == nil {
			order = append(order, id)
		}
		m[id] = k
	}
	return m, order
}

// readLists returns, per normalised task id, the trigger lists (Boot,
// Logon ...) naming it, and keeps the list keys for staleLists.
func (s *scan) readLists() map[string][]listEntry {
	m := map[string][]listEntry{}
	for _, name := range triggerLists {
		keys, err := analysis.Subkeys(s.cache, name)
		s.fail(s.cache, err)
		for _, k := range keys {
			id := normID(k.Name())
			m[id] = append(m[id], listEntry{list: name, key: k})
		}
	}
	return m
}

type listEntry struct {
	list string
	key  *hive.Key
}

// entryPath is the task path a Tasks entry names (Path, else URI, else its
// id).
func (s *scan) entryPath(k *hive.Key) string {
	for _, name := range []string{"Path", "URI"} {
		_, v, err := analysis.Text(k, name)
		s.fail(k, err)
		if v != "" {
			return v
		}
	}
	return k.Name()
}

// normID is a task id as a map key: upper case, without braces or spaces.
func normID(id string) string {
	return strings.ToUpper(strings.Trim(strings.TrimSpace(id), "{}"))
}

// sortedIDs returns the keys of m in order.
func sortedIDs[V any](m map[string]V) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
