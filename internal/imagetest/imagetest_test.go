package imagetest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive/image/container"
	"github.com/hivescan/hivescan/internal/corpus"
)

var testTree = Tree{
	Dirs: []string{"Empty", "Windows/System32/drivers"},
	Files: map[string][]byte{
		"Windows/System32/config/SYSTEM": bytes.Repeat([]byte("regf"), 5000),
		"Users/bob/NTUSER.DAT":           []byte("small, resident"),
		"a b/ünï.txt":                    {},
	},
}

// fls lists the names in an NTFS volume at a sector offset of image with
// sleuthkit, an independent reader, as "d/path" and "r/path" lines.
func fls(t *testing.T, image string, sector int64) []string {
	t.Helper()
	tool := corpus.RequireTool(t, "fls")
	out, err := exec.Command(tool, "-r", "-p", "-o", fmt.Sprint(sector), image).Output()
	if err != nil {
		t.Fatalf("fls: %v", err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		kind, rest, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		_, name, ok := strings.Cut(rest, ":\t")
		if !ok || strings.HasPrefix(name, "$") {
			continue
		}
		got = append(got, kind[:1]+"/"+name)
	}
	sort.Strings(got)
	return got
}

func TestNTFSAndLayouts(t *testing.T) {
	vol := NTFS(t, 4<<20, testTree)
	want := []string{"d/Empty", "d/Users", "d/Users/bob", "d/Windows", "d/Windows/System32",
		"d/Windows/System32/config", "d/Windows/System32/drivers", "d/a b",
		"r/Users/bob/NTUSER.DAT", "r/Windows/System32/config/SYSTEM", "r/a b/ünï.txt"}
	for _, l := range Layouts() {
		t.Run(l.Name, func(t *testing.T) {
			d := l.Place(t, vol)
			if diff := cmp.Diff(want, fls(t, d.Path, d.Offset/512)); diff != "" {
				t.Errorf("fls (-want +got):\n%s", diff)
			}
		})
	}
}

// Every container reads back as the raw disk it was made from.
func TestContainers(t *testing.T) {
	disk := GPT(t, NTFS(t, 3<<20, testTree)).Path
	want, err := os.ReadFile(disk)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Containers() {
		t.Run(c.Name, func(t *testing.T) {
			p := c.Convert(t, disk)
			ct, err := container.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer ct.Close()
			if ct.Format != c.Format {
				t.Errorf("format %q, want %q", ct.Format, c.Format)
			}
			if c.Name == "e01-split" && len(ct.Segments) < 3 {
				t.Errorf("%d segments, want several", len(ct.Segments))
			}
			if ct.Size() < int64(len(want)) {
				t.Fatalf("size %d < %d", ct.Size(), len(want))
			}
			got := make([]byte, ct.Size())
			if _, err := ct.ReadAt(got, 0); err != nil && err != io.EOF {
				t.Fatal(err)
			}
			if !bytes.Equal(got[:len(want)], want) || bytes.ContainsFunc(got[len(want):], func(r rune) bool { return r != 0 }) {
				t.Error("contents differ from the raw disk")
			}
		})
	}
}
