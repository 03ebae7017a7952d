package container

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive/image/internal/readertest"
	"github.com/hivescan/hivescan/internal/corpus"
)

// pattern returns a recognisable raw disk of size bytes, with zero holes
// so that sparse formats have something to skip.
func pattern(size int) []byte {
	return readertest.Pattern(size, [2]int{2 << 20, 3 << 20}, [2]int{5 << 20, 6<<20 + 512<<10})
}

// compareReads checks r against want, with reads across the chunk, grain
// and block boundaries of the formats a container may hold.
func compareReads(t *testing.T, r io.ReaderAt, want []byte) {
	t.Helper()
	readertest.CompareReads(t, r, want, 32<<10-7, 64<<10-7, 1<<20-3, 2<<20-100)
}

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRaw(t *testing.T) {
	want := pattern(1 << 20)
	c, err := Open(writeFile(t, "disk.bin", want))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Format != FormatRaw || len(c.Segments) != 1 {
		t.Errorf("Format, Segments = %q, %v; want raw, 1 segment", c.Format, c.Segments)
	}
	compareReads(t, c, want)
	if c.BytesRead() == 0 {
		t.Error("BytesRead = 0")
	}
	res, err := c.Verify()
	if err != nil || res.Status != NotSupported {
		t.Errorf("Verify = %v, %v; want not supported", res.Status, err)
	}
}

func TestSplitRaw(t *testing.T) {
	want := pattern(3 << 20)
	dir := t.TempDir()
	for i := 0; i < 3; i++ {
		name := filepath.Join(dir, "disk.00"+string(rune('1'+i)))
		if err := os.WriteFile(name, want[i<<20:(i+1)<<20], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Open(filepath.Join(dir, "disk.001"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Format != FormatSplitRaw || len(c.Segments) != 3 {
		t.Errorf("Format, Segments = %q, %v; want split-raw, 3 segments", c.Format, c.Segments)
	}
	compareReads(t, c, want)
}

func TestUnsupported(t *testing.T) {
	bitlocker := make([]byte, 512)
	copy(bitlocker, "\xeb\x58\x90-FVE-FS-")
	vdi := make([]byte, 512)
	copy(vdi, "<<< Oracle VM VirtualBox Disk Image >>>\n")
	for name, b := range map[string][]byte{
		"qcow":      append([]byte("QFI\xfb\x00\x00\x00\x03"), make([]byte, 600)...),
		"bitlocker": bitlocker,
		"vdi":       vdi,
		"aff":       []byte("AFF10\r\n\x00rest"),
	} {
		_, err := Open(writeFile(t, name, b))
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: Open error = %v, want ErrUnsupported", name, err)
		}
	}
}

func TestCorpusQCOW(t *testing.T) {
	for _, p := range []string{"log2timeline__dfvfs/test_data/windows_volume.qcow2", "log2timeline__plaso/test_data/vsstest.qcow2"} {
		_, err := Open(corpus.Path(t, p))
		if !errors.Is(err, ErrUnsupported) || !bytes.Contains([]byte(err.Error()), []byte("QCOW")) {
			t.Errorf("%s: Open error = %v, want ErrUnsupported naming QCOW", p, err)
		}
	}
}

func TestEmptyAndMissing(t *testing.T) {
	c, err := Open(writeFile(t, "empty", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n, err := c.ReadAt(make([]byte, 10), 0); n != 0 || err != io.EOF {
		t.Errorf("ReadAt on empty = %d, %v; want 0, EOF", n, err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing) = %v, want ErrNotExist", err)
	}
}

func TestCorpusEWF(t *testing.T) {
	for _, p := range []string{"log2timeline__plaso/test_data/image-split.E01", "Velocidex__go-ewf/test/test.ntfs.dd.E01"} {
		c, err := Open(corpus.Path(t, p))
		if err != nil {
			t.Fatal(err)
		}
		if c.Format != FormatEWF {
			t.Errorf("%s: Format %q", p, c.Format)
		}
		if len(c.StoredHashes["md5"]) != 32 || c.EWF() == nil {
			t.Errorf("%s: StoredHashes = %v, EWF() = %v", p, c.StoredHashes, c.EWF())
		}
		res, err := c.Verify()
		if err != nil || res.Status != Match {
			t.Errorf("%s: Verify = %v, %v; want md5 ok", p, res.Status, err)
		}
		c.Close()
	}
}

func TestCorpusVHD(t *testing.T) {
	c, err := Open(corpus.Path(t, "log2timeline__plaso/test_data/image.vhd"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Format != FormatVHDDynamic {
		t.Errorf("Format %q, want vhd-dynamic", c.Format)
	}
	// ext2 superblock magic at 1024+56.
	b := make([]byte, 2)
	if _, err := c.ReadAt(b, 1024+56); err != nil || b[0] != 0x53 || b[1] != 0xef {
		t.Errorf("ext2 magic = %x, %v", b, err)
	}
}

func TestQemuFormats(t *testing.T) {
	tool := corpus.RequireTool(t, "qemu-img")
	want := pattern(4 << 20)
	src := writeFile(t, "src.raw", want)
	for _, tc := range []struct {
		format string
		args   []string
	}{
		{FormatVHDDynamic, []string{"-O", "vpc", "-o", "force_size=on"}},
		{FormatVHDFixed, []string{"-O", "vpc", "-o", "subformat=fixed,force_size=on"}},
		{FormatVHDXDynamic, []string{"-O", "vhdx"}},
		{FormatVHDXFixed, []string{"-O", "vhdx", "-o", "subformat=fixed"}},
		{FormatVMDKSparse, []string{"-O", "vmdk"}},
		{FormatVMDKStream, []string{"-O", "vmdk", "-o", "subformat=streamOptimized"}},
		{FormatVMDKDescriptor, []string{"-O", "vmdk", "-o", "subformat=monolithicFlat"}},
	} {
		t.Run(tc.format, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "disk.img") // the name says nothing
			args := append(append([]string{"convert", "-f", "raw"}, tc.args...), src, out)
			if b, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
				t.Fatalf("qemu-img: %v\n%s", err, b)
			}
			c, err := Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if c.Format != tc.format {
				t.Errorf("Format = %q, want %q", c.Format, tc.format)
			}
			compareReads(t, c, want)
			if res, err := c.Verify(); err != nil || res.Status != NotSupported {
				t.Errorf("Verify = %v, %v", res.Status, err)
			}
		})
	}
}

// TestConcurrentReads reads every format from several goroutines at once
// (run with -race).
func TestConcurrentReads(t *testing.T) {
	tool := corpus.RequireTool(t, "qemu-img")
	want := pattern(4 << 20)
	src := writeFile(t, "src.raw", want)
	paths := []string{src}
	for _, args := range [][]string{
		{"-O", "vpc", "-o", "force_size=on"}, {"-O", "vhdx"}, {"-O", "vmdk", "-o", "subformat=streamOptimized"},
	} {
		out := filepath.Join(t.TempDir(), "disk")
		if b, err := exec.Command(tool, append(append([]string{"convert", "-f", "raw"}, args...), src, out)...).CombinedOutput(); err != nil {
			t.Fatalf("qemu-img: %v\n%s", err, b)
		}
		paths = append(paths, out)
	}
	if ewfacquire, err := exec.LookPath("ewfacquire"); err == nil {
		target := filepath.Join(t.TempDir(), "img")
		if b, err := exec.Command(ewfacquire, "-u", "-q", "-t", target, "-c", "deflate:fast", "-S", "1MiB", src).CombinedOutput(); err != nil {
			t.Fatalf("ewfacquire: %v\n%s", err, b)
		}
		paths = append(paths, target+".E01")
	}
	for _, p := range paths {
		c, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 8)
		for g := 0; g < 8; g++ {
			go func() {
				rng := rand.New(rand.NewPCG(uint64(g), 9))
				buf := make([]byte, 20000)
				for i := 0; i < 100; i++ {
					off := rng.Int64N(int64(len(want) - len(buf)))
					if _, err := c.ReadAt(buf, off); err != nil {
						errs <- err
						return
					}
					if !bytes.Equal(buf, want[off:off+int64(len(buf))]) {
						errs <- errors.New(c.Format + ": content differs")
						return
					}
				}
				errs <- nil
			}()
		}
		for g := 0; g < 8; g++ {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		c.Close()
	}
}

func TestDifferencingIsUnsupported(t *testing.T) {
	tool := corpus.RequireTool(t, "qemu-img")
	dir := t.TempDir()
	base, child := filepath.Join(dir, "base.vmdk"), filepath.Join(dir, "child.vmdk")
	for _, args := range [][]string{
		{"create", "-f", "vmdk", base, "1M"},
		{"create", "-f", "vmdk", "-b", base, "-F", "vmdk", child},
	} {
		if b, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
			t.Fatalf("qemu-img: %v\n%s", err, b)
		}
	}
	_, err := Open(child)
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "base.vmdk") {
		t.Errorf("Open(differencing) = %v, want ErrUnsupported naming base.vmdk", err)
	}
}
