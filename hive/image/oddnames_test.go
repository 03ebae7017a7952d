package image

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive/image/ntfsfs"
	"github.com/hivescan/hivescan/internal/imagetest"
)

// oddTree holds user profiles whose names Windows cannot open: "..", ".",
// a slash inside a name, a reserved device name, a trailing dot; written
// by libntfs-3g straight into the index.
func oddTree() imagetest.Tree {
	h := func(s string) []byte { return append([]byte("regf"), s...) }
	return imagetest.Tree{Files: map[string][]byte{
		"Windows/System32/config/SYSTEM":                            h("system"),
		"Users/bob/NTUSER.DAT":                                      h("bob"),
		"Users/%2E%2E/NTUSER.DAT":                                   h("dotdot"),
		"Users/%2E%2E/NTUSER.DAT.LOG1":                              h("dotdot log"),
		"Users/%2E/NTUSER.DAT":                                      h("dot"),
		"Users/eve%2Fadmin/NTUSER.DAT":                              h("slash"),
		"Users/CON/NTUSER.DAT":                                      h("con"),
		"Users/trail./NTUSER.DAT":                                   h("trail"),
		"Users/%252E%252E/NTUSER.DAT":                               h("percent"), // a real folder named %2E%2E
		"Users/%2E%2E/AppData/Local/Microsoft/Windows/UsrClass.dat": h("dotdot classes"),
	}}
}

func oddVolume(t *testing.T) *ntfsfs.FS {
	t.Helper()
	vol := buildNTFS(t, 8<<20, oddTree())
	f, err := os.Open(vol)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := ntfsfs.New(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// Names that no path can hold are listed under their alias and read
// through their index entry; every odd name is described with its parent,
// its raw name and its MFT record.
func TestOddNamesReadByIndexEntry(t *testing.T) {
	fsys := oddVolume(t)
	entries, err := fs.ReadDir(fsys, "Users")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"%2E%2E", "%2E", "%2E%2E~", "CON", "bob", "eve%2Fadmin", "trail."}
	for i, n := range names {
		if strings.HasPrefix(n, "%2E%2E~") {
			names[i] = "%2E%2E~" // the record number depends on mkntfs
		}
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("Users (-want +got):\n%s", diff)
	}
	var dotdot string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "%2E%2E~") {
			dotdot = "Users/" + e.Name()
		}
	}
	cases := []struct {
		path, data, raw string
	}{
		{dotdot + "/NTUSER.DAT", "regfdotdot", ".."},
		{"Users/%2E/NTUSER.DAT", "regfdot", "."},
		{"Users/eve%2Fadmin/NTUSER.DAT", "regfslash", "eve/admin"},
		{"Users/CON/NTUSER.DAT", "regfcon", "CON"},
		{"Users/trail./NTUSER.DAT", "regftrail", "trail."},
		{"Users/%2E%2E/NTUSER.DAT", "regfpercent", ""}, // the real folder keeps its name
	}
	for _, c := range cases {
		b, err := fs.ReadFile(fsys, c.path)
		if err != nil || string(b) != c.data {
			t.Errorf("%s: %q, %v", c.path, b, err)
			continue
		}
		st, err := fs.Stat(fsys, c.path)
		if err != nil {
			t.Fatal(err)
		}
		rec := st.Sys().(*ntfsfs.Record)
		if c.raw == "" {
			if len(rec.OddNames) != 0 {
				t.Errorf("%s: odd names %+v", c.path, rec.OddNames)
			}
			continue
		}
		if len(rec.OddNames) != 1 || rec.OddNames[0].Raw != c.raw || rec.OddNames[0].Parent != "Users" || !rec.OddNames[0].Dir || rec.OddNames[0].Record == 0 {
			t.Errorf("%s: odd names %+v", c.path, rec.OddNames)
			continue
		}
		msg := rec.Oddities()[0]
		for _, want := range []string{`a folder named "` + strings.ReplaceAll(c.raw, `"`, `\"`) + `"`, `inside "Users"`, "anti-forensics"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: %q lacks %q", c.path, msg, want)
			}
		}
		if strings.Count(msg, c.raw) > 2 {
			t.Errorf("%s: %q repeats the name", c.path, msg)
		}
	}
}

// Locate finds the hives in odd folders, and Extract writes them under safe
// names, records the raw names in the manifest and lists each odd folder
// once as a problem.
func TestExtractOddNames(t *testing.T) {
	fsys := oddVolume(t)
	found, err := Locate(fsys)
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]bool{}
	for _, f := range found {
		if f.Kind == "NTUSER" {
			users[f.User] = true
		}
	}
	if len(users) != 7 {
		t.Errorf("NTUSER hives of %d profiles found, want 7: %v", len(users), users)
	}
	img := &Image{Path: "odd.raw", Format: "raw", Volumes: []Volume{{Desc: "volume (NTFS)", FS: fsys}}, read: func() int64 { return 0 }}
	out := filepath.Join(t.TempDir(), "out")
	m, err := Extract(img, out)
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string]string{}
	for _, f := range m.Files {
		if f.RawPath != "" {
			raw[f.RawPath] = f.Written
		}
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(f.Written))); err != nil {
			t.Errorf("%s not written: %v", f.Written, err)
		}
		if strings.Contains(f.Written, "/../") || strings.Contains(f.Written, "/./") {
			t.Errorf("unsafe name written: %s", f.Written)
		}
	}
	for _, want := range []string{`Users/".."/NTUSER.DAT`, `Users/".."/NTUSER.DAT.LOG1`, `Users/"."/NTUSER.DAT`, `Users/"eve/admin"/NTUSER.DAT`, `Users/"CON"/NTUSER.DAT`, `Users/"trail."/NTUSER.DAT`} {
		if _, ok := raw[want]; !ok {
			t.Errorf("manifest lacks raw path %s: %v", want, raw)
		}
	}
	var odd int
	for _, p := range m.Problems {
		if strings.Contains(p, "anti-forensics") {
			odd++
		}
	}
	if odd != 5 {
		t.Errorf("%d odd-name problems, want one per odd folder (5): %q", odd, m.Problems)
	}
	b, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back Manifest
	if err := json.Unmarshal(b, &back); err != nil || len(back.Files) != len(m.Files) {
		t.Errorf("manifest: %v", err)
	}
}
