package scan

import (
	"context"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/hive/evidence"
	"github.com/hivescan/hivescan/internal/corpus"
)

// Recovering deleted records only in the hives the analyzers read finds
// the same deleted findings as recovering them in every hive, on the sample
// evidence and on every host of the corpus.
func TestDeletedScope(t *testing.T) {
	ctx := context.Background()
	list := analyzers.All()
	var withDeleted int
	for _, p := range []string{"../../testdata/evidence", corpus.Dir(t)} {
		srcs, o, err := sources(p, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, src := range srcs {
			res, err := evidence.Discover(ctx, src, evidence.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hosts {
				l := evidence.Load(ctx, src, h, evidence.LoadOptions{Replay: replay})
				live := analyzers.Run(ctx, l.Set, list).Findings
				all, _, _ := scanDeleted(ctx, startRecovery(ctx, l.Set, nil), list, live)
				scoped, _, _ := scanDeleted(ctx, startRecovery(ctx, deletedScope(l.Set, list), nil), list, live)
				if diff := gocmp.Diff(all, scoped); diff != "" {
					t.Errorf("%s: deleted findings differ (-all hives +scoped):\n%s", h.Name, diff)
				}
				if len(all) > 0 {
					withDeleted++
				}
			}
		}
		o.close()
	}
	if withDeleted == 0 {
		t.Error("no host has deleted findings: the comparison says nothing")
	}
}
