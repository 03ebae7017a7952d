package image

import (
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Found is a hive at a standard place of a Windows volume (or one of the
// Windows folder's text files the analyzers read: Kind "Text").
type Found struct {
	// Root is the Windows installation the hive belongs to: "." for the
	// volume root, else a top-level folder such as "Windows.old".
	Root string
	// Path is the hive's slash-separated path in the file system, with the
	// case of the names as stored.
	Path string
	// Kind is the hive's role: SYSTEM, SOFTWARE, SAM, SECURITY, DEFAULT,
	// COMPONENTS, DRIVERS, BBI, ELAM, RegBack, NTUSER, UsrClass, Amcache, BCD;
	// "Text" for the Windows folder's win.ini and system.ini.
	Kind string
	// User is the profile folder name for NTUSER and UsrClass hives.
	User string
	Size int64
	// Logs are the transaction logs beside the hive (.LOG, .LOG1, .LOG2, any case).
	Logs []string
}

var configHives = []string{"SYSTEM", "SOFTWARE", "SAM", "SECURITY", "DEFAULT", "COMPONENTS", "DRIVERS", "BBI", "ELAM"}

// Locate lists the hives at the standard places of every Windows
// installation in fsys (the volume root and any top-level folder holding
// Windows/System32/config or WINNT/system32/config), sorted by path. It
// reads only the folders on those paths, never the whole volume. Names are
// matched case-insensitively, also on case-sensitive file systems. A
// missing place is not an error; an unreadable one is.
func Locate(fsys fs.FS) ([]Found, error) {
	l := &locator{fsys: fsys, dirs: make(map[string][]fs.DirEntry)}
	roots := []string{"."}
	top, err := l.readDir(".")
	if err != nil {
		return nil, err
	}
	for _, d := range top {
		if !d.IsDir() {
			continue
		}
		if l.sysroot(d.Name()) != "" {
			roots = append(roots, d.Name())
		}
	}
	for _, root := range roots {
		l.install(root)
	}
	sort.Slice(l.out, func(i, j int) bool { return l.out[i].Path < l.out[j].Path })
	return l.out, errors.Join(l.errs...)
}

type locator struct {
	fsys fs.FS
	dirs map[string][]fs.DirEntry
	out  []Found
	errs []error
	seen map[string]bool
}

func (l *locator) readDir(dir string) ([]fs.DirEntry, error) {
	if d, ok := l.dirs[dir]; ok {
		return d, nil
	}
	d, err := fs.ReadDir(l.fsys, dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	l.dirs[dir] = d
	return d, nil
}

// lookup finds name in dir case-insensitively and returns its path with
// the stored case, or "" when absent. It tries the name as given first, so
// that case-insensitive file systems answer without listing dir.
func (l *locator) lookup(dir, name string, wantDir bool) string {
	if dir == "" {
		return ""
	}
	p := path.Join(dir, name)
	if fi, err := fs.Stat(l.fsys, p); err == nil {
		if fi.IsDir() != wantDir {
			return ""
		}
		return path.Join(dir, fi.Name())
	}
	list, err := l.readDir(dir)
	if err != nil {
		l.errs = append(l.errs, err)
		return ""
	}
	for _, e := range list {
		if strings.EqualFold(e.Name(), name) && e.IsDir() == wantDir {
			return path.Join(dir, e.Name())
		}
	}
	return ""
}

// lookupPath resolves a slash path of folders below dir.
func (l *locator) lookupPath(dir, rel string) string {
	for _, c := range strings.Split(rel, "/") {
		dir = l.lookup(dir, c, true)
	}
	return dir
}

// sysroot returns the Windows folder of an installation rooted at root.
func (l *locator) sysroot(root string) string {
	for _, w := range []string{"Windows", "WINNT"} {
		if win := l.lookup(root, w, true); win != "" && l.lookupPath(win, "System32/config") != "" {
			return win
		}
	}
	return ""
}

func (l *locator) install(root string) {
	win := l.sysroot(root)
	config := l.lookupPath(win, "System32/config")
	for _, h := range configHives {
		l.add(root, config, h, h, "")
	}
	if regback := l.lookup(config, "RegBack", true); regback != "" {
		list, err := l.readDir(regback)
		if err != nil {
			l.errs = append(l.errs, err)
		}
		for _, e := range list {
			if e.Type().IsRegular() && !isLog(e.Name()) {
				l.add(root, regback, e.Name(), "RegBack", "")
			}
		}
	}
	l.profiles(root, l.lookup(root, "Users", true), "AppData/Local/Microsoft/Windows")
	l.profiles(root, l.lookup(root, "Documents and Settings", true), "Local Settings/Application Data/Microsoft/Windows")
	l.profiles(root, l.lookupPath(win, "ServiceProfiles"), "AppData/Local/Microsoft/Windows")
	l.add(root, l.lookupPath(win, "AppCompat/Programs"), "Amcache.hve", "Amcache", "")
	l.add(root, l.lookup(root, "Boot", true), "BCD", "BCD", "")
	// Not hives: the Windows folder's legacy autostart files, which the
	// analyzers read beside the hives (evidence.iniNames).
	l.add(root, win, "win.ini", "Text", "")
	l.add(root, win, "system.ini", "Text", "")
}

func (l *locator) profiles(root, dir, classes string) {
	if dir == "" {
		return
	}
	list, err := l.readDir(dir)
	if err != nil {
		l.errs = append(l.errs, err)
		return
	}
	for _, e := range list {
		if !e.IsDir() {
			continue
		}
		profile := path.Join(dir, e.Name())
		l.add(root, profile, "NTUSER.DAT", "NTUSER", e.Name())
		l.add(root, l.lookupPath(profile, classes), "UsrClass.dat", "UsrClass", e.Name())
	}
}

func isLog(name string) bool {
	u := strings.ToUpper(name)
	return strings.HasSuffix(u, ".LOG") || strings.HasSuffix(u, ".LOG1") || strings.HasSuffix(u, ".LOG2")
}

// add records dir/name when it is a regular file, with its logs.
func (l *locator) add(root, dir, name, kind, user string) {
	p := l.lookup(dir, name, false)
	if p == "" {
		return
	}
	if l.seen == nil {
		l.seen = make(map[string]bool)
	}
	if l.seen[strings.ToUpper(p)] {
		return
	}
	l.seen[strings.ToUpper(p)] = true
	fi, err := fs.Stat(l.fsys, p)
	if err != nil {
		l.errs = append(l.errs, err)
		return
	}
	if !fi.Mode().IsRegular() {
		return
	}
	f := Found{Root: root, Path: p, Kind: kind, User: user, Size: fi.Size()}
	base := path.Base(p)
	list, err := l.readDir(dir)
	if err != nil {
		l.errs = append(l.errs, err)
	}
	for _, e := range list {
		for _, ext := range []string{".LOG", ".LOG1", ".LOG2"} {
			if strings.EqualFold(e.Name(), base+ext) && e.Type().IsRegular() {
				f.Logs = append(f.Logs, path.Join(dir, e.Name()))
			}
		}
	}
	sort.Strings(f.Logs)
	l.out = append(l.out, f)
}
