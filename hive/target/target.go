// Package target describes the files that registry entries name: it finds
// a Windows path on a volume given as an io/fs.FS, ignoring letter case, and
// reports the file's size, hashes, file-system times and, for PE files, the
// header and version-resource facts.
//
// Nothing is executed or written. Every read is bounded: hashes cover at
// most MaxHash bytes (Facts.Partial says when a file was longer), PE
// headers and resources are read within fixed caps, and a hostile file gives
// partial facts or an error, never a panic.
package target

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
)

// MaxHash is the number of bytes hashed at most per file.
const MaxHash = 256 << 20

// maxDirEntries bounds one folder listing kept for lookups.
const maxDirEntries = 1 << 20

// Facts describe one file as found on the volume.
type Facts struct {
	Path    string // slash path inside the FS as found (its real letter case)
	Exists  bool
	Size    int64
	SHA256  string // lower-case hex of the first MaxHash bytes
	SHA1    string
	MD5     string
	Partial bool // the file was longer than MaxHash: hashes cover a prefix
	Sys     any  // FileInfo.Sys of the file (*ntfsfs.Record on NTFS volumes)
	PE      *PE  // nil when the file is not a PE file
	PEError string
}

// Resolver finds files on one volume. It caches folder listings and is safe
// for concurrent use.
type Resolver struct {
	fsys fs.FS
	root string // folder of the FS holding the drive's root

	mu   sync.Mutex
	dirs map[string][]fs.DirEntry
}

// NewResolver returns a resolver for the drive whose root is the folder root
// of fsys ("." for a volume).
func NewResolver(fsys fs.FS, root string) *Resolver {
	if root == "" {
		root = "."
	}
	return &Resolver{fsys: fsys, root: root, dirs: map[string][]fs.DirEntry{}}
}

// Find returns the slash path in the FS of a Windows path on the drive
// ("C:\Windows\System32\smss.exe" or "\Windows\..."), matching each element
// without regard to letter case. It returns an error wrapping fs.ErrNotExist
// when some element is absent.
func (r *Resolver) Find(winPath string) (string, error) {
	p := winPath
	if len(p) >= 2 && p[1] == ':' {
		p = p[2:]
	}
	cur := r.root
	for _, e := range strings.Split(p, `\`) {
		if e == "" || e == "." {
			continue
		}
		if e == ".." {
			return "", fmt.Errorf("%s: %w", winPath, fs.ErrInvalid)
		}
		ents, err := r.list(cur)
		if err != nil {
			return "", err
		}
		found := ""
		for _, d := range ents {
			if d.Name() == e {
				found = e
				break
			}
			if found == "" && strings.EqualFold(d.Name(), e) {
				found = d.Name()
			}
		}
		if found == "" {
			found = shortName(ents, e)
		}
		if found == "" {
			return "", fmt.Errorf("%s: %w", winPath, fs.ErrNotExist)
		}
		cur = path.Join(cur, found)
	}
	return cur, nil
}

func (r *Resolver) list(dir string) ([]fs.DirEntry, error) {
	r.mu.Lock()
	ents, ok := r.dirs[dir]
	r.mu.Unlock()
	if ok {
		return ents, nil
	}
	f, err := r.fsys.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd, ok := f.(fs.ReadDirFile)
	if !ok {
		return nil, fmt.Errorf("%s: %w", dir, fs.ErrNotExist)
	}
	for len(ents) < maxDirEntries {
		batch, err := rd.ReadDir(4096)
		ents = append(ents, batch...)
		if err == io.EOF || len(batch) == 0 {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", dir, err)
		}
	}
	r.mu.Lock()
	r.dirs[dir] = ents
	r.mu.Unlock()
	return ents, nil
}

// Describe finds winPath and describes it. A file that is absent gives Facts
// with Exists false and a nil error; other failures are returned.
func (r *Resolver) Describe(winPath string) (Facts, error) {
	name, err := r.Find(winPath)
	if errors.Is(err, fs.ErrNotExist) {
		return Facts{}, nil
	}
	if err != nil {
		return Facts{}, err
	}
	return Describe(r.fsys, name)
}

// Describe reads the file name of fsys and returns its facts.
func Describe(fsys fs.FS, name string) (Facts, error) {
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return Facts{Path: name}, nil
	}
	if err != nil {
		return Facts{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Facts{}, fmt.Errorf("%s: %w", name, err)
	}
	if fi.IsDir() {
		return Facts{Path: name}, nil
	}
	facts := Facts{Path: name, Exists: true, Size: fi.Size(), Sys: fi.Sys(), Partial: fi.Size() > MaxHash}
	hs := []hash.Hash{sha256.New(), sha1.New(), md5.New()}
	w := io.MultiWriter(hs[0], hs[1], hs[2])
	if _, err := io.Copy(w, io.LimitReader(f, MaxHash)); err != nil {
		return facts, fmt.Errorf("hash %s: %w", name, err)
	}
	facts.SHA256 = hex.EncodeToString(hs[0].Sum(nil))
	facts.SHA1 = hex.EncodeToString(hs[1].Sum(nil))
	facts.MD5 = hex.EncodeToString(hs[2].Sum(nil))
	if ra, ok := f.(io.ReaderAt); ok {
		pe, err := ReadPE(ra, fi.Size())
		switch {
		case errors.Is(err, ErrNotPE):
		case err != nil:
			facts.PEError = err.Error()
			facts.PE = pe
		default:
			facts.PE = pe
		}
	}
	return facts, nil
}

// shortName returns the entry an 8.3 short name ("PROGRA~1", "MICROS~2.EXE")
// stands for when the volume does not list short names: the Nth entry, in
// name order, whose long name without spaces and dots starts with the
// name's stem and whose extension starts with its extension. Windows
// numbers short names in creation order, which usually follows name order
// for the folders registry paths name (Program Files before Program Files
// (x86)); "" when nothing matches.
func shortName(ents []fs.DirEntry, e string) string {
	stem, ext, _ := strings.Cut(strings.ToUpper(e), ".")
	base, num, ok := strings.Cut(stem, "~")
	if !ok || base == "" || len(stem) > 8 || len(ext) > 3 {
		return ""
	}
	n := 0
	for _, c := range num {
		if c < '0' || c > '9' {
			return ""
		}
		n = n*10 + int(c-'0')
	}
	if n == 0 {
		return ""
	}
	var names []string
	for _, d := range ents {
		long := strings.ToUpper(d.Name())
		lstem, lext := long, ""
		if i := strings.LastIndexByte(long, '.'); i > 0 {
			lstem, lext = long[:i], long[i+1:]
		}
		squeezed := strings.NewReplacer(" ", "", ".", "").Replace(lstem)
		if strings.HasPrefix(squeezed, base) && strings.HasPrefix(lext, ext) && (ext != "" || lext == "" || d.IsDir()) {
			names = append(names, d.Name())
		}
	}
	sort.Strings(names)
	if n > len(names) {
		return ""
	}
	return names[n-1]
}
