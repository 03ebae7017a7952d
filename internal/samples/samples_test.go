package samples

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// TestCommittedEvidenceIsCurrent keeps testdata/evidence equal to what
// "go generate ./internal/samples" writes.
func TestCommittedEvidenceIsCurrent(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "evidence")
	want := map[string][]byte{}
	for _, h := range Hosts() {
		files, err := h.Build()
		if err != nil {
			t.Fatal(err)
		}
		for p, b := range files {
			want[filepath.ToSlash(filepath.Join(h.Name, p))] = b
		}
	}
	got := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		got[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatalf("reading %s: %v (run go generate ./internal/samples)", dir, err)
	}
	var names []string
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !bytes.Equal(got[n], want[n]) {
			t.Errorf("%s differs from the generator's output: run go generate ./internal/samples", n)
		}
		delete(got, n)
	}
	for n := range got {
		t.Errorf("%s is not written by the generator: remove it or run go generate ./internal/samples", n)
	}
}
