// Package evidence finds registry hives in evidence presented as an io/fs.FS
// (a folder, a triage collection, a volume inside a disk image) and groups
// them into hosts.
//
// Hives are found by their "regf" signature, never by their names; names
// only place a hive in a host (Windows\System32\config, Users\<name>, ...)
// and pair transaction logs (.LOG, .LOG1, .LOG2, any letter case) with the
// hive beside them. Nothing is ever written to the evidence.
package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/hivescan/hivescan/hive"
)

// Source is evidence to search.
type Source struct {
	FS fs.FS
	// Root is the folder of FS to search ("." for all of it).
	Root string
	// Name names the evidence in host names and reports (what the user typed).
	Name string
	// Display renders a path of FS for reports; nil joins Name and the path.
	Display func(p string) string
	// Paths, when not nil, are the only candidate files (for example the
	// standard hive locations of a disk image); the tree is not walked.
	Paths []string
	// Concurrent says that FS may be read from several goroutines at once
	// (the operating system's files): Load then reads a host's hives in
	// parallel when LoadOptions.Spare yields cores.
	Concurrent bool
}

func (s Source) display(p string) string {
	if s.Display != nil {
		return s.Display(p)
	}
	if s.Root != "" && s.Root != "." {
		p = strings.TrimPrefix(strings.TrimPrefix(p, s.Root), "/")
	}
	if s.Name == "" {
		return p
	}
	if p == "." || p == "" {
		return s.Name
	}
	return path.Join(filepathToSlash(s.Name), p)
}

func filepathToSlash(p string) string { return strings.ReplaceAll(p, `\`, "/") }

// Candidate is a primary hive found in the evidence, not yet read whole.
type Candidate struct {
	Path    string // slash path inside Source.FS
	Display string
	Size    int64
	User    string // profile folder name when the path shows one
	// UserHint is the folder a user hive sits in when the path does not
	// show a profile (a service profile copied beside a collection); the
	// hive's embedded name wins over it.
	UserHint string
	Label    string // hive.LabelRegBack for RegBack copies
	Logs     []LogFile
	Link     string // when Path is a symbolic link: the slash path inside Source.FS it resolves to
}

// LogFile is a transaction log paired with a hive.
type LogFile struct {
	Path    string
	Display string
	Size    int64
	Link    string // as Candidate.Link
}

// Host is the hives of one Windows installation or collection folder.
type Host struct {
	Name  string // display name, unique within one Discover result
	Root  string // slash path of the host folder inside Source.FS
	Label string // hive.LabelRegBack for the RegBack copies of a host
	Hives []*Candidate
	// Texts are the Windows folder's win.ini and system.ini of the host,
	// when the evidence holds them (iniNames).
	Texts []TextFile
}

// TextFile is a text file of a host's Windows folder that analyzers read.
type TextFile struct {
	Path    string
	Display string
	Size    int64
}

// iniNames are the Windows folder's text files analyzers read: the legacy
// autostart lines of win.ini ([windows] load=, run=) and system.ini ([boot]
// shell=, [drivers]).
var iniNames = map[string]bool{"win.ini": true, "system.ini": true}

// iniPlace returns the host folder of an ini file that sits directly in a
// Windows folder (<root>/Windows/win.ini, <root>/WINNT/system.ini).
func iniPlace(p string) (root string, ok bool) {
	dir := path.Dir(p)
	if b := strings.ToLower(path.Base(dir)); b != "windows" && b != "winnt" {
		return "", false
	}
	return path.Dir(dir), true
}

// Problem is a file discovery could not use, and why.
type Problem struct {
	Path    string // display path
	Message string
}

// Result is what Discover found.
type Result struct {
	Source   Source
	Hosts    []*Host
	Problems []Problem
	// OrphanLogs are transaction logs (by signature) with no hive beside them.
	OrphanLogs []LogFile
}

// Options tune discovery.
type Options struct {
	// MaxFiles bounds how many files a walk looks at (default 2,000,000).
	MaxFiles int
}

// hiveNames are file names Windows gives hives; a file so named that is not
// a hive is reported, so that a responder knows it was looked at.
var hiveNames = map[string]bool{
	"system": true, "software": true, "sam": true, "security": true, "default": true,
	"ntuser.dat": true, "usrclass.dat": true, "amcache.hve": true, "components": true,
	"drivers": true, "bcd": true,
}

// Discover finds the hives of src and groups them into hosts, sorted by name.
func Discover(ctx context.Context, src Source, opts Options) (*Result, error) {
	if src.Root == "" {
		src.Root = "."
	}
	maxFiles := opts.MaxFiles
	if maxFiles <= 0 {
		maxFiles = 2_000_000
	}
	res := &Result{Source: src}
	var hives []*Candidate
	logs := map[string]LogFile{} // slash path -> log
	var sigLogs []LogFile        // logs recognised by content
	// consider looks at the regular file p (reached through a symbolic
	// link resolving to link, when link is not empty).
	var texts []TextFile
	consider := func(p string, size int64, link string) {
		base := strings.ToLower(path.Base(p))
		if _, ok := iniPlace(p); ok && iniNames[base] {
			texts = append(texts, TextFile{Path: p, Display: src.display(p), Size: size})
			return
		}
		if isLogName(base) {
			lf := LogFile{Path: p, Display: src.display(p), Size: size, Link: link}
			logs[p] = lf
			if size > 0 {
				if k, err := identify(src.FS, p); err == nil && k == hive.LogFile {
					sigLogs = append(sigLogs, lf)
				}
			}
			return
		}
		k, err := identify(src.FS, p)
		if err != nil {
			res.Problems = append(res.Problems, Problem{Path: src.display(p), Message: err.Error()})
			return
		}
		switch k {
		case hive.PrimaryHive:
			hives = append(hives, &Candidate{Path: p, Display: src.display(p), Size: size, Link: link})
		case hive.LogFile:
			lf := LogFile{Path: p, Display: src.display(p), Size: size, Link: link}
			logs[p] = lf
			sigLogs = append(sigLogs, lf)
		case hive.Win9xRegistry:
			res.Problems = append(res.Problems, Problem{Path: src.display(p), Message: "Windows 9x/Me registry (CREG) file: not supported"})
		default:
			if hiveNames[base] {
				res.Problems = append(res.Problems, Problem{Path: src.display(p), Message: fmt.Sprintf("named like a hive but is not one (%d bytes, no regf signature)", size)})
			}
		}
	}
	if src.Paths != nil {
		odd := map[string]bool{}
		for _, p := range src.Paths {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			st, err := fs.Stat(src.FS, p)
			if err != nil {
				res.Problems = append(res.Problems, Problem{Path: src.display(p), Message: err.Error()})
				continue
			}
			// A file system that serves names Windows cannot open as
			// written (a profile folder named "..", in an NTFS image)
			// describes them; each is a problem, once.
			if o, ok := st.Sys().(interface{ Oddities() []string }); ok {
				for _, m := range o.Oddities() {
					if !odd[m] {
						odd[m] = true
						res.Problems = append(res.Problems, Problem{Path: src.display(p), Message: m})
					}
				}
			}
			switch {
			case st.Mode().IsRegular():
				consider(p, st.Size(), "")
			case hivePlace(p, st.IsDir()):
				res.Problems = append(res.Problems, Problem{Path: src.display(p), Message: notAFile(st.Mode())})
			}
		}
	} else {
		n := 0
		err := fs.WalkDir(src.FS, src.Root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				res.Problems = append(res.Problems, Problem{Path: src.display(p), Message: err.Error()})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			n++
			if n&4095 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if n > maxFiles {
				res.Problems = append(res.Problems, Problem{Path: src.display(src.Root), Message: fmt.Sprintf("stopped after %d files", maxFiles)})
				return fs.SkipAll
			}
			switch t := d.Type(); {
			case t.IsRegular():
				info, err := d.Info()
				if err != nil {
					res.Problems = append(res.Problems, Problem{Path: src.display(p), Message: err.Error()})
					return nil
				}
				consider(p, info.Size(), "")
			case t&fs.ModeSymlink != 0:
				target, st, msg := followLink(src.FS, src.Root, p)
				switch {
				case msg != "":
					res.Problems = append(res.Problems, Problem{Path: src.display(p), Message: msg})
				case st == nil: // a link to a folder, or a dangling one, where no hive belongs
				case st.Mode().IsRegular():
					consider(p, st.Size(), target)
				case hivePlace(p, st.IsDir()):
					res.Problems = append(res.Problems, Problem{Path: src.display(p), Message: "symbolic link to " + target + ": " + notAFile(st.Mode())})
				}
			case hivePlace(p, t.IsDir()):
				// Directories, FIFOs, devices and sockets are never opened
				// (a FIFO would block); where a hive belongs they are named.
				res.Problems = append(res.Problems, Problem{Path: src.display(p), Message: notAFile(t)})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	used := map[string]bool{}
	for _, c := range hives {
		for _, ext := range []string{".log", ".log1", ".log2"} {
			if lf, ok := findSibling(logs, c.Path+ext); ok {
				c.Logs = append(c.Logs, lf)
				used[lf.Path] = true
			}
		}
	}
	for _, lf := range sigLogs {
		if !used[lf.Path] {
			res.OrphanLogs = append(res.OrphanLogs, lf)
		}
	}
	sort.Slice(res.OrphanLogs, func(i, j int) bool { return res.OrphanLogs[i].Path < res.OrphanLogs[j].Path })
	res.Hosts = group(src, hives)
	attachTexts(res.Hosts, texts)
	sort.Slice(res.Problems, func(i, j int) bool { return res.Problems[i].Path < res.Problems[j].Path })
	return res, nil
}

// attachTexts gives each host the ini files of its Windows folder. An ini
// file with no host (no hive was found beside it) is left out: no analyzer
// could use it alone.
func attachTexts(hosts []*Host, texts []TextFile) {
	for _, t := range texts {
		root, _ := iniPlace(t.Path)
		for _, h := range hosts {
			if h.Root == root && h.Label == "" {
				h.Texts = append(h.Texts, t)
			}
		}
	}
	for _, h := range hosts {
		sort.Slice(h.Texts, func(i, j int) bool { return h.Texts[i].Path < h.Texts[j].Path })
	}
}

// maxLinkHops bounds how many symbolic links one path may go through.
const maxLinkHops = 40

// followLink resolves the symbolic link p of fsys, hop by hop, without
// opening anything. It returns the slash path inside fsys that p resolves
// to and its FileInfo; when the link leaves root (an absolute target or one
// climbing out with ".."), loops, dangles or cannot be read, it returns
// instead a message for the report (empty for a dangling link whose name
// is not a hive's: such links are common and hold nothing). A link to a
// folder is not an error; WalkDir does not descend into it.
func followLink(fsys fs.FS, root, p string) (string, fs.FileInfo, string) {
	cur := p
	for hop := 0; hop < maxLinkHops; hop++ {
		target, err := fs.ReadLink(fsys, cur)
		if err != nil {
			return "", nil, fmt.Sprintf("symbolic link that cannot be read: %v", err)
		}
		next := path.Join(path.Dir(cur), target)
		abs := path.IsAbs(target) || strings.HasPrefix(target, `\`) || len(target) > 1 && target[1] == ':'
		if abs || !inside(root, next) {
			// Links to folders outside (junctions of a mounted Windows
			// volume, "Documents and Settings") hold no hive of this
			// evidence; anything else might be one.
			if st, err := fs.Stat(fsys, p); err == nil && st.IsDir() && !hivePlace(p, true) {
				return "", nil, ""
			}
			hint := "give the target itself"
			if abs {
				hint += ", or make the link relative"
			}
			return "", nil, fmt.Sprintf("symbolic link to %s, outside the evidence folder: not followed (%s)", target, hint)
		}
		st, err := fs.Lstat(fsys, next)
		if err != nil {
			if hivePlace(p, false) {
				return "", nil, fmt.Sprintf("symbolic link to %s, which does not exist: %v", next, err)
			}
			return "", nil, ""
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			if st.IsDir() && !hivePlace(p, true) {
				return "", nil, ""
			}
			return next, st, ""
		}
		cur = next
	}
	return "", nil, fmt.Sprintf("symbolic link: more than %d links in a row (a loop?): not followed", maxLinkHops)
}

// inside reports whether the slash path p lies in root ("." for all of the FS).
func inside(root, p string) bool {
	if p == ".." || strings.HasPrefix(p, "../") {
		return false
	}
	return root == "." || root == "" || p == root || strings.HasPrefix(p, root+"/")
}

// notAFile says what sits where a hive was expected, for the report.
func notAFile(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder where a hive would be: not a hive"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO) where a hive would be: not opened"
	case m&fs.ModeDevice != 0:
		return "a device file where a hive would be: not opened"
	case m&fs.ModeSocket != 0:
		return "a socket where a hive would be: not opened"
	}
	return fmt.Sprintf("not a regular file (%v) where a hive would be: not opened", m.Type())
}

// hivePlace reports whether something other than a regular file at p
// (a folder when dir) is where a hive could be: a hive's file name
// (SYSTEM, NTUSER.DAT, ...; with or without a .LOG, .LOG1 or .LOG2 suffix)
// inside Windows/System32/config or its RegBack folder, or anywhere for a
// FIFO, device or socket; a folder only when its name has the hive's
// extension (NTUSER.DAT, UsrClass.dat, Amcache.hve), since folders named
// System, Default or Drivers are normal elsewhere in Windows.
func hivePlace(p string, dir bool) bool {
	base := strings.ToLower(path.Base(p))
	for _, ext := range []string{".log", ".log1", ".log2"} {
		base = strings.TrimSuffix(base, ext)
	}
	if !hiveNames[base] {
		return false
	}
	parent := strings.ToLower(path.Dir(p))
	if parent == "system32/config" || parent == "system32/config/regback" ||
		strings.HasSuffix(parent, "/system32/config") || strings.HasSuffix(parent, "/system32/config/regback") {
		return true
	}
	return !dir || strings.Contains(base, ".")
}

func isLogName(base string) bool {
	return strings.HasSuffix(base, ".log") || strings.HasSuffix(base, ".log1") || strings.HasSuffix(base, ".log2")
}

// findSibling looks a log up by path, ignoring letter case.
func findSibling(logs map[string]LogFile, p string) (LogFile, bool) {
	if lf, ok := logs[p]; ok {
		return lf, true
	}
	for q, lf := range logs {
		if strings.EqualFold(q, p) {
			return lf, true
		}
	}
	return LogFile{}, false
}

// identify reads the first bytes of a file.
func identify(fsys fs.FS, p string) (hive.FileKind, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return hive.NotRegistry, err
	}
	defer f.Close()
	var head [512]byte
	n, err := io.ReadFull(f, head[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return hive.NotRegistry, err
	}
	return hive.Identify(head[:n]), nil
}
