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
}

// LogFile is a transaction log paired with a hive.
type LogFile struct {
	Path    string
	Display string
	Size    int64
}

// Host is the hives of one Windows installation or collection folder.
type Host struct {
	Name  string // display name, unique within one Discover result
	Root  string // slash path of the host folder inside Source.FS
	Label string // hive.LabelRegBack for the RegBack copies of a host
	Hives []*Candidate
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
	consider := func(p string, size int64) {
		base := strings.ToLower(path.Base(p))
		if isLogName(base) {
			lf := LogFile{Path: p, Display: src.display(p), Size: size}
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
			hives = append(hives, &Candidate{Path: p, Display: src.display(p), Size: size})
		case hive.LogFile:
			lf := LogFile{Path: p, Display: src.display(p), Size: size}
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
		for _, p := range src.Paths {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			st, err := fs.Stat(src.FS, p)
			if err != nil {
				res.Problems = append(res.Problems, Problem{Path: src.display(p), Message: err.Error()})
				continue
			}
			if st.Mode().IsRegular() {
				consider(p, st.Size())
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
			if !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				res.Problems = append(res.Problems, Problem{Path: src.display(p), Message: err.Error()})
				return nil
			}
			consider(p, info.Size())
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
	sort.Slice(res.Problems, func(i, j int) bool { return res.Problems[i].Path < res.Problems[j].Path })
	return res, nil
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
