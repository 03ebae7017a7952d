package scan_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/hive/dump"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/internal/scan"
)

// regipyHost lays regipy's real hives out as one host folder.
func regipyHost(b testing.TB) (dir string, hives []string) {
	dir = b.TempDir()
	for dst, src := range map[string]string{
		"Windows/System32/config/SYSTEM":                               "SYSTEM",
		"Windows/System32/config/SAM":                                  "SAM",
		"Windows/System32/config/SECURITY":                             "SECURITY",
		"Windows/AppCompat/Programs/Amcache.hve":                       "amcache.hve",
		"Users/user/NTUSER.DAT":                                        "NTUSER.DAT",
		"Users/user/AppData/Local/Microsoft/Windows/UsrClass.dat":      "UsrClass.dat",
		"Users/user/AppData/Local/Microsoft/Windows/UsrClass.dat.LOG1": "UsrClass.dat.LOG1",
		"Users/user/AppData/Local/Microsoft/Windows/UsrClass.dat.LOG2": "UsrClass.dat.LOG2",
	} {
		data, err := os.ReadFile(corpus.Path(b, "mkorman90__regipy/regipy_tests/data/"+src))
		if err != nil {
			b.Fatal(err)
		}
		full := filepath.Join(dir, filepath.FromSlash(dst))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			b.Fatal(err)
		}
		if filepath.Ext(dst) != ".LOG1" && filepath.Ext(dst) != ".LOG2" {
			hives = append(hives, full)
		}
	}
	return dir, hives
}

// BenchmarkScanVsDump compares one host's scan (every analyzer, logs and
// deleted records as by default) with `hivescan dump --format jsonl` of
// each of its hives, the cost of reading everything once. It reports
// cpu-ns/op for each and, in the scan sub-benchmarks, scan/dump, the ratio
// of their CPU times (the goal: at most 0.5), measured on runs of
// the two taken in turn, each after a collection so that neither inherits
// the heap the other left. The scan and dump sub-benchmarks run one job
// (one core); scan-all-cores runs one per core, as scan does by default,
// and its ns/op is the wall time to set beside the dump's.
//
// In one process the in-turn ratio follows the garbage collector's pacing
// and the heap's growth more than the work: each run starts from a small
// heap and pays for the pages it grows into, which the scan, holding a
// host's hives and indexes at once, does more than a dump of one hive.
// scripts/bench-scan-vs-dump.sh measures the two as a responder runs them,
// each a fresh process.
func BenchmarkScanVsDump(b *testing.B) {
	dir, hives := regipyHost(b)
	ctx := context.Background()
	dumpOnce := func() {
		for _, p := range hives {
			e, _, release, err := scan.OpenHive(ctx, p, false)
			if err != nil {
				b.Fatal(err)
			}
			if err := dump.Write(ctx, io.Discard, e.Hive, `\`, "jsonl"); err != nil {
				b.Fatal(err)
			}
			release()
		}
	}
	noDeleted, jobs := false, 1
	scanOnce := func() {
		r, err := scan.Run(ctx, scan.Options{Paths: []string{dir}, Analyzers: analyzers.All(), Jobs: jobs, NoDeleted: noDeleted})
		if err != nil || len(r.Hosts) != 1 {
			b.Fatalf("%d hosts, %v", len(r.Hosts), err)
		}
	}
	// inTurn runs scan and dump n times each, one after the other, and
	// returns their CPU time ratio.
	inTurn := func(n int) float64 {
		var scanCPU, dumpCPU time.Duration
		for range n {
			runtime.GC()
			c0 := cpuTime()
			scanOnce()
			c1 := cpuTime()
			runtime.GC()
			c2 := cpuTime()
			dumpOnce()
			scanCPU, dumpCPU = scanCPU+c1-c0, dumpCPU+cpuTime()-c2
		}
		return float64(scanCPU) / float64(dumpCPU)
	}
	b.Run("dump", func(b *testing.B) {
		c0 := cpuTime()
		for b.Loop() {
			dumpOnce()
		}
		b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
	})
	scanBench := func(b *testing.B) {
		c0 := cpuTime()
		for b.Loop() {
			scanOnce()
		}
		scanCPU := float64(cpuTime()-c0) / float64(b.N)
		b.ReportMetric(scanCPU, "cpu-ns/op")
		b.ReportMetric(inTurn(10), "scan/dump")
	}
	b.Run("scan", scanBench)
	// --no-deleted: the live registry only, what the dump reads.
	noDeleted = true
	b.Run("scan-no-deleted", scanBench)
	// As scan runs by default, one job per core: one host uses them all
	// (its hives read, and its deleted records recovered, beside each
	// other). ns/op is the wall time to compare with the dump's.
	noDeleted, jobs = false, runtime.NumCPU()
	b.Run("scan-all-cores", func(b *testing.B) {
		c0 := cpuTime()
		for b.Loop() {
			scanOnce()
		}
		b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
	})
}
