package image

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive/image/ntfsfs"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/internal/imagetest"
)

// walkTree is a small volume with nested folders, a deleted file and a
// deleted folder's file.
func walkTree() imagetest.Tree {
	return imagetest.Tree{
		Files: map[string][]byte{
			"Windows/System32/smss.exe":    []byte("MZ one"),
			"Users/bob/Downloads/evil.exe": []byte("MZ evil"),
			"Users/bob/gone.exe":           []byte("MZ gone"),
			"a/b/c/d.txt":                  []byte("d"),
		},
		Dirs:    []string{"empty"},
		Deleted: []string{"Users/bob/gone.exe"},
	}
}

// TestWalkMatchesFls compares Walk's names, live and deleted, with
// sleuthkit's fls -r -p (which marks deleted names with "*").
func TestWalkMatchesFls(t *testing.T) {
	raw := buildNTFS(t, 8<<20, walkTree())
	fls := corpus.RequireTool(t, "fls")
	out, err := exec.Command(fls, "-r", "-p", raw).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{} // path -> deleted
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		meta, p, ok := strings.Cut(sc.Text(), "\t")
		if !ok || strings.HasPrefix(p, "$") || strings.Contains(p, ":") {
			continue
		}
		want[p] = strings.Contains(meta, "*")
	}
	img, err := Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	vol := img.NTFS()[0].FS.(*ntfsfs.FS)
	got := map[string]bool{}
	st, err := vol.Walk(context.Background(), func(e ntfsfs.Entry) error {
		if strings.HasPrefix(e.Path, "$") {
			return nil
		}
		if _, dup := got[e.Path]; dup {
			return fmt.Errorf("%s met twice", e.Path)
		}
		got[e.Path] = e.Deleted
		if e.Path == "Users/bob/gone.exe" && (e.Size != 7 || e.Record.FileName.Created.IsZero()) {
			t.Errorf("deleted entry %+v", e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Walk differs from fls (-fls +Walk, true = deleted):\n%s", diff)
	}
	if !got["Users/bob/gone.exe"] || st.Deleted == 0 || st.Damaged != 0 {
		t.Errorf("deleted file not found as deleted: %v, stats %+v", got["Users/bob/gone.exe"], st)
	}
	keys := make([]string, 0, len(got))
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t.Logf("%d names, stats %+v", len(keys), st)
}

// BenchmarkWalk lists a volume of 20,000 files in 200 folders through the
// MFT (Walk) and through the folder indexes (fs.WalkDir), the two ways the
// volume sweep can look.
func BenchmarkWalk(b *testing.B) {
	tr := imagetest.Tree{Files: map[string][]byte{}}
	for i := range 20000 {
		tr.Files[fmt.Sprintf("d%03d/f%05d.exe", i%200, i)] = []byte("MZ")
	}
	raw := buildNTFS(b, 64<<20, tr)
	img, err := Open(raw)
	if err != nil {
		b.Fatal(err)
	}
	defer img.Close()
	vol := img.NTFS()[0].FS.(*ntfsfs.FS)
	b.Run("mft", func(b *testing.B) {
		for b.Loop() {
			n := 0
			if _, err := vol.Walk(context.Background(), func(ntfsfs.Entry) error { n++; return nil }); err != nil || n < 20000 {
				b.Fatal(n, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/20200, "ns/name")
	})
	b.Run("walkdir", func(b *testing.B) {
		for b.Loop() {
			n := 0
			err := fs.WalkDir(vol, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if strings.HasPrefix(p, "$") && d.IsDir() {
					return fs.SkipDir
				}
				n++
				return nil
			})
			if err != nil || n < 20000 {
				b.Fatal(n, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/20200, "ns/name")
	})
}

// TestWalkDamagedRecord breaks the fixup of the MFT record of one file:
// Walk skips it, counts it as damaged and lists the others.
func TestWalkDamagedRecord(t *testing.T) {
	raw := buildNTFS(t, 8<<20, walkTree())
	b, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	name := []byte("e\x00v\x00i\x00l\x00.\x00e\x00x\x00e\x00")
	broken := 0
	for off := 0; off+1024 <= len(b); off += 1024 {
		rec := b[off : off+1024]
		if string(rec[:4]) == "FILE" && bytes.Contains(rec, name) {
			rec[510] ^= 0xFF // the first sector's update sequence number
			broken++
		}
	}
	if broken == 0 {
		t.Fatal("no MFT record names evil.exe")
	}
	if err := os.WriteFile(raw, b, 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	var names []string
	st, err := img.NTFS()[0].FS.(*ntfsfs.FS).Walk(context.Background(), func(e ntfsfs.Entry) error {
		names = append(names, e.Path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Damaged != broken || slices.Contains(names, "Users/bob/Downloads/evil.exe") || !slices.Contains(names, "Windows/System32/smss.exe") {
		t.Errorf("damaged %d (want %d), names %q", st.Damaged, broken, names)
	}
}
