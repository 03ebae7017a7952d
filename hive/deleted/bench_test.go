package deleted

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/txlog"
	"github.com/hivescan/hivescan/internal/corpus"
)

// BenchmarkAnalyze measures recovering deleted records (scan, live paths and
// the analyzer view) on the largest corpus hives, next to opening the same
// bytes and walking every key and value (what reading the live hive costs):
// the ratio of the two ns/op is the price of deleted-record recovery.
func BenchmarkAnalyze(b *testing.B) {
	for _, staged := range []string{
		"mkorman90__regipy/regipy_tests/data/SYSTEM_WIN_10_1709",
		"mkorman90__regipy/regipy_tests/data/SYSTEM",
		"Velocidex__velociraptor/artifacts/testdata/files/UsrClass.dat",
	} {
		data, err := os.ReadFile(corpus.Path(b, staged))
		if err != nil {
			b.Fatal(err)
		}
		name := filepath.Base(staged)
		b.Run(name+"/open-and-walk", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				h, err := hive.Parse(data, name)
				if err != nil {
					b.Fatal(err)
				}
				err = h.Walk(context.Background(), `\`, func(k *hive.Key, err error) error {
					if err == nil {
						vals, _ := k.Values()
						for _, v := range vals {
							v.Data()
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/deleted", func(b *testing.B) {
			h, err := hive.Parse(data, name)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			var keys, values int
			for i := 0; i < b.N; i++ {
				rec, _, _, err := Analyze(context.Background(), h)
				if err != nil {
					b.Fatal(err)
				}
				keys, values = len(rec.Keys), len(rec.Values)
			}
			b.ReportMetric(float64(keys), "deleted-keys")
			b.ReportMetric(float64(values), "deleted-values")
		})
	}
}

// BenchmarkAnalyzeViews measures what a scan asks of this package for each
// hive of regipy's host (BenchmarkScanVsDump's): AnalyzeViews, with the
// transaction logs where the host has them, over the hive as a scan reads
// it, its logs replayed (the dirty UsrClass.dat), and, as dirty-primary,
// over the primary file as it is (every log page then differs from it).
func BenchmarkAnalyzeViews(b *testing.B) {
	const dir = "mkorman90__regipy/regipy_tests/data/"
	for _, c := range []struct {
		hive string
		logs []string
	}{
		{"SYSTEM", nil},
		{"SAM", nil},
		{"amcache.hve", nil},
		{"NTUSER.DAT", nil},
		{"UsrClass.dat", []string{"UsrClass.dat.LOG1", "UsrClass.dat.LOG2"}},
	} {
		data, err := os.ReadFile(corpus.Path(b, dir+c.hive))
		if err != nil {
			b.Fatal(err)
		}
		var logs []txlog.Log
		for _, l := range c.logs {
			ld, err := os.ReadFile(corpus.Path(b, dir+l))
			if err != nil {
				b.Fatal(err)
			}
			logs = append(logs, txlog.Log{Name: l, Data: ld})
		}
		run := func(name string, data []byte) {
			b.Run(name, func(b *testing.B) {
				h, err := hive.Parse(data, c.hive)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					if _, _, err := AnalyzeViews(context.Background(), h, logs...); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		if logs == nil {
			run(c.hive, data)
			continue
		}
		res, err := txlog.Recover(data, logs)
		if err != nil || !res.Changed {
			b.Fatalf("%s: logs not applied (%v)", c.hive, err)
		}
		run(c.hive, res.Data)
		run(c.hive+"/dirty-primary", data)
	}
}
