package scan_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive/archive"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/internal/imagetest"
	"github.com/hivescan/hivescan/internal/samples"
)

// layout renders a slash path of a Windows volume as a collection tool
// names its member.
type layout struct {
	name   string
	member func(p string) string
}

var layouts = []layout{
	{"kape-cylr", func(p string) string { return "C/" + p }}, // both write C/...
	{"velociraptor", func(p string) string { return "uploads/auto/C%3A/" + p }},
	{"velociraptor-ntfs", func(p string) string {
		return "uploads/ntfs/%5C%5C.%5CC%3A/" + strings.ReplaceAll(p, "/", "%5C")
	}},
}

// packer writes files (by member name) as one archive format.
type packer struct {
	ext  string
	pack func(t testing.TB, files map[string][]byte) []byte
}

var packers = []packer{
	{".zip", func(t testing.TB, files map[string][]byte) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, n := range sortedKeys(files) {
			w, err := zw.Create(n)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(files[n])
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}},
	{".tar", packTar},
	{".tar.gz", func(t testing.TB, files map[string][]byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(packTar(t, files))
		zw.Close()
		return buf.Bytes()
	}},
	{".7z", func(t testing.TB, files map[string][]byte) []byte {
		bin, err := exec.LookPath("7zz")
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("7zz not installed (Debian package 7zip)")
			}
			t.Skip("7zz not installed")
		}
		dir := t.TempDir()
		var names []string
		for n, b := range files {
			// 7-Zip stores names as given; %5C needs no folder of its own.
			p := filepath.Join(dir, "in", filepath.FromSlash(n))
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, b, 0o644)
			names = append(names, n)
		}
		sort.Strings(names)
		out := filepath.Join(dir, "c.7z")
		cmd := exec.Command(bin, append([]string{"a", "-bd", "-mx=1", out}, names...)...)
		cmd.Dir = filepath.Join(dir, "in")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("7zz: %v\n%s", err, b)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}},
}

func packTar(t testing.TB, files map[string][]byte) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range sortedKeys(files) {
		if err := tw.WriteHeader(&tar.Header{Name: n, Size: int64(len(files[n])), Mode: 0o644, Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(files[n])
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// readTree reads every file below dir by slash path.
func readTree(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// checkCollections packs tree (a volume's files by slash path) in every
// layout and format and checks that each scan agrees with the scan of
// folder, the same files unpacked.
func checkCollections(t *testing.T, folder, host string, tree map[string][]byte) {
	looseReport := scanPaths(t, folder)
	prefix := filepath.ToSlash(folder) + "/"
	loose := normalize(t, looseReport, host, host, func(p string) string {
		return strings.TrimPrefix(filepath.ToSlash(p), prefix)
	})
	if len(loose.inputs) == 0 {
		t.Fatalf("no inputs in %s", folder)
	}
	for _, l := range layouts {
		members := map[string][]byte{"collection_context.json": []byte("{}")}
		for p, b := range tree {
			members[l.member(p)] = b
		}
		for _, pk := range packers {
			t.Run(l.name+pk.ext, func(t *testing.T) {
				p := filepath.Join(t.TempDir(), "collection"+pk.ext)
				if err := os.WriteFile(p, pk.pack(t, members), 0o644); err != nil {
					t.Fatal(err)
				}
				r := scanPaths(t, p)
				if len(r.Problems) > 0 {
					t.Errorf("problems: %+v", r.Problems)
				}
				got := normalize(t, r, filepath.Base(p), host, func(hive string) string {
					raw, ok := strings.CutPrefix(hive, p+"!")
					if !ok {
						t.Errorf("path %q not inside %q", hive, p)
					}
					name, _ := archive.CleanName(raw)
					name = strings.TrimPrefix(name, "C:/")
					return strings.TrimPrefix(name, "C/")
				})
				if diff := gocmp.Diff(loose, got, gocmp.AllowUnexported(side{})); diff != "" {
					t.Errorf("collection differs from the folder (-folder +collection):\n%s", diff)
				}
				for _, in := range r.Inputs {
					if in.Source != p || in.SHA256 == "" {
						t.Errorf("input %s: source %q, sha256 %q", in.Path, in.Source, in.SHA256)
					}
				}
			})
		}
	}
}

// TestCollectionParity scans every sample host, and real hives of the
// corpus, from zip, tar, tar.gz and 7z collections in the path encodings
// of KAPE, CyLR and Velociraptor: findings, hashes, hosts and analyzer runs
// equal those of the unpacked folder.
func TestCollectionParity(t *testing.T) {
	for _, h := range samples.Hosts() {
		t.Run(h.Name, func(t *testing.T) {
			folder := filepath.Join(evidenceDir, h.Name)
			checkCollections(t, folder, h.Name, readTree(t, folder))
		})
	}
	t.Run("corpus", func(t *testing.T) {
		tree := map[string][]byte{}
		for dst, src := range map[string]string{
			"Windows/System32/config/SYSTEM":                               "SYSTEM",
			"Windows/System32/config/SAM":                                  "SAM",
			"Users/user/NTUSER.DAT":                                        "NTUSER.DAT",
			"Users/user/AppData/Local/Microsoft/Windows/UsrClass.dat":      "UsrClass.dat",
			"Users/user/AppData/Local/Microsoft/Windows/UsrClass.dat.LOG1": "UsrClass.dat.LOG1",
			"Users/user/AppData/Local/Microsoft/Windows/UsrClass.dat.LOG2": "UsrClass.dat.LOG2",
		} {
			b, err := os.ReadFile(corpus.Path(t, "mkorman90__regipy/regipy_tests/data/"+src))
			if err != nil {
				t.Fatal(err)
			}
			tree[dst] = b
		}
		folder := filepath.Join(t.TempDir(), "host")
		for p, b := range tree {
			full := filepath.Join(folder, filepath.FromSlash(p))
			os.MkdirAll(filepath.Dir(full), 0o755)
			if err := os.WriteFile(full, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		checkCollections(t, folder, "host", tree)
	})
}

// TestFolderOfCollections: a folder that holds a collection archive, a disk
// image and a loose host gives the three hosts, and the image is reported.
func TestFolderOfCollections(t *testing.T) {
	dir := t.TempDir()
	host := func(name string) map[string][]byte { return readTree(t, filepath.Join(evidenceDir, name)) }
	kape := map[string][]byte{}
	for p, b := range host("fake-smss-service") {
		kape["C/"+p] = b
	}
	if err := os.WriteFile(filepath.Join(dir, "hostA.zip"), packers[0].pack(t, kape), 0o644); err != nil {
		t.Fatal(err)
	}
	vol := imagetest.NTFS(t, volumeSize(host("fake-smss-autostarts")), imagetest.Tree{Files: host("fake-smss-autostarts")})
	b, err := os.ReadFile(vol)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "hostB.raw"), b, 0o644)
	for p, b := range host("clean-host") {
		full := filepath.Join(dir, "hostC", filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, b, 0o644)
	}
	r := scanPaths(t, dir)
	var names []string
	for _, h := range r.Hosts {
		names = append(names, h.Name)
	}
	want := []string{"CLEAN-PC (hostC)", "HR-PC (hostA.zip)", "HR-PC (hostB.raw > volume (NTFS))"}
	if diff := gocmp.Diff(want, names); diff != "" {
		t.Errorf("hosts (-want +got):\n%s", diff)
	}
	if len(r.Images) != 1 || r.Images[0].Format != "raw" {
		t.Errorf("images: %+v", r.Images)
	}
	if len(r.Problems) > 0 {
		t.Errorf("problems: %+v", r.Problems)
	}
}
