package scan_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/internal/imagetest"
	"github.com/hivescan/hivescan/internal/samples"
)

// BenchmarkScanImage scans the same hives as loose files in a folder, from
// a raw GPT disk and from an E01 of it, with every analyzer. Besides time it
// reports cpu-ns/op (user and system CPU time of the process, steadier than
// wall time on a busy machine), read-bytes/op, what the process read from
// files during the scan (/proc/self/io rchar; Linux only; compressed bytes
// for the E01), hive-bytes/op, the bytes of the hives and logs scanned, and
// read-ratio, the one over the other. The target is e01 within 1.5x
// the time of loose.
//
//   - sample: the fake-smss-bootexecute sample host (45 KiB of hives);
//   - corpus: real hives of regipy's test data (SYSTEM 11 MiB, NTUSER,
//     UsrClass with logs, SAM, SECURITY, Amcache, BCD; 18 MiB) in a volume
//     whose System32 holds 3000 files.
func BenchmarkScanImage(b *testing.B) {
	b.Run("sample", func(b *testing.B) {
		h := samples.FakeSmssBootExecute()
		files, err := h.Build()
		if err != nil {
			b.Fatal(err)
		}
		benchLooseAndE01(b, filepath.Join(evidenceDir, h.Name), imagetest.Tree{Files: files})
	})
	b.Run("corpus", func(b *testing.B) {
		tr := imagetest.Tree{Files: map[string][]byte{}}
		for dst, src := range map[string]string{
			"Windows/System32/config/SYSTEM":                               "SYSTEM",
			"Windows/System32/config/SAM":                                  "SAM",
			"Windows/System32/config/SECURITY":                             "SECURITY",
			"Windows/AppCompat/Programs/Amcache.hve":                       "amcache.hve",
			"Boot/BCD":                                                     "BCD",
			"Users/user/NTUSER.DAT":                                        "NTUSER.DAT",
			"Users/user/AppData/Local/Microsoft/Windows/UsrClass.dat":      "UsrClass.dat",
			"Users/user/AppData/Local/Microsoft/Windows/UsrClass.dat.LOG1": "UsrClass.dat.LOG1",
			"Users/user/AppData/Local/Microsoft/Windows/UsrClass.dat.LOG2": "UsrClass.dat.LOG2",
		} {
			data, err := os.ReadFile(corpus.Path(b, "mkorman90__regipy/regipy_tests/data/"+src))
			if err != nil {
				b.Fatal(err)
			}
			tr.Files[dst] = data
		}
		for i := range 3000 {
			tr.Files[fmt.Sprintf("Windows/System32/module%04d.dll", i)] = []byte{byte(i)}
		}
		loose := b.TempDir()
		for p, data := range tr.Files {
			if strings.HasPrefix(p, "Windows/System32/module") {
				continue
			}
			full := filepath.Join(loose, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(full, data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		benchLooseAndE01(b, loose, tr)
	})
}

func benchLooseAndE01(b *testing.B, loose string, tr imagetest.Tree) {
	vol := imagetest.NTFS(b, volumeSize(tr.Files), tr)
	disk := imagetest.GPT(b, vol).Path
	e01 := imagetest.E01(b, disk)
	b.Run("loose", func(b *testing.B) { benchScan(b, loose) })
	b.Run("raw", func(b *testing.B) { benchScan(b, disk) })
	b.Run("e01", func(b *testing.B) { benchScan(b, e01) })
}

func benchScan(b *testing.B, path string) {
	var read, hives int64
	var cpu time.Duration
	for b.Loop() {
		before, cpuBefore := readChars(b), cpuTime()
		r := scanPaths(b, path)
		read += readChars(b) - before
		cpu += cpuTime() - cpuBefore
		if len(r.Inputs) == 0 {
			b.Fatalf("no hives scanned in %s", path)
		}
		for _, in := range r.Inputs {
			hives += in.Size
		}
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(read)/float64(b.N), "read-bytes/op")
	b.ReportMetric(float64(hives)/float64(b.N), "hive-bytes/op")
	b.ReportMetric(float64(read)/float64(hives), "read-ratio")
}

// readChars returns the bytes this process has read with read(2) and
// pread(2) so far, or 0 where /proc/self/io does not exist.
func readChars(b *testing.B) int64 {
	f, err := os.Open("/proc/self/io")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "rchar: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	return 0
}
