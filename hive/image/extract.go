package image

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/hivescan/hivescan/hive/image/ntfsfs"
)

// maxExtract bounds the size of one extracted file.
const maxExtract = 4 << 30

// Manifest describes an extraction; Extract writes it as manifest.json.
type Manifest struct {
	Image    string          `json:"image"`
	Format   string          `json:"format"`
	Files    []ExtractedFile `json:"files"`
	Problems []string        `json:"problems,omitempty"`
}

// ExtractedFile is one file written by Extract.
type ExtractedFile struct {
	Volume string `json:"volume"` // Volume.Desc
	Path   string `json:"path"`   // slash path in the volume, as this FS serves it (odd names by their alias)
	// RawPath is Path with every name that Windows cannot open as written
	// (see ntfsfs.OddName) as stored in the index, Go-quoted: Users/".."/NTUSER.DAT.
	// Empty when there is none.
	RawPath   string `json:"raw_path,omitempty"`
	Display   string `json:"display"` // Image.Display form
	Written   string `json:"written"` // slash path relative to the output folder
	Kind      string `json:"kind"`    // Found.Kind, or "log"
	Root      string `json:"root"`    // Found.Root
	User      string `json:"user,omitempty"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	MFTRecord uint64 `json:"mft_record,omitempty"`
	// NTFS $STANDARD_INFORMATION times, UTC, when the volume is NTFS.
	Created    *time.Time `json:"created,omitempty"`
	Modified   *time.Time `json:"modified,omitempty"`
	MFTChanged *time.Time `json:"mft_changed,omitempty"`
	Accessed   *time.Time `json:"accessed,omitempty"`

	odd []ntfsfs.OddName
}

// rawPath spells p with its odd names as stored, quoted, or "" when it has none.
func rawPath(p string, odd []ntfsfs.OddName) string {
	if len(odd) == 0 {
		return ""
	}
	parts := strings.Split(p, "/")
	for i := range parts {
		prefix := path.Join(parts[:i+1]...)
		for _, o := range odd {
			if o.Path == prefix {
				parts[i] = strconv.Quote(o.Raw)
			}
		}
	}
	return strings.Join(parts, "/")
}

// Extract copies the hives Locate finds in every NTFS volume of img, and
// their logs, into dir (created if needed), and writes manifest.json there.
// Files land under dir/<volume>/<path in volume>, every component
// sanitized; nothing is written outside dir and no existing file is
// overwritten (a clashing name gets a "~N" suffix). Names Windows cannot
// open as written (a profile folder named "..", a slash inside a name, a
// device name) are read through their index entry, written under their
// safe alias, recorded in ExtractedFile.RawPath and listed once each in
// Manifest.Problems. Files that cannot be read are listed in
// Manifest.Problems too; the error reports only failures to write.
func Extract(img *Image, dir string) (*Manifest, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	defer root.Close()
	m := &Manifest{Image: img.Path, Format: img.Format, Files: []ExtractedFile{}}
	for _, v := range img.NTFS() {
		found, err := Locate(v.FS)
		if err != nil {
			m.Problems = append(m.Problems, fmt.Sprintf("%s: %v", v.Desc, err))
		}
		volDir := sanitize(strings.ReplaceAll(v.Desc, " ", "_"))
		reported := map[string]bool{}
		for _, f := range found {
			files := []ExtractedFile{{Path: f.Path, Kind: f.Kind, Root: f.Root, User: f.User}}
			for _, lg := range f.Logs {
				files = append(files, ExtractedFile{Path: lg, Kind: "log", Root: f.Root, User: f.User})
			}
			for _, ef := range files {
				ef.Volume = v.Desc
				ef.Display = img.Display(v, ef.Path)
				err := copyOut(root, v.FS, volDir, &ef)
				var werr *writeError
				switch {
				case errors.As(err, &werr):
					return m, fmt.Errorf("extract: %w", err)
				case err != nil:
					m.Problems = append(m.Problems, fmt.Sprintf("%s: %v", ef.Display, err))
					continue
				}
				for _, o := range ef.odd {
					if !reported[o.Path] {
						reported[o.Path] = true
						m.Problems = append(m.Problems, fmt.Sprintf("%s: %s", img.Display(v, o.Path), o))
					}
				}
				m.Files = append(m.Files, ef)
			}
		}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, fmt.Errorf("extract: %w", err)
	}
	out, err := root.OpenFile("manifest.json", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return m, fmt.Errorf("extract: %w", err)
	}
	if _, err := out.Write(append(b, '\n')); err != nil {
		out.Close()
		return m, fmt.Errorf("extract: %w", err)
	}
	if err := out.Close(); err != nil {
		return m, fmt.Errorf("extract: %w", err)
	}
	return m, nil
}

type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// copyOut copies ef.Path from fsys into root under volDir and fills in
// the rest of ef.
func copyOut(root *os.Root, fsys fs.FS, volDir string, ef *ExtractedFile) error {
	src, err := fsys.Open(ef.Path)
	if err != nil {
		return err
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return err
	}
	if fi.Size() > maxExtract {
		return fmt.Errorf("%d bytes exceeds the %d-byte limit", fi.Size(), int64(maxExtract))
	}
	if rec, ok := fi.Sys().(*ntfsfs.Record); ok {
		t := rec.StandardInformation
		ef.MFTRecord = rec.Number
		ef.Created, ef.Modified, ef.MFTChanged, ef.Accessed = &t.Created, &t.Modified, &t.MFTChanged, &t.Accessed
		ef.odd = rec.OddNames
		ef.RawPath = rawPath(ef.Path, rec.OddNames)
	}
	parts := []string{volDir}
	for _, c := range strings.Split(ef.Path, "/") {
		parts = append(parts, sanitize(c))
	}
	rel := path.Join(parts...)
	if err := root.MkdirAll(path.Dir(rel), 0o755); err != nil {
		return &writeError{err}
	}
	dst, written, err := createUnique(root, rel)
	if err != nil {
		return &writeError{err}
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(dst, h), io.LimitReader(src, maxExtract))
	cerr := dst.Close()
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Op == "write" {
			return &writeError{err}
		}
		root.Remove(written)
		return err
	}
	if cerr != nil {
		return &writeError{cerr}
	}
	ef.Written, ef.Size, ef.SHA256 = written, n, hex.EncodeToString(h.Sum(nil))
	return nil
}

// createUnique creates rel, or rel~1, rel~2, ... when it exists.
func createUnique(root *os.Root, rel string) (*os.File, string, error) {
	name := rel
	for i := 1; ; i++ {
		f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			return f, name, nil
		}
		if !errors.Is(err, fs.ErrExist) || i > 999 {
			return nil, "", err
		}
		name = fmt.Sprintf("%s~%d", rel, i)
	}
}

// sanitize makes one path component safe on any host: no separators,
// drive letters, control or reserved characters, no "." or "..", no
// trailing dot or space, no Windows device name, at most 120 bytes.
func sanitize(c string) string {
	var b strings.Builder
	for _, r := range c {
		switch {
		case r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) || r == 0xFFFD:
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	s := strings.TrimRight(b.String(), ". ")
	if len(s) > 120 {
		s = strings.ToValidUTF8(s[:120], "")
	}
	if s == "" || s == "." || s == ".." {
		s = "_" + s
	}
	upper := strings.ToUpper(s)
	if i := strings.IndexByte(upper, '.'); i >= 0 {
		upper = upper[:i]
	}
	switch upper {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		s = "_" + s
	}
	return s
}
