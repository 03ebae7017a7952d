// Package corpus locates the shared corpus of public hives and images used by
// tests. Tests call Dir or Path: they skip when the corpus is absent, except
// under CI=true, where a missing corpus fails the test.
package corpus

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Root returns the corpus folder: $HIVESCAN_CORPUS, or ../shared/corpus
// relative to the module root. ok is false when the folder does not exist.
func Root() (dir string, ok bool) {
	dir = os.Getenv("HIVESCAN_CORPUS")
	if dir == "" {
		mod, err := moduleRoot()
		if err != nil {
			return "", false
		}
		dir = filepath.Join(mod, "..", "shared", "corpus")
	}
	st, err := os.Stat(dir)
	return dir, err == nil && st.IsDir()
}

// CI reports whether tests run under CI=true, where corpus and peer tests
// must not skip.
func CI() bool { return os.Getenv("CI") == "true" }

// Dir returns the corpus folder, skipping t when it is absent (failing under CI).
func Dir(t testing.TB) string {
	t.Helper()
	dir, ok := Root()
	if !ok {
		if CI() {
			t.Fatalf("corpus not found at %q (set HIVESCAN_CORPUS)", dir)
		}
		t.Skipf("corpus not found at %q (set HIVESCAN_CORPUS)", dir)
	}
	return dir
}

// Path returns the path of a corpus file named by its MANIFEST staged path
// (slash-separated), skipping or failing t like Dir when it is missing.
func Path(t testing.TB, staged string) string {
	t.Helper()
	p := filepath.Join(Dir(t), filepath.FromSlash(staged))
	if _, err := os.Stat(p); err != nil {
		if CI() {
			t.Fatalf("corpus file missing: %v", err)
		}
		t.Skipf("corpus file missing: %v", err)
	}
	return p
}

// Entry is one row of MANIFEST.tsv.
type Entry struct {
	Path   string // staged path, slash-separated, relative to the corpus root
	Size   int64
	SHA256 string
	Kind   string // SYSTEM, SOFTWARE, NTUSER, LOG1, disk-e01, other, ...
	Notes  string
}

// Manifest reads MANIFEST.tsv, skipping or failing t like Dir.
func Manifest(t testing.TB) []Entry {
	t.Helper()
	dir := Dir(t)
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		t.Fatalf("corpus manifest: %v", err)
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 8 {
			continue
		}
		var size int64
		for _, c := range cols[4] {
			if c < '0' || c > '9' {
				break
			}
			size = size*10 + int64(c-'0')
		}
		out = append(out, Entry{Path: cols[0], Size: size, SHA256: cols[5], Kind: cols[6], Notes: cols[7]})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("corpus manifest: %v", err)
	}
	return out
}

// RequireTool returns the path of an external program (a peer such as
// reglookup), skipping t when it is missing (failing under CI).
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := execLookPath(name)
	if err != nil {
		if CI() {
			t.Fatalf("%s not installed (.ci/run installs it): %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
