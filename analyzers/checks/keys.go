package checks

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/hive"
)

// root is where a key pattern starts.
type root int

const (
	rootSoftware    root = iota // HKLM\SOFTWARE\...
	rootSystem                  // HKLM\SYSTEM\... outside the control sets
	rootControlSets             // HKLM\SYSTEM\ControlSet*\...: every control set
	rootCurrentSet              // HKLM\SYSTEM\CurrentControlSet\...: the current one
	rootUsers                   // HKCU\...: every NTUSER hive and the DEFAULT hive
	rootDefault                 // HKU\.DEFAULT\...: the DEFAULT hive only
	rootClasses                 // HKCU\Software\Classes\...: also every UsrClass.dat
	rootSAM                     // HKLM\SAM\...
	rootSecurity                // HKLM\SECURITY\...
)

var roots = []struct {
	prefix string
	root   root
}{
	{`hklm\software\`, rootSoftware},
	{`hklm\system\controlset*\`, rootControlSets},
	{`hklm\system\currentcontrolset\`, rootCurrentSet},
	{`hklm\system\`, rootSystem},
	{`hkcu\software\classes\`, rootClasses},
	{`hkcu\`, rootUsers},
	{`hku\.default\`, rootDefault},
	{`hklm\sam\`, rootSAM},
	{`hklm\security\`, rootSecurity},
}

func (r root) kinds() []hive.Kind {
	switch r {
	case rootSoftware:
		return []hive.Kind{hive.KindSoftware}
	case rootSystem, rootControlSets, rootCurrentSet:
		return []hive.Kind{hive.KindSystem}
	case rootUsers:
		return []hive.Kind{hive.KindNTUser, hive.KindDefault}
	case rootDefault:
		return []hive.Kind{hive.KindDefault}
	case rootClasses:
		return []hive.Kind{hive.KindNTUser, hive.KindUsrClass}
	case rootSAM:
		return []hive.Kind{hive.KindSAM}
	case rootSecurity:
		return []hive.Kind{hive.KindSecurity}
	}
	return nil
}

// keyPattern is a parsed key pattern: a root and the segments below it,
// each a literal name or a glob (path.Match syntax, letter case ignored).
type keyPattern struct {
	text string
	root root
	segs []string // lower case
}

// maxKeys bounds how many keys one pattern may expand to on one hive, so
// that a pattern like HKCU\*\*\* cannot walk a whole hive.
const maxKeys = 50000

func parseKey(s string) (keyPattern, error) {
	text := strings.TrimSpace(s)
	l := strings.ToLower(text)
	l = strings.Replace(l, `hkey_local_machine\`, `hklm\`, 1)
	l = strings.Replace(l, `hkey_current_user\`, `hkcu\`, 1)
	l = strings.Replace(l, `hkey_users\`, `hku\`, 1)
	for _, r := range roots {
		rest, ok := strings.CutPrefix(l, r.prefix)
		if !ok {
			continue
		}
		segs := strings.Split(rest, `\`)
		for _, seg := range segs {
			if seg == "" {
				return keyPattern{}, fmt.Errorf("%q has an empty key name", text)
			}
			if _, err := path.Match(seg, ""); err != nil {
				return keyPattern{}, fmt.Errorf("%q: bad pattern %q", text, seg)
			}
		}
		return keyPattern{text: text, root: r.root, segs: segs}, nil
	}
	return keyPattern{}, fmt.Errorf("%q does not start with a known root (HKLM\\SOFTWARE\\, HKLM\\SYSTEM\\ControlSet*\\, HKLM\\SYSTEM\\CurrentControlSet\\, HKLM\\SYSTEM\\, HKCU\\, HKCU\\Software\\Classes\\, HKU\\.DEFAULT\\, HKLM\\SAM\\, HKLM\\SECURITY\\)", text)
}

func isGlob(seg string) bool { return strings.ContainsAny(seg, `*?[`) }

// place is one key a pattern names on the host.
type place struct {
	e   *hive.Entry
	cs  *hive.ControlSet // set for control-set patterns
	key *hive.Key
}

// places expands pattern p over the host; wow64 also expands it under
// Wow6432Node. Keys that do not exist are no error.
func places(pass *analysis.Pass, p keyPattern, wow64 bool) ([]place, error) {
	type base struct {
		e    *hive.Entry
		cs   *hive.ControlSet
		key  *hive.Key
		segs []string
	}
	var bases []base
	var errs []error
	fromRoot := func(e *hive.Entry, segs []string) {
		r, err := e.Root()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
			return
		}
		bases = append(bases, base{e: e, key: r, segs: segs})
	}
	segs := p.segs
	variants := [][]string{segs}
	if wow64 {
		switch p.root {
		case rootSoftware, rootClasses:
			variants = append(variants, append([]string{"wow6432node"}, segs...))
		case rootUsers, rootDefault:
			if len(segs) > 1 && segs[0] == "software" {
				variants = append(variants, append([]string{"software", "wow6432node"}, segs[1:]...))
			}
		}
	}
	for _, segs := range variants {
		switch p.root {
		case rootSoftware:
			for _, e := range pass.Set.ByKind(hive.KindSoftware) {
				fromRoot(e, segs)
			}
		case rootSystem:
			for _, e := range pass.Set.ByKind(hive.KindSystem) {
				fromRoot(e, segs)
			}
		case rootControlSets, rootCurrentSet:
			for _, e := range pass.Set.ByKind(hive.KindSystem) {
				sets, err := pass.ControlSets(e)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: control sets: %w", e.Path, err))
				}
				for i := range sets {
					cs := sets[i]
					if p.root == rootCurrentSet && !cs.IsCurrent() {
						continue
					}
					bases = append(bases, base{e: e, cs: &cs, key: cs.Key, segs: segs})
				}
			}
		case rootUsers:
			for _, e := range analysis.UserHives(pass.Set) {
				fromRoot(e, segs)
			}
		case rootDefault:
			for _, e := range pass.Set.ByKind(hive.KindDefault) {
				fromRoot(e, segs)
			}
		case rootClasses:
			for _, e := range pass.Set.Users() {
				fromRoot(e, append([]string{"software", "classes"}, segs...))
			}
			for _, e := range pass.Set.ByKind(hive.KindUsrClass) {
				fromRoot(e, segs)
			}
		case rootSAM:
			for _, e := range pass.Set.ByKind(hive.KindSAM) {
				fromRoot(e, segs)
			}
		case rootSecurity:
			for _, e := range pass.Set.ByKind(hive.KindSecurity) {
				fromRoot(e, segs)
			}
		}
	}
	var out []place
	for _, b := range bases {
		keys, err := expand(pass, b.key, b.segs)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", b.e.Path, p.text, err))
		}
		for _, k := range keys {
			out = append(out, place{e: b.e, cs: b.cs, key: k})
		}
	}
	return out, errors.Join(errs...)
}

// expand follows segs below k, listing subkeys where a segment is a glob.
func expand(pass *analysis.Pass, k *hive.Key, segs []string) ([]*hive.Key, error) {
	cur := []*hive.Key{k}
	var errs []error
	for _, seg := range segs {
		if err := pass.Context().Err(); err != nil {
			return nil, err
		}
		var next []*hive.Key
		for _, k := range cur {
			if !isGlob(seg) {
				sub, ok, err := analysis.OptionalKey(k, seg)
				errs = append(errs, err)
				if ok {
					next = append(next, sub)
				}
				continue
			}
			subs, err := k.Subkeys()
			errs = append(errs, err)
			for _, s := range subs {
				if ok, _ := path.Match(seg, strings.ToLower(s.Name())); ok { // seg was checked at load
					next = append(next, s)
				}
			}
			if len(next) > maxKeys {
				return nil, fmt.Errorf("the pattern matches more than %d keys; looked at none", maxKeys)
			}
		}
		cur = next
	}
	return cur, errors.Join(errs...)
}
