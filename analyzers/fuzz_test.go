package analyzers

import (
	"context"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
)

// FuzzAnalyzers runs every analyzer over mutated sample hives, each taken as
// every autostart-bearing kind: whatever the bytes, no analyzer may panic
// (the driver would turn a panic into a failed run; here it fails the test).
func FuzzAnalyzers(f *testing.F) {
	for _, h := range samples.Hosts() {
		for _, hv := range h.Hives {
			b, err := hivetest.Build(hv.Root, hv.Opts)
			if err != nil {
				f.Fatal(err)
			}
			if len(b.Bytes) <= 64<<10 {
				f.Add(b.Bytes)
			}
		}
	}
	kinds := []hive.Kind{hive.KindSystem, hive.KindSoftware, hive.KindNTUser, hive.KindDefault, hive.KindUsrClass}
	f.Fuzz(func(t *testing.T, data []byte) {
		set := &hive.Set{Host: "fuzz"}
		for _, k := range kinds {
			h, err := hive.Parse(data, k.String(), hive.Options{Kind: k})
			if err != nil {
				return
			}
			set.Add(&hive.Entry{Hive: h, Path: k.String(), User: "u"})
		}
		res := analysis.Run(context.Background(), set, All())
		for _, r := range res.Runs {
			if strings.Contains(r.Reason, "panicked") {
				t.Fatalf("%s: %s", r.Name, r.Reason)
			}
		}
	})
}
