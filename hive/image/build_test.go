package image

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/hivescan/hivescan/internal/imagetest"
)

func hiveBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	copy(b, "regf")
	return b
}

// windowsTree lays out one Windows installation (and a Windows.old one).
func windowsTree() imagetest.Tree {
	r := rand.New(rand.NewPCG(1, 2))
	t := imagetest.Tree{Files: map[string][]byte{}}
	t.Dirs = []string{
		"Windows", "Windows/System32", "Windows/System32/config", "Windows/System32/config/RegBack",
		"Windows/System32/drivers", "Users", "Users/alice", "Users/alice/AppData", "Users/alice/AppData/Local",
		"Users/alice/AppData/Local/Microsoft", "Users/alice/AppData/Local/Microsoft/Windows", "Users/Public",
		"Windows.old", "Windows.old/WINDOWS", "Windows.old/WINDOWS/system32", "Windows.old/WINDOWS/system32/CONFIG",
		"Boot",
	}
	// Many entries in System32 force a non-resident, multi-block index.
	for i := 0; i < 600; i++ {
		t.Files[fmt.Sprintf("Windows/System32/file%04d-with-a-long-name.dll", i)] = []byte{byte(i)}
	}
	t.Files["Windows/System32/config/SYSTEM"] = hiveBytes(r, 300<<10)
	t.Files["Windows/System32/config/SYSTEM.LOG1"] = hiveBytes(r, 8192)
	t.Files["Windows/System32/config/SYSTEM.LOG2"] = hiveBytes(r, 512)
	t.Files["Windows/System32/config/software"] = hiveBytes(r, 200<<10)
	t.Files["Windows/System32/config/SOFTWARE.log"] = hiveBytes(r, 4096)
	t.Files["Windows/System32/config/SAM"] = hiveBytes(r, 600) // resident
	t.Files["Windows/System32/config/RegBack/SYSTEM"] = hiveBytes(r, 40<<10)
	t.Files["Windows/System32/config/netlogon.dnb"] = []byte("not a hive")
	t.Files["Users/alice/NTUSER.DAT"] = hiveBytes(r, 100<<10)
	t.Files["Users/alice/ntuser.dat.LOG1"] = hiveBytes(r, 1024)
	t.Files["Users/alice/AppData/Local/Microsoft/Windows/UsrClass.dat"] = hiveBytes(r, 20<<10)
	t.Files["Windows.old/WINDOWS/system32/CONFIG/SYSTEM"] = hiveBytes(r, 50<<10)
	t.Files["Boot/BCD"] = hiveBytes(r, 16<<10)
	return t
}

// buildNTFS formats a volume of size bytes and fills it with tr.
func buildNTFS(t testing.TB, size int64, tr imagetest.Tree) string {
	t.Helper()
	return imagetest.NTFS(t, size, tr)
}

func buildNTFSB(b *testing.B) string { return buildNTFS(b, volSize, windowsTree()) }
