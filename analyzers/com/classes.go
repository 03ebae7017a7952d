// Package com holds the analyzers of COM and shell-handler registrations:
// per-user CLSIDs that shadow or redirect the machine's (comhijack), the COM
// objects explorer and Internet Explorer load by themselves (comautostart),
// and the per-user shell handlers that auto-elevating programs open
// (uacbypass, a check table).
//
// HKEY_CLASSES_ROOT is a merged view: a user's Software\Classes (the
// UsrClass.dat hive since Vista, NTUSER.DAT's own Software\Classes before)
// is read before the machine's SOFTWARE\Classes. The analyzers resolve a
// CLSID the same way, looking it up by name in each CLSID folder instead of
// listing the machine's thousands of registrations.
package com

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
)

// indexAfter is the number of lookups in one CLSID folder after which the
// folder's names are read once into a map. hive.Key.Subkey reads the whole
// subkey list and decodes every name before the match, so a miss in a
// machine's 10,000 CLSIDs costs about what listing them once does
// (BenchmarkCOMLargeMachine: listing wins from the second lookup on). The
// first lookup stays a lookup, for hosts that ask once. A variable for the
// benchmarks.
var indexAfter = 1

// clsidDir is one CLSID folder (CLSID, or its Wow6432Node view) of one hive,
// looked up by name.
type clsidDir struct {
	e   *hive.Entry
	key *hive.Key
	wow bool // the 32-bit view

	lookups int
	index   map[string]*hive.Key
}

// find returns the registration key of clsid (letter case ignored); found
// is false when the folder has none.
func (d *clsidDir) find(clsid string) (k *hive.Key, found bool, err error) {
	name := strings.ToLower(clsid)
	if d.index != nil {
		k, found = d.index[name]
		return k, found, nil
	}
	d.lookups++
	if d.lookups > indexAfter {
		subs, err := d.key.Subkeys()
		if err == nil {
			d.index = make(map[string]*hive.Key, len(subs))
			for _, s := range subs {
				d.index[strings.ToLower(s.Name())] = s
			}
			k, found = d.index[name]
			return k, found, nil
		}
		// A damaged list: keep looking names up one by one, which reports
		// the damage only when it hides the name asked for.
	}
	k, err = d.key.Subkey(clsid)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return k, true, nil
}

// classRoot is one Classes key: a user's (NTUSER.DAT Software\Classes, or
// the root of UsrClass.dat) or the machine's (SOFTWARE\Classes).
type classRoot struct {
	e   *hive.Entry
	key *hive.Key
}

// user is one profile's hives: its NTUSER.DAT (nil when absent; the DEFAULT
// hive for LocalSystem) and the Classes keys HKEY_CLASSES_ROOT reads first
// for it.
type user struct {
	name    string
	ntuser  *hive.Entry
	classes []classRoot
	dirs    []*clsidDir
	env     winpath.Env
}

// classes is a host's COM registrations as HKEY_CLASSES_ROOT resolves them.
type classes struct {
	users   []*user
	machine []classRoot
	// machineDirs are the SOFTWARE CLSID folders: Classes\CLSID,
	// Classes\Wow6432Node\CLSID and Wow6432Node\Classes\CLSID.
	machineDirs []*clsidDir
}

// readClasses finds the Classes keys and CLSID folders of the host's users
// and machine; nothing is listed yet. Unreadable keys are returned as
// errors, the rest is kept.
func readClasses(p *analysis.Pass) (*classes, error) {
	c := &classes{}
	var errs []error
	byName := map[string]*user{}
	userOf := func(e *hive.Entry) *user {
		if e.User != "" {
			if u, ok := byName[strings.ToLower(e.User)]; ok {
				return u
			}
		}
		u := &user{name: e.User}
		c.users = append(c.users, u)
		if e.User != "" {
			byName[strings.ToLower(e.User)] = u
		}
		return u
	}
	addRoot := func(e *hive.Entry, path string) (classRoot, bool) {
		root, err := e.Root()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
			return classRoot{}, false
		}
		k, ok, err := analysis.OptionalKey(root, path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s\\%s: %w", e.Path, path, err))
		}
		return classRoot{e, k}, ok
	}
	for _, e := range p.Set.Users() {
		u := userOf(e)
		u.ntuser = e
		if r, ok := addRoot(e, `Software\Classes`); ok {
			u.classes = append(u.classes, r)
		}
	}
	for _, e := range p.Set.UserClasses() {
		u := userOf(e)
		if r, ok := addRoot(e, ``); ok {
			u.classes = append(u.classes, r)
		}
	}
	// LocalSystem's HKEY_CURRENT_USER is the DEFAULT hive: its classes come
	// first for services and tasks running as SYSTEM.
	for _, e := range p.Set.ByKind(hive.KindDefault) {
		u := &user{ntuser: e}
		c.users = append(c.users, u)
		if r, ok := addRoot(e, `Software\Classes`); ok {
			u.classes = append(u.classes, r)
		}
	}
	for _, u := range c.users {
		for _, r := range u.classes {
			c.addDirs(&u.dirs, r, &errs)
		}
		if u.ntuser != nil {
			u.env = p.Env(u.ntuser)
		} else {
			u.env = p.Env(nil)
			if u.name != "" {
				u.env.UserName = u.name
				u.env = u.env.Memo()
			}
		}
	}
	for _, e := range p.Set.ByKind(hive.KindSoftware) {
		if r, ok := addRoot(e, `Classes`); ok {
			c.machine = append(c.machine, r)
			c.addDirs(&c.machineDirs, r, &errs)
		}
		if r, ok := addRoot(e, `Wow6432Node\Classes`); ok {
			if d, ok := clsidDirAt(r, `CLSID`, true, &errs); ok && !c.haveDir(d) {
				c.machineDirs = append(c.machineDirs, d)
			}
		}
	}
	return c, errors.Join(errs...)
}

// addDirs adds the CLSID folders of classes root r.
func (c *classes) addDirs(dirs *[]*clsidDir, r classRoot, errs *[]error) {
	if d, ok := clsidDirAt(r, `CLSID`, false, errs); ok {
		*dirs = append(*dirs, d)
	}
	if d, ok := clsidDirAt(r, `Wow6432Node\CLSID`, true, errs); ok {
		*dirs = append(*dirs, d)
	}
}

// haveDir reports whether d is already among the machine folders (on 64-bit
// Windows SOFTWARE\Wow6432Node\Classes links to Classes\Wow6432Node).
func (c *classes) haveDir(d *clsidDir) bool {
	for _, x := range c.machineDirs {
		if x.e == d.e && x.key.Offset() == d.key.Offset() {
			return true
		}
	}
	return false
}

func clsidDirAt(r classRoot, path string, wow bool, errs *[]error) (*clsidDir, bool) {
	k, ok, err := analysis.OptionalKey(r.key, path)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s\\%s: %w", r.e.Path, strings.TrimPrefix(r.key.Path()+`\`+path, `\`), err))
	}
	if !ok {
		return nil, false
	}
	return &clsidDir{e: r.e, key: k, wow: wow}, true
}

// machineKnown reports whether the host's machine registrations can be
// told: a SOFTWARE hive with a Classes\CLSID folder.
func (c *classes) machineKnown() bool { return len(c.machineDirs) > 0 }

// lookup returns the first registration of clsid among dirs, preferring
// the view wow (the 32-bit one when true) and then the other view.
func lookup(dirs []*clsidDir, clsid string, wow bool) (*clsidDir, *hive.Key, error) {
	var errs []error
	for _, pass := range []bool{wow, !wow} {
		for _, d := range dirs {
			if d.wow != pass {
				continue
			}
			k, ok, err := d.find(clsid)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s\\%s: %w", d.e.Path, strings.TrimPrefix(d.key.Path(), `\`), err))
			}
			if ok {
				return d, k, errors.Join(errs...)
			}
		}
	}
	return nil, nil, errors.Join(errs...)
}

// registration is what a CLSID key says about the code behind it.
type registration struct {
	e   *hive.Entry
	key *hive.Key // the {CLSID} key
	wow bool

	inproc, local      server
	treatAs, scriptlet setting
	progID             string
}

// server is an InprocServer32 or LocalServer32 subkey and its default value.
type server struct {
	key  *hive.Key
	val  *hive.Value
	data string // the path (InprocServer32) or command line (LocalServer32); "" when absent
}

// setting is a one-value subkey (TreatAs, ScriptletURL) or value.
type setting struct {
	key  *hive.Key
	val  *hive.Value
	data string
}

// readRegistration reads the parts of CLSID key k that decide what runs.
func readRegistration(d *clsidDir, k *hive.Key) (registration, error) {
	r := registration{e: d.e, key: k, wow: d.wow}
	var errs []error
	sub := func(name string) (*hive.Key, *hive.Value, string) {
		sk, ok, err := analysis.OptionalKey(k, name)
		errs = append(errs, err)
		if !ok {
			return nil, nil, ""
		}
		v, s, err := analysis.Text(sk, "")
		errs = append(errs, err)
		return sk, v, s
	}
	r.inproc.key, r.inproc.val, r.inproc.data = sub("InprocServer32")
	r.local.key, r.local.val, r.local.data = sub("LocalServer32")
	r.treatAs.key, r.treatAs.val, r.treatAs.data = sub("TreatAs")
	r.scriptlet.key, r.scriptlet.val, r.scriptlet.data = sub("ScriptletURL")
	if r.scriptlet.data == "" {
		// Scriptlet registrations also keep the URL as a value of the
		// CLSID key or of its InprocServer32 key.
		for _, at := range []*hive.Key{k, r.inproc.key} {
			if at == nil {
				continue
			}
			v, s, err := analysis.Text(at, "ScriptletURL")
			errs = append(errs, err)
			if s != "" {
				r.scriptlet = setting{key: at, val: v, data: s}
				break
			}
		}
	}
	_, _, r.progID = sub("ProgID")
	return r, errors.Join(errs...)
}

// runsCode reports whether the registration names anything that runs.
func (r registration) runsCode() bool {
	return r.inproc.data != "" || r.local.data != "" || r.treatAs.data != "" || r.scriptlet.data != ""
}

// view names a registration's place for a detail: the user's hive or the
// machine's, and the 32-bit view.
func (r registration) view() string {
	s := r.key.Path()
	if r.wow {
		s += " (32-bit view)"
	}
	return fmt.Sprintf("%s in %s", s, r.e.Path)
}

// isCLSID reports whether s is written like a CLSID: {8-4-4-4-12 hex}.
func isCLSID(s string) bool {
	if len(s) != 38 || s[0] != '{' || s[37] != '}' {
		return false
	}
	for i := 1; i < 37; i++ {
		c := s[i]
		switch i {
		case 9, 14, 19, 24:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
