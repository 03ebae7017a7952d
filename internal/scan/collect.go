package scan

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hivescan/hivescan/hive/archive"
	"github.com/hivescan/hivescan/hive/evidence"
	"github.com/hivescan/hivescan/hive/image"
	"github.com/hivescan/hivescan/report"
)

// opened is what the sources of one evidence path keep open until their
// hosts are scanned: disk images (reported) and archives, and the problems
// met while opening the evidence found inside a folder. It is closed when
// the last host that needs it is done (hold and release count them).
type opened struct {
	images   []*openImage
	archives []*archive.Archive
	problems []report.Problem
	nested   bool // a folder that holds archives or images

	mu    sync.Mutex
	refs  int
	done  bool
	descs []report.Image // the images' report entries, once closed
}

func (o *opened) add(other *opened) {
	if other == nil {
		return
	}
	o.images = append(o.images, other.images...)
	o.archives = append(o.archives, other.archives...)
	o.problems = append(o.problems, other.problems...)
}

func (o *opened) hold() {
	o.mu.Lock()
	o.refs++
	o.mu.Unlock()
}

// release drops one hold and closes everything when none is left.
func (o *opened) release() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.refs--; o.refs <= 0 {
		o.closeLocked()
	}
}

// close closes everything, held or not.
func (o *opened) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closeLocked()
}

func (o *opened) closeLocked() {
	if o.done {
		return
	}
	o.done = true
	for _, img := range o.images {
		img.Close()
		o.descs = append(o.descs, img.desc)
	}
	for _, a := range o.archives {
		a.Close()
	}
}

// archiveExts and imageExts pick, by name, the files of a folder worth
// opening as collections or disk images; the content then decides.
var (
	archiveExts = []string{".zip", ".7z", ".tar", ".tgz", ".tar.gz"}
	imageExts   = []string{".e01", ".vhd", ".vhdx", ".vmdk", ".raw", ".dd", ".img", ".001", ".qcow2", ".qcow", ".vdi", ".aff", ".ex01"}
)

func hasExt(name string, exts []string) bool {
	lower := strings.ToLower(name)
	for _, e := range exts {
		if strings.HasSuffix(lower, e) {
			return true
		}
	}
	return false
}

// maxNested bounds the archives and images opened from one folder.
const maxNested = 10_000

// dirSources is the sources of a folder: the folder itself and every
// archive and disk image inside it.
func dirSources(p string, verify bool) ([]evidence.Source, *opened, error) {
	srcs := []evidence.Source{{FS: os.DirFS(p), Root: ".", Name: p, Display: joinDisplay(p), Concurrent: true}}
	o := &opened{}
	var archives, images []string
	n := 0
	err := fs.WalkDir(os.DirFS(p), ".", func(q string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil // discovery reports unreadable files
		}
		if n++; n > 2_000_000 {
			return fs.SkipAll
		}
		if !d.Type().IsRegular() || len(archives)+len(images) >= maxNested {
			return nil
		}
		switch {
		case hasExt(d.Name(), archiveExts):
			archives = append(archives, q)
		case hasExt(d.Name(), imageExts):
			images = append(images, q)
		}
		return nil
	})
	if err != nil {
		return srcs, o, err
	}
	for _, q := range archives {
		full := filepath.Join(p, filepath.FromSlash(q))
		head, err := readHead(full)
		if err != nil || archive.Identify(head) == "" {
			continue // not an archive after all; discovery sees it as a file
		}
		s, ao, err := archiveSources(full)
		if err != nil {
			o.problems = append(o.problems, report.Problem{Path: full, Message: err.Error()})
		}
		srcs = append(srcs, s...)
		o.add(ao)
	}
	s, io2 := folderImages(p, images, verify)
	o.add(io2)
	srcs = append(srcs, s...)
	o.nested = len(srcs) > 1
	return srcs, o, nil
}

// folderImages opens the disk images of a folder. A file that is a segment
// or extent of another image (.E02, .002, a VMDK's -flat extent) is scanned
// once, as part of that image.
func folderImages(root string, names []string, verify bool) ([]evidence.Source, *opened) {
	o := &opened{}
	type cand struct {
		path string
		img  *openImage
		srcs []evidence.Source
		err  error
	}
	var cands []*cand
	for _, q := range names {
		full := filepath.Join(root, filepath.FromSlash(q))
		srcs, oi, err := imageSources(full, verify)
		if err == errNotEvidence {
			continue
		}
		cands = append(cands, &cand{path: full, img: oi, srcs: srcs, err: err})
	}
	segmentOf := map[string]bool{}
	for _, c := range cands {
		if c.img == nil {
			continue
		}
		for _, seg := range c.img.desc.Segments {
			if filepath.Clean(seg) != filepath.Clean(c.path) {
				segmentOf[filepath.Clean(seg)] = true
			}
		}
	}
	for _, c := range cands {
		if segmentOf[filepath.Clean(c.path)] {
			if c.img != nil {
				c.img.Close()
			}
			continue
		}
		if c.err != nil {
			o.problems = append(o.problems, report.Problem{Path: c.path, Message: c.err.Error()})
		}
		if c.img != nil {
			o.images = append(o.images, c.img)
		}
	}
	var srcs []evidence.Source
	for _, c := range cands {
		if !segmentOf[filepath.Clean(c.path)] {
			srcs = append(srcs, c.srcs...)
		}
	}
	return srcs, o
}

// archiveSources opens a collection archive as one source. Disk images
// inside it are opened when stored uncompressed as raw media; others are
// reported, to be extracted first.
func archiveSources(p string) ([]evidence.Source, *opened, error) {
	a, err := archive.Open(p, archive.Options{})
	if err != nil {
		return nil, nil, err
	}
	o := &opened{archives: []*archive.Archive{a}}
	for _, s := range a.Skipped {
		o.problems = append(o.problems, report.Problem{Path: p + "!" + s.Name, Message: "archive member not read: " + s.Reason})
	}
	display := func(name string) string {
		if name == "." || name == "" {
			return p
		}
		return p + "!" + a.RawName(name)
	}
	srcs := []evidence.Source{{FS: a, Root: ".", Name: p, Display: display}}
	var nested []string
	fs.WalkDir(a, ".", func(q string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (hasExt(q, imageExts) || hasExt(q, archiveExts)) {
			nested = append(nested, q)
		}
		return nil
	})
	sort.Strings(nested)
	for _, q := range nested {
		lower := strings.ToLower(q)
		r, size, ok := a.ReaderAt(q)
		rawMedia := hasExt(lower, []string{".raw", ".dd", ".img", ".001"})
		switch {
		case hasExt(lower, archiveExts):
			o.problems = append(o.problems, report.Problem{Path: display(q), Message: "an archive inside an archive: not opened; extract it to scan it"})
		case ok && rawMedia:
			img, err := image.NewImage(display(q), r, size)
			if err != nil {
				o.problems = append(o.problems, report.Problem{Path: display(q), Message: fmt.Sprintf("disk image inside the archive: %v", err)})
				continue
			}
			s, oi, err := volumeSources(path.Base(q), img, display(q), false)
			if err != nil {
				o.problems = append(o.problems, report.Problem{Path: display(q), Message: err.Error()})
			}
			srcs = append(srcs, s...)
			if oi != nil {
				o.images = append(o.images, oi)
			}
		default:
			o.problems = append(o.problems, report.Problem{Path: display(q), Message: "disk image inside the archive, compressed or not raw: not opened; extract it to scan it"})
		}
	}
	return srcs, o, nil
}
