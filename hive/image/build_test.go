package image

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/internal/corpus"
)

// ntfsbuild compiles testdata/ntfsbuild.c (libntfs-3g; Debian package
// ntfs-3g-dev) into a temporary folder.
func ntfsbuild(t testing.TB) string {
	t.Helper()
	cc := corpus.RequireTool(t, "cc")
	out := filepath.Join(t.TempDir(), "ntfsbuild")
	cmd := exec.Command(cc, "-o", out, "testdata/ntfsbuild.c", "-lntfs-3g")
	if b, err := cmd.CombinedOutput(); err != nil {
		if corpus.CI() {
			t.Fatalf("compiling ntfsbuild (needs ntfs-3g-dev): %v\n%s", err, b)
		}
		t.Skipf("compiling ntfsbuild (needs ntfs-3g-dev): %v\n%s", err, b)
	}
	return out
}

func runTool(t testing.TB, stdin, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(corpus.RequireTool(t, name), args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, b)
	}
}

// tree is what a test volume holds: folders and files with their bytes.
type tree struct {
	dirs  []string
	files map[string][]byte
}

func hiveBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	copy(b, "regf")
	return b
}

// windowsTree lays out one Windows installation (and a Windows.old one).
func windowsTree() tree {
	r := rand.New(rand.NewPCG(1, 2))
	t := tree{files: map[string][]byte{}}
	t.dirs = []string{
		"Windows", "Windows/System32", "Windows/System32/config", "Windows/System32/config/RegBack",
		"Windows/System32/drivers", "Users", "Users/alice", "Users/alice/AppData", "Users/alice/AppData/Local",
		"Users/alice/AppData/Local/Microsoft", "Users/alice/AppData/Local/Microsoft/Windows", "Users/Public",
		"Windows.old", "Windows.old/WINDOWS", "Windows.old/WINDOWS/system32", "Windows.old/WINDOWS/system32/CONFIG",
		"Boot",
	}
	// Many entries in System32 force a non-resident, multi-block index.
	for i := 0; i < 600; i++ {
		t.files[fmt.Sprintf("Windows/System32/file%04d-with-a-long-name.dll", i)] = []byte{byte(i)}
	}
	t.files["Windows/System32/config/SYSTEM"] = hiveBytes(r, 300<<10)
	t.files["Windows/System32/config/SYSTEM.LOG1"] = hiveBytes(r, 8192)
	t.files["Windows/System32/config/SYSTEM.LOG2"] = hiveBytes(r, 512)
	t.files["Windows/System32/config/software"] = hiveBytes(r, 200<<10)
	t.files["Windows/System32/config/SOFTWARE.log"] = hiveBytes(r, 4096)
	t.files["Windows/System32/config/SAM"] = hiveBytes(r, 600) // resident
	t.files["Windows/System32/config/RegBack/SYSTEM"] = hiveBytes(r, 40<<10)
	t.files["Windows/System32/config/netlogon.dnb"] = []byte("not a hive")
	t.files["Users/alice/NTUSER.DAT"] = hiveBytes(r, 100<<10)
	t.files["Users/alice/ntuser.dat.LOG1"] = hiveBytes(r, 1024)
	t.files["Users/alice/AppData/Local/Microsoft/Windows/UsrClass.dat"] = hiveBytes(r, 20<<10)
	t.files["Windows.old/WINDOWS/system32/CONFIG/SYSTEM"] = hiveBytes(r, 50<<10)
	t.files["Boot/BCD"] = hiveBytes(r, 16<<10)
	return t
}

// buildNTFS formats a volume of size bytes with mkntfs and fills it.
func buildNTFS(t testing.TB, size int64, tr tree) string {
	t.Helper()
	tool := ntfsbuild(t)
	dir := t.TempDir()
	vol := filepath.Join(dir, "vol.raw")
	if err := os.WriteFile(vol, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(vol, size); err != nil {
		t.Fatal(err)
	}
	runTool(t, "", "mkntfs", "-F", "-Q", "-q", vol)
	var spec strings.Builder
	for _, d := range tr.dirs {
		fmt.Fprintf(&spec, "d\t%s\n", d)
	}
	names := make([]string, 0, len(tr.files))
	for n := range tr.files {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		host := filepath.Join(dir, fmt.Sprintf("f%d", i))
		if err := os.WriteFile(host, tr.files[n], 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&spec, "f\t%s\t%s\n", n, host)
	}
	specPath := filepath.Join(dir, "spec")
	if err := os.WriteFile(specPath, []byte(spec.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	runTool(t, "", tool, vol, specPath)
	return vol
}

// embed writes the volume at byte offset off of a new disk of size bytes
// and returns the disk path.
func embed(t *testing.T, vol string, size, off int64, partition func(disk string)) string {
	t.Helper()
	disk := filepath.Join(t.TempDir(), "disk.raw")
	if err := os.WriteFile(disk, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(disk, size); err != nil {
		t.Fatal(err)
	}
	partition(disk)
	b, err := os.ReadFile(vol)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(disk, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
	return disk
}

func equalBytes(a, b []byte) bool { return bytes.Equal(a, b) }

func buildNTFSB(b *testing.B) string { return buildNTFS(b, volSize, windowsTree()) }
