package services

import (
	"context"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/internal/corpus"
)

// BenchmarkServicesRegipySystem runs the services analyzer over regipy's
// real Windows 7 SYSTEM hive (two control sets that mostly repeat each
// other: the case svcVerdicts is for).
func BenchmarkServicesRegipySystem(b *testing.B) {
	h, err := hive.Open(corpus.Path(b, "mkorman90__regipy/regipy_tests/data/SYSTEM"))
	if err != nil {
		b.Fatal(err)
	}
	set := &hive.Set{Host: "corpus"}
	set.Add(&hive.Entry{Hive: h, Path: "SYSTEM"})
	list := []*analysis.Analyzer{Services}
	for b.Loop() {
		if res := analysis.Run(context.Background(), set, list); len(res.Problems) > 0 {
			b.Fatal(res.Problems)
		}
	}
}
