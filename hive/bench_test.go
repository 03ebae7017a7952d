package hive_test

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/dump"
	"github.com/hivescan/hivescan/internal/corpus"
)

// benchHives are corpus hives of different shapes; the first is the
// reference SYSTEM hive of scripts/bench-peers.sh.
var benchHives = []string{
	"mkorman90__regipy/regipy_tests/data/SYSTEM_WIN_10_1709",
	"log2timeline__plaso/test_data/regf/UsrClass.dat",
	"mkorman90__regipy/regipy_tests/data/NTUSER_BAGMRU.DAT",
}

// BenchmarkWalk opens a hive from disk and walks it, decoding every value,
// and reports keys/s, values/s and MB/s of hive read.
func BenchmarkWalk(b *testing.B) {
	for _, staged := range benchHives {
		b.Run(staged[len(staged)-min(len(staged), 24):], func(b *testing.B) {
			path := corpus.Path(b, staged)
			st, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(st.Size())
			b.ReportAllocs()
			var keys, values int
			for b.Loop() {
				h, err := hive.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				err = h.Walk(context.Background(), `\`, func(k *hive.Key, err error) error {
					if err != nil {
						return nil
					}
					keys++
					vals, _ := k.Values()
					for _, v := range vals {
						v.Data()
						values++
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			s := b.Elapsed().Seconds()
			b.ReportMetric(float64(keys)/s, "keys/s")
			b.ReportMetric(float64(values)/s, "values/s")
		})
	}
}

// BenchmarkDump opens the reference SYSTEM hive and writes its full dump
// in each format to io.Discard.
func BenchmarkDump(b *testing.B) {
	path := corpus.Path(b, benchHives[0])
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, format := range dump.Formats {
		b.Run(format, func(b *testing.B) {
			b.SetBytes(st.Size())
			b.ReportAllocs()
			for b.Loop() {
				h, err := hive.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				if err := dump.Write(context.Background(), io.Discard, h, `\`, format); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
