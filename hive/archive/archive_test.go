package archive_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive/archive"
)

func TestCleanName(t *testing.T) {
	for _, tc := range []struct {
		raw, want string
		ok        bool
	}{
		{"C/Windows/System32/config/SYSTEM", "C/Windows/System32/config/SYSTEM", true}, // KAPE, CyLR
		{"uploads/auto/C%3A/Windows/System32/config/SYSTEM", "C:/Windows/System32/config/SYSTEM", true},
		{"uploads/ntfs/%5C%5C.%5CC%3A/Windows/System32/config/SAM", "C:/Windows/System32/config/SAM", true},
		{"uploads/auto/C%3A%5CUsers%5Cbob%5CNTUSER.DAT", "C:/Users/bob/NTUSER.DAT", true},
		{`C:\Users\bob\NTUSER.DAT`, "C:/Users/bob/NTUSER.DAT", true},
		{`\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy1\Windows\System32\config\SYSTEM`, "GLOBALROOT/Device/HarddiskVolumeShadowCopy1/Windows/System32/config/SYSTEM", true},
		{"/abs/./x//y", "abs/x/y", true},
		{"100%/a%zz%4", "100%/a%zz%4", true},
		{"uploads.json", "uploads.json", true},
		{"../../etc/passwd", "", false},
		{"a/%2E%2E/b", "", false},
		{`C:\..\x`, "", false},
		{"a/b%00c", "", false},
		{"a\x00b", "", false},
		{"./", "", false},
	} {
		got, ok := archive.CleanName(tc.raw)
		if got != tc.want || ok != tc.ok {
			t.Errorf("CleanName(%q) = %q, %v; want %q, %v", tc.raw, got, ok, tc.want, tc.ok)
		}
	}
}

// collection is what the archives of the tests hold, by raw member name.
var collection = map[string]string{
	"uploads/auto/C%3A/Windows/System32/config/SYSTEM": "system hive bytes",
	"uploads/auto/C%3A/Users/bob/NTUSER.DAT":           strings.Repeat("ntuser ", 300),
	"uploads/auto/C%3A%5CUsers%5Calice%5CNTUSER.DAT":   "",
	"results/Windows.KapeFiles.Targets.json":           "{}",
}

// cleaned is collection under the names the archive offers.
func cleaned() fstest.MapFS {
	m := fstest.MapFS{}
	for raw, data := range collection {
		name, _ := archive.CleanName(raw)
		m[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return m
}

func sortedNames(files map[string]string) []string {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func buildZip(t testing.TB, files map[string]string, method uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range sortedNames(files) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: method, Modified: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, files[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func buildTar(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "C%3A/", Typeflag: tar.TypeDir, Mode: 0o755})
	for _, n := range sortedNames(files) {
		if err := tw.WriteHeader(&tar.Header{Name: n, Size: int64(len(files[n])), Mode: 0o644, Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, files[n])
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipped(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// build7z writes files with 7-Zip's 7zz (Debian package 7zip).
func build7z(t testing.TB, files map[string]string) []byte {
	t.Helper()
	bin, err := exec.LookPath("7zz")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("7zz not installed (Debian package 7zip)")
		}
		t.Skip("7zz not installed")
	}
	dir := t.TempDir()
	var names []string
	for _, n := range sortedNames(files) {
		p := filepath.Join(dir, "in", filepath.FromSlash(n))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(files[n]), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	out := filepath.Join(dir, "c.7z")
	cmd := exec.Command(bin, append([]string{"a", "-bd", "-ms=on", out}, names...)...)
	cmd.Dir = filepath.Join(dir, "in")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("7zz: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct {
		name, format string
		build        func(t *testing.T) []byte
		randomAccess bool
	}{
		{"zip-deflate", archive.Zip, func(t *testing.T) []byte { return buildZip(t, collection, zip.Deflate) }, false},
		{"zip-store", archive.Zip, func(t *testing.T) []byte { return buildZip(t, collection, zip.Store) }, true},
		{"tar", archive.Tar, func(t *testing.T) []byte { return buildTar(t, collection) }, true},
		{"tar.gz", archive.TarGzip, func(t *testing.T) []byte { return gzipped(t, buildTar(t, collection)) }, false},
		{"7z", archive.SevenZip, func(t *testing.T) []byte {
			// 7-Zip keeps %XX; the decoded names need folders of their own.
			files := map[string]string{}
			for raw, data := range collection {
				files[strings.ReplaceAll(raw, "%5C", "/")] = data
			}
			return build7z(t, files)
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.build(t)
			if got := archive.Identify(b); got != tc.format {
				t.Errorf("Identify = %q, want %q", got, tc.format)
			}
			a, err := archive.New(bytes.NewReader(b), int64(len(b)), archive.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if a.Format != tc.format || len(a.Skipped) != 0 {
				t.Errorf("format %q, skipped %v", a.Format, a.Skipped)
			}
			want := cleaned()
			var names []string
			for n := range want {
				names = append(names, n)
			}
			if err := fstest.TestFS(a, names...); err != nil {
				t.Fatal(err)
			}
			for n, f := range want {
				got, err := fs.ReadFile(a, n)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, f.Data) {
					t.Errorf("%s: %q, want %q", n, got, f.Data)
				}
				if _, _, ok := a.ReaderAt(n); ok != tc.randomAccess {
					t.Errorf("%s: ReaderAt ok = %v", n, ok)
				}
			}
			if raw := a.RawName("C:/Windows/System32/config/SYSTEM"); !strings.Contains(raw, "System32") {
				t.Errorf("RawName = %q", raw)
			}
		})
	}
}

// TestTarGzRereads reads members out of order and two at once.
func TestTarGzRereads(t *testing.T) {
	b := gzipped(t, buildTar(t, collection))
	a, err := archive.New(bytes.NewReader(b), int64(len(b)), archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f1, _ := a.Open("C:/Users/bob/NTUSER.DAT")
	f2, _ := a.Open("C:/Windows/System32/config/SYSTEM")
	b2, err2 := io.ReadAll(f2)
	b1, err1 := io.ReadAll(f1)
	if err1 != nil || err2 != nil || string(b1) != collection["uploads/auto/C%3A/Users/bob/NTUSER.DAT"] || string(b2) != "system hive bytes" {
		t.Errorf("got %q %v, %q %v", b1[:min(10, len(b1))], err1, b2, err2)
	}
}

func TestSkipped(t *testing.T) {
	files := map[string]string{
		"../../etc/passwd":                  "x",
		"C/Windows/System32/config/SYSTEM":  "a",
		"C//Windows/System32/config/SYSTEM": "b",
		"big":                               strings.Repeat("z", 2000),
	}
	b := buildZip(t, files, zip.Deflate)
	a, err := archive.New(bytes.NewReader(b), int64(len(b)), archive.Options{MaxMemberSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := []archive.Skipped{
		{Name: "../../etc/passwd", Reason: "name leaves the archive or is empty"},
		{Name: "C/Windows/System32/config/SYSTEM", Reason: "same path as C//Windows/System32/config/SYSTEM"},
		{Name: "big", Reason: "2000 bytes: larger than the member size limit (1000)"},
	}
	if diff := cmp.Diff(want, a.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if a.Len() != 1 {
		t.Errorf("Len = %d", a.Len())
	}
}

// TestZipLyingSize: a member that inflates past the size its header
// declares is cut off with an error, not read on.
func TestZipLyingSize(t *testing.T) {
	b := buildZip(t, map[string]string{"bomb": strings.Repeat("\x00", 1<<20)}, zip.Deflate)
	// Patch the declared uncompressed size (central directory and local header) to 10.
	patched := bytes.Clone(b)
	for _, sig := range []string{"PK\x01\x02", "PK\x03\x04"} {
		i := bytes.Index(patched, []byte(sig))
		off := 22
		if sig == "PK\x01\x02" {
			off = 24
		}
		copy(patched[i+off:], []byte{10, 0, 0, 0})
	}
	a, err := archive.New(bytes.NewReader(patched), int64(len(patched)), archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := fs.ReadFile(a, "bomb")
	if err == nil || len(got) > 10 {
		t.Errorf("read %d bytes, err %v", len(got), err)
	}
}

func TestTarGzLimit(t *testing.T) {
	b := gzipped(t, buildTar(t, map[string]string{"a": strings.Repeat("\x00", 1<<20), "b": "x"}))
	a, err := archive.New(bytes.NewReader(b), int64(len(b)), archive.Options{MaxTotalSize: 1 << 19})
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() != 0 || len(a.Skipped) == 0 {
		t.Errorf("Len %d, skipped %v", a.Len(), a.Skipped)
	}
}

func TestNotArchive(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("regf"), gzipped(t, []byte("plain text"))} {
		if _, err := archive.New(bytes.NewReader(b), int64(len(b)), archive.Options{}); !errors.Is(err, archive.ErrNotArchive) {
			t.Errorf("%q: err %v", b, err)
		}
	}
}
