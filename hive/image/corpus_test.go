package image

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/internal/imagetest"
)

// openEWF opens an E01 directly, or through ewfexport to raw when the
// container package cannot read EWF yet.
func openEWF(t *testing.T, staged string) (*Image, string) {
	t.Helper()
	src := corpus.Path(t, staged)
	img, err := Open(src)
	if err == nil || errors.Is(err, ErrNoNTFS) {
		return img, src
	}
	target := filepath.Join(t.TempDir(), "disk")
	imagetest.Run(t, "", "ewfexport", "-q", "-t", target, "-f", "raw", "-u", src)
	raw := target + ".raw"
	img, err = Open(raw)
	if err != nil && !errors.Is(err, ErrNoNTFS) {
		t.Fatal(err)
	}
	return img, raw
}

func TestCorpusPartitionImage(t *testing.T) {
	img, _ := openEWF(t, "Velocidex__velociraptor/artifacts/testdata/files/partition_image.E01")
	if img == nil {
		t.Fatal("no NTFS volume")
	}
	defer img.Close()
	v := img.NTFS()[0]
	found, err := Locate(v.FS)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, f := range found {
		kinds[f.Kind] = f.Path
	}
	for _, k := range []string{"SYSTEM", "SOFTWARE", "SAM", "SECURITY", "NTUSER", "Amcache"} {
		if kinds[k] == "" {
			t.Errorf("%s not located; found %+v", k, found)
		}
	}
}

// TestCorpusSleuthkit compares the listing and the file bytes of a
// Windows-formatted volume with sleuthkit's fls and icat.
func TestCorpusSleuthkit(t *testing.T) {
	img, raw := openEWF(t, "Velocidex__go-ewf/test/test.ntfs.dd.E01")
	if img == nil {
		t.Fatal("no NTFS volume")
	}
	defer img.Close()
	fls := corpus.RequireTool(t, "fls")
	icat := corpus.RequireTool(t, "icat")
	out, err := exec.Command(fls, "-r", "-p", "-u", raw).Output()
	if err != nil {
		t.Fatal(err)
	}
	// fls -u lists allocated names: "r/r 64-128-2:\tpath"; keep files and
	// folders without ADS or metadata files.
	want := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		kindInode, p, ok := strings.Cut(sc.Text(), "\t")
		if !ok || strings.Contains(p, ":") || strings.HasPrefix(p, "$") || strings.Contains(p, "/$") {
			continue
		}
		f := strings.Fields(kindInode)
		want[p] = strings.TrimSuffix(f[len(f)-1], ":")
	}
	v := img.NTFS()[0]
	got := map[string]bool{}
	err = fs.WalkDir(v.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." || strings.HasPrefix(p, "$") {
			if p != "." && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		got[p] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing, extra []string
	for p := range want {
		if !got[p] {
			missing = append(missing, p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			extra = append(extra, p)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 {
		t.Errorf("listing differs from fls: missing %q, extra %q", missing, extra)
	}
	compared := 0
	for p, inode := range want {
		fi, err := fs.Stat(v.FS, p)
		if err != nil || fi.IsDir() {
			continue
		}
		wantB, err := exec.Command(icat, raw, inode).Output()
		if err != nil {
			t.Fatalf("icat %s: %v", inode, err)
		}
		gotB, err := fs.ReadFile(v.FS, p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if !bytes.Equal(gotB, wantB) {
			t.Errorf("%s: %d bytes, icat gives %d", p, len(gotB), len(wantB))
		}
		compared++
	}
	t.Logf("%d paths listed, %d files compared with icat", len(want), compared)
	if compared == 0 {
		t.Error("no file compared")
	}
}

func TestCorpusVHDX(t *testing.T) {
	zr, err := zip.OpenReader(corpus.Path(t, "Velocidex__velociraptor/artifacts/testdata/files/test.vhdx.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	dir := t.TempDir()
	var vhdx string
	for _, f := range zr.File {
		if !strings.HasSuffix(strings.ToLower(f.Name), ".vhdx") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		vhdx = filepath.Join(dir, "test.vhdx")
		w, err := os.Create(vhdx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, io.LimitReader(rc, 64<<20)); err != nil {
			t.Fatal(err)
		}
		w.Close()
		rc.Close()
	}
	img, err := Open(vhdx)
	if err != nil {
		// Until the VHDX reader lands: convert with qemu-img.
		raw := filepath.Join(dir, "test.raw")
		imagetest.Run(t, "", "qemu-img", "convert", "-O", "raw", vhdx, raw)
		img, err = Open(raw)
		if err != nil {
			t.Fatal(err)
		}
	}
	defer img.Close()
	if img.Table.Scheme != "gpt" || len(img.NTFS()) != 1 {
		t.Fatalf("table %+v volumes %+v", img.Table, img.Volumes)
	}
	v := img.NTFS()[0]
	if !strings.Contains(v.Desc, "(NTFS)") {
		t.Errorf("desc %q", v.Desc)
	}
	if _, err := fs.Stat(v.FS, "users/administrator"); err != nil {
		t.Error(err)
	}
	if fi, err := fs.Stat(v.FS, "Windows/System32"); err != nil || !fi.IsDir() {
		t.Errorf("Windows/System32: %v", err)
	}
}

func TestCorpusNoNTFS(t *testing.T) {
	for _, staged := range []string{
		"log2timeline__plaso/test_data/tsk_volume_system.raw",
		"log2timeline__plaso/test_data/image.E01",
	} {
		t.Run(filepath.Base(staged), func(t *testing.T) {
			p := corpus.Path(t, staged)
			_, err := Open(p)
			if err != nil && !errors.Is(err, ErrNoNTFS) && strings.HasSuffix(staged, ".E01") {
				target := filepath.Join(t.TempDir(), "disk")
				imagetest.Run(t, "", "ewfexport", "-q", "-t", target, "-f", "raw", "-u", p)
				_, err = Open(target + ".raw")
			}
			var ne *NoNTFSError
			if !errors.As(err, &ne) || !errors.Is(err, ErrNoNTFS) {
				t.Fatalf("Open: %v, want a NoNTFSError", err)
			}
			if !strings.Contains(err.Error(), "ext2/3/4: no NTFS volume") {
				t.Errorf("error %q does not say why", err)
			}
			t.Log(err)
		})
	}
}
