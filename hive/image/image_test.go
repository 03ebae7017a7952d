package image

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/internal/imagetest"
)

const volSize = 24 << 20

// layouts place the test volume on a disk; offset and desc are where
// Open must find it.
var layouts = []struct {
	name   string
	place  func(testing.TB, string) imagetest.Disk
	offset int64
	desc   string
}{
	{"bare", imagetest.Bare, 0, "volume (NTFS)"},
	{"mbr-logical", imagetest.MBR, 10240 * 512, "partition 5 (NTFS)"},
	{"gpt", imagetest.GPT, 4096 * 512, "partition 2 (NTFS)"},
}

// wantLocate is what Locate must find in windowsTree.
var wantLocate = []Found{
	{Root: ".", Path: "Boot/BCD", Kind: "BCD", Size: 16 << 10},
	{Root: ".", Path: "Users/alice/AppData/Local/Microsoft/Windows/UsrClass.dat", Kind: "UsrClass", User: "alice", Size: 20 << 10},
	{Root: ".", Path: "Users/alice/NTUSER.DAT", Kind: "NTUSER", User: "alice", Size: 100 << 10, Logs: []string{"Users/alice/ntuser.dat.LOG1"}},
	{Root: "Windows.old", Path: "Windows.old/WINDOWS/system32/CONFIG/SYSTEM", Kind: "SYSTEM", Size: 50 << 10},
	{Root: ".", Path: "Windows/System32/config/RegBack/SYSTEM", Kind: "RegBack", Size: 40 << 10},
	{Root: ".", Path: "Windows/System32/config/SAM", Kind: "SAM", Size: 600},
	{Root: ".", Path: "Windows/System32/config/SYSTEM", Kind: "SYSTEM", Size: 300 << 10, Logs: []string{"Windows/System32/config/SYSTEM.LOG1", "Windows/System32/config/SYSTEM.LOG2"}},
	{Root: ".", Path: "Windows/System32/config/software", Kind: "SOFTWARE", Size: 200 << 10, Logs: []string{"Windows/System32/config/SOFTWARE.log"}},
}

func TestBuiltImages(t *testing.T) {
	tr := windowsTree()
	vol := buildNTFS(t, volSize, tr)
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			disk := l.place(t, vol).Path
			img, err := Open(disk)
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			vols := img.NTFS()
			if len(vols) != 1 {
				t.Fatalf("NTFS volumes %+v", img.Volumes)
			}
			v := vols[0]
			if v.Desc != l.desc || v.Offset != l.offset {
				t.Errorf("volume %q at %d, want %q at %d", v.Desc, v.Offset, l.desc, l.offset)
			}
			for name, want := range tr.Files {
				got, err := fs.ReadFile(v.FS, name)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s: %d bytes differ from the %d written", name, len(got), len(want))
				}
			}
			// Windows lookup rules: any case.
			got, err := fs.ReadFile(v.FS, "WINDOWS/system32/CONFIG/system")
			if err != nil || !bytes.Equal(got, tr.Files["Windows/System32/config/SYSTEM"]) {
				t.Errorf("case-insensitive read: %v", err)
			}
			found, err := Locate(v.FS)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantLocate, found); diff != "" {
				t.Errorf("Locate (-want +got):\n%s", diff)
			}
			if got, want := img.Display(v, "Windows/System32/config/SYSTEM"), filepath.Base(disk)+" > "+l.desc+` > \Windows\System32\config\SYSTEM`; got != want {
				t.Errorf("Display = %q, want %q", got, want)
			}
			if got, want := img.Display(v, "."), filepath.Base(disk)+" > "+l.desc+` > \`; got != want {
				t.Errorf("Display(.) = %q, want %q", got, want)
			}
		})
	}
}

func TestFSConformance(t *testing.T) {
	img, err := Open(buildNTFS(t, volSize, windowsTree()))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if err := fstest.TestFS(img.NTFS()[0].FS, "Windows/System32/config/SYSTEM", "Users/alice/NTUSER.DAT", "Boot/BCD"); err != nil {
		t.Fatal(err)
	}
}

func TestExtract(t *testing.T) {
	tr := windowsTree()
	img, err := Open(buildNTFS(t, volSize, tr))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	out := t.TempDir()
	m, err := Extract(img, out)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Problems) > 0 {
		t.Errorf("problems %q", m.Problems)
	}
	var paths []string
	for _, f := range m.Files {
		paths = append(paths, f.Path)
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(f.Written)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, tr.Files[f.Path]) || int64(len(b)) != f.Size {
			t.Errorf("%s: extracted bytes differ", f.Path)
		}
		if f.Modified == nil || f.Modified.IsZero() || f.MFTRecord == 0 {
			t.Errorf("%s: no NTFS times/record: %+v", f.Path, f)
		}
	}
	var want []string
	for _, f := range wantLocate {
		want = append(want, f.Path)
		want = append(want, f.Logs...)
	}
	sort.Strings(want)
	sort.Strings(paths)
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("extracted (-want +got):\n%s", diff)
	}
	var onDisk Manifest
	b, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &onDisk); err != nil {
		t.Fatal(err)
	}
	if len(onDisk.Files) != len(m.Files) || onDisk.Files[0].SHA256 != m.Files[0].SHA256 {
		t.Errorf("manifest.json differs from the returned manifest")
	}

	// A second extraction into the same folder overwrites nothing: the
	// files get new names and the existing manifest is kept (an error).
	before := snapshot(t, out)
	m2, err := Extract(img, out)
	if err == nil {
		t.Error("second Extract overwrote manifest.json")
	}
	for p, b := range before {
		now, err := os.ReadFile(filepath.Join(out, p))
		if err != nil || !bytes.Equal(now, b) {
			t.Errorf("%s changed", p)
		}
	}
	if m2 != nil && len(m2.Files) > 0 && !strings.HasSuffix(m2.Files[0].Written, "~1") {
		t.Errorf("second extraction wrote %q", m2.Files[0].Written)
	}
}

func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSanitize(t *testing.T) {
	tests := map[string]string{
		"..":                     "_",
		".":                      "_",
		"":                       "_",
		`..\..\etc`:              `.._.._etc`,
		"a/b":                    "a_b",
		"C:":                     "C_",
		"NUL":                    "_NUL",
		"con.txt":                "_con.txt",
		"trail. ":                "trail",
		"ok name.DAT":            "ok name.DAT",
		"tab\there":              "tab_here",
		"SYSTEM.LOG1":            "SYSTEM.LOG1",
		"\x00":                   "_",
		"ünïcödé":                "ünïcödé",
		strings.Repeat("x", 300): strings.Repeat("x", 120),
	}
	for in, want := range tests {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExtractHostileNames extracts from a file system whose names try to
// escape the output folder.
func TestExtractHostileNames(t *testing.T) {
	mem := fstest.MapFS{
		"Windows/System32/config/SYSTEM": {Data: []byte("regf1")},
		"Users/../../evil/NTUSER.DAT":    {Data: []byte("regf2")},
		`Users/..\..\x/NTUSER.DAT`:       {Data: []byte("regf3")},
		"Users/CON/NTUSER.DAT":           {Data: []byte("regf4")},
		"Users/a:b/NTUSER.DAT":           {Data: []byte("regf5")},
		"Users/bob/NTUSER.DAT.LOG1":      {Data: []byte("log")},
		"Users/bob/NTUSER.DAT":           {Data: []byte("regf6")},
	}
	img := &Image{Path: "x.raw", Format: "raw", Volumes: []Volume{{Desc: "../../volume (NTFS)", FS: mem}}, read: func() int64 { return 0 }}
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	m, err := Extract(img, out)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		p := filepath.Join(out, filepath.FromSlash(f.Written))
		rel, err := filepath.Rel(out, p)
		if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			t.Errorf("%q written outside the folder as %q", f.Path, f.Written)
		}
	}
	// Nothing but out in parent.
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("parent holds %v", entries)
	}
	if len(m.Files) < 5 {
		t.Errorf("extracted %d files: %+v, problems %q", len(m.Files), m.Files, m.Problems)
	}
}

// captureStdout runs fn and returns what it printed to os.Stdout.
func captureStdout(t *testing.T, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	defer func() {
		os.Stdout = old
	}()
	fn()
	os.Stdout = old
	w.Close()
	return string(<-done)
}

// exercise opens a disk and reads everything Locate finds; it must never
// panic. It returns the first error.
func exercise(disk string) error {
	img, err := Open(disk)
	if err != nil {
		return err
	}
	defer img.Close()
	var errs []error
	for _, v := range img.NTFS() {
		found, err := Locate(v.FS)
		errs = append(errs, err)
		for _, f := range found {
			_, err := fs.ReadFile(v.FS, f.Path)
			errs = append(errs, err)
		}
		errs = append(errs, fs.WalkDir(v.FS, ".", func(p string, d fs.DirEntry, err error) error { return nil }))
	}
	return errors.Join(errs...)
}

func TestCorruptVolumes(t *testing.T) {
	t.Setenv("NTFS_DEBUG", "1") // go-ntfs would print everything
	clean, err := os.ReadFile(buildNTFS(t, volSize, windowsTree()))
	if err != nil {
		t.Fatal(err)
	}
	bps := int64(binary.LittleEndian.Uint16(clean[0x0B:]))
	spc := int64(clean[0x0D])
	mft := int64(binary.LittleEndian.Uint64(clean[0x30:])) * bps * spc
	rng := rand.New(rand.NewPCG(3, 4))
	garbage := func(b []byte, off, n int64) {
		for i := off; i < off+n && i < int64(len(b)); i++ {
			b[i] = byte(rng.Uint32())
		}
	}
	tests := []struct {
		name    string
		damage  func(b []byte)
		wantErr bool
	}{
		{"zeroed boot sector", func(b []byte) { clear(b[:512]) }, true},
		{"MFT record 0 garbage", func(b []byte) { garbage(b, mft, 1024) }, true},
		{"root directory record garbage", func(b []byte) { garbage(b, mft+5*1024, 1024) }, true},
		{"MFT records 16-200 garbage", func(b []byte) { garbage(b, mft+16*1024, 184*1024) }, true},
		{"boot sector cluster size garbage", func(b []byte) { b[0x0D] = 3 }, true},
		{"huge MFT cluster", func(b []byte) { binary.LittleEndian.PutUint64(b[0x30:], 1<<60) }, true},
	}
	for i := 0; i < 20; i++ {
		off := int64(rng.IntN(len(clean) - 65536))
		tests = append(tests, struct {
			name    string
			damage  func(b []byte)
			wantErr bool
		}{name: "random 64K garbage " + string(rune('a'+i)), damage: func(b []byte) { garbage(b, off, 65536) }})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := bytes.Clone(clean)
			tt.damage(b)
			disk := filepath.Join(t.TempDir(), "bad.raw")
			if err := os.WriteFile(disk, b, 0o644); err != nil {
				t.Fatal(err)
			}
			var err error
			printed := captureStdout(t, func() { err = exercise(disk) })
			if printed != "" {
				t.Errorf("printed to stdout: %.200q", printed)
			}
			if tt.wantErr && err == nil {
				t.Error("no error")
			}
			t.Logf("error: %v", err)
		})
	}
}
