package office

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// classRoot is one Classes key HKEY_CLASSES_ROOT merges: a user's
// (NTUSER.DAT Software\Classes, the root of UsrClass.dat) or the machine's
// (SOFTWARE\Classes, SOFTWARE\Wow6432Node\Classes).
type classRoot struct {
	e   *hive.Entry
	key *hive.Key
}

// classes holds the Classes keys of a host, looked up by name only (a
// machine registers thousands of classes; an add-in names one).
type classes struct {
	users   map[*hive.Entry][]classRoot // an NTUSER or DEFAULT hive's own classes, in the order Windows reads them
	machine []classRoot
}

// readClasses finds the Classes keys of the host's users and machine.
func readClasses(p *analysis.Pass) (*classes, error) {
	c := &classes{users: map[*hive.Entry][]classRoot{}}
	var errs []error
	at := func(e *hive.Entry, path string) (classRoot, bool) {
		root, err := e.Root()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
			return classRoot{}, false
		}
		if path == "" {
			return classRoot{e, root}, true
		}
		k, ok, err := analysis.OptionalKey(root, path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s\\%s: %w", e.Path, path, err))
		}
		return classRoot{e, k}, ok
	}
	for _, e := range analysis.UserHives(p.Set) {
		if r, ok := at(e, `Software\Classes`); ok {
			c.users[e] = append(c.users[e], r)
		}
		if e.Kind() != hive.KindNTUser || e.User == "" {
			continue
		}
		for _, uc := range p.Set.UserClasses() {
			if strings.EqualFold(uc.User, e.User) {
				if r, ok := at(uc, ""); ok {
					c.users[e] = append(c.users[e], r)
				}
			}
		}
	}
	for _, e := range p.Set.ByKind(hive.KindSoftware) {
		for _, path := range machineClassRoots {
			if r, ok := at(e, path); ok {
				c.machine = append(c.machine, r)
			}
		}
	}
	return c, errors.Join(errs...)
}

// machineClassRoots are SOFTWARE's Classes keys: its own, the 32-bit
// view, and Click-to-Run Office's virtual registry, where Microsoft 365
// registers its own add-ins' classes.
var machineClassRoots = []string{
	`Classes`,
	`Wow6432Node\Classes`,
	`Microsoft\Office\ClickToRun\REGISTRY\MACHINE\Software\Classes`,
}

// rootsFor returns the Classes keys an application reads for a
// registration found in hive e: the user's own, then the machine's (a
// machine-wide registration sees the machine's only).
func (c *classes) rootsFor(e *hive.Entry) []classRoot {
	return append(append([]classRoot(nil), c.users[e]...), c.machine...)
}

// server is the code a COM class names.
type server struct {
	e      *hive.Entry
	key    *hive.Key   // the InprocServer32 or LocalServer32 key
	val    *hive.Value // its default value
	clsid  string
	kind   string // "InprocServer32" or "LocalServer32"
	data   string // the DLL path or the command line
	native string // for a .NET class served by mscoree.dll: its CodeBase (the assembly loaded), else ""
}

// resolveProgID follows ProgID to its CLSID (through one CurVer) in roots;
// found is false when no root registers it.
func resolveProgID(roots []classRoot, progID string) (clsid string, found bool, err error) {
	if progID == "" || strings.Contains(progID, `\`) {
		return "", false, nil // a name, not a path: data naming a path is not followed
	}
	var errs []error
	name := progID
	for hop := 0; hop < 2; hop++ {
		curVer := ""
		for _, r := range roots {
			k, ok, err := analysis.OptionalKey(r.key, name)
			errs = append(errs, err)
			if !ok {
				continue
			}
			if ck, ok, err := analysis.OptionalKey(k, "CLSID"); ok {
				_, s, err := analysis.Text(ck, "")
				if s != "" {
					return s, true, errors.Join(append(errs, err)...)
				}
				errs = append(errs, err)
			} else {
				errs = append(errs, err)
			}
			if cv, ok, err := analysis.OptionalKey(k, "CurVer"); ok && curVer == "" {
				_, curVer, err = analysis.Text(cv, "")
				errs = append(errs, err)
			} else {
				errs = append(errs, err)
			}
		}
		if curVer == "" || strings.EqualFold(curVer, name) || strings.Contains(curVer, `\`) {
			break
		}
		name = curVer
	}
	return "", false, errors.Join(errs...)
}

// serverOf returns the first InprocServer32 (then LocalServer32) that
// roots register for clsid, in HKEY_CLASSES_ROOT order, the 64-bit view
// before the 32-bit one.
func serverOf(roots []classRoot, clsid string) (server, bool, error) {
	if clsid == "" || strings.Contains(clsid, `\`) {
		return server{}, false, nil // a CLSID, not a path
	}
	var errs []error
	for _, kind := range []string{"InprocServer32", "LocalServer32"} {
		for _, r := range roots {
			for _, dir := range []string{`CLSID\`, `Wow6432Node\CLSID\`} {
				k, ok, err := analysis.OptionalKey(r.key, dir+clsid+`\`+kind)
				errs = append(errs, err)
				if !ok {
					continue
				}
				v, s, err := analysis.Text(k, "")
				errs = append(errs, err)
				if s == "" {
					continue
				}
				srv := server{e: r.e, key: k, val: v, clsid: clsid, kind: kind, data: s}
				if kind == "InprocServer32" && strings.EqualFold(baseName(s), "mscoree.dll") {
					srv.native, err = codeBase(k)
					errs = append(errs, err)
				}
				return srv, true, errors.Join(errs...)
			}
		}
	}
	return server{}, false, errors.Join(errs...)
}

// codeBase returns the CodeBase of a .NET COM class: on its InprocServer32
// key or on the first version subkey that has one.
func codeBase(k *hive.Key) (string, error) {
	_, s, err := analysis.Text(k, "CodeBase")
	if s != "" || err != nil {
		return fileURLPath(s), err
	}
	subs, err := k.Subkeys()
	if err != nil {
		return "", err
	}
	for _, sub := range subs {
		_, s, err := analysis.Text(sub, "CodeBase")
		if s != "" || err != nil {
			return fileURLPath(s), err
		}
	}
	return "", nil
}

// fileURLPath turns a file: URL (file:///C:/x/y.dll, file://server/share/y)
// into a Windows path; other text is returned as written.
func fileURLPath(s string) string {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "file:") {
		return s
	}
	rest := s[len("file:"):]
	switch {
	case strings.HasPrefix(rest, "///"):
		rest = rest[3:]
	case strings.HasPrefix(rest, "//"):
		rest = `\\` + rest[2:] // file://server/share
	}
	rest = strings.ReplaceAll(rest, "%20", " ")
	return strings.ReplaceAll(rest, "/", `\`)
}

// baseName returns the last element of a Windows path, quotes removed.
func baseName(s string) string {
	s = strings.Trim(strings.TrimSpace(s), `"`)
	if i := strings.LastIndexAny(s, `\/`); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// noteProfile appends, for a finding in the DEFAULT hive, what that hive is.
func noteProfile(f *report.Finding, e *hive.Entry) {
	if e.Kind() == hive.KindDefault {
		f.Detail += " " + analysis.DefaultProfileNote
	}
}
