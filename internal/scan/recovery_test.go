package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sync/semaphore"

	"github.com/hivescan/hivescan/hive/evidence"
	"github.com/hivescan/hivescan/hive/hivetest"
)

// mappedUsers writes the NTUSER.DAT of n users of one host and loads them
// through memory mappings.
func mappedUsers(t *testing.T, n int) (*evidence.Loaded, []string) {
	t.Helper()
	run := &hivetest.Key{Name: "Run"}
	for i := range 300 {
		run.Values = append(run.Values, hivetest.SZ(fmt.Sprintf("value%03d", i), `C:\Program Files\App\app.exe --with a long argument to fill the page`))
	}
	root := &hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{{Name: "Software", Subkeys: []*hivetest.Key{{Name: "Microsoft", Subkeys: []*hivetest.Key{{Name: "Windows", Subkeys: []*hivetest.Key{{Name: "CurrentVersion", Subkeys: []*hivetest.Key{run}}}}}}}}}}
	dir := t.TempDir()
	var files []string
	for i := range n {
		h, err := hivetest.Build(root, hivetest.Options{FileName: fmt.Sprintf(`\??\C:\Users\u%d\ntuser.dat`, i)})
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "Users", fmt.Sprintf("u%d", i), "NTUSER.DAT")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, h.Bytes, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	src := evidence.Source{FS: os.DirFS(dir), Root: ".", Name: dir}
	res, err := evidence.Discover(context.Background(), src, evidence.Options{})
	if err != nil || len(res.Hosts) != 1 {
		t.Fatalf("discover: %v, %d hosts", err, len(res.Hosts))
	}
	l := evidence.Load(context.Background(), src, res.Hosts[0], evidence.LoadOptions{MapAbove: 1})
	if l.Mapped != n || len(l.Set.Entries) != n {
		t.Fatalf("%d of %d hives mapped, %d parsed", l.Mapped, n, len(l.Set.Entries))
	}
	return l, files
}

// A hive that faults while it is recovered, by a helper or by the host's
// goroutine, ends the host on the goroutine that takes the result, as a
// fault of its own would (evidence.Parts says more); nothing crashes, and
// the helpers give their cores back.
func TestRecoveryRelaysAHelpersFault(t *testing.T) {
	for _, helpers := range []int64{0, 3} {
		t.Run(fmt.Sprintf("%d helpers", helpers), func(t *testing.T) {
			l, files := mappedUsers(t, 3)
			defer l.Close()
			for _, p := range files {
				if err := os.Truncate(p, 4096); err != nil {
					t.Fatal(err)
				}
			}
			var spare *semaphore.Weighted
			if helpers > 0 {
				spare = semaphore.NewWeighted(helpers)
			}
			var r *recovery
			err := evidence.Guard(func() {
				r = startRecovery(context.Background(), l.Set, spare)
				if helpers > 0 && r.parts.Helpers != 2 {
					t.Errorf("%d helpers, want 2 (one per hive beside the caller's)", r.parts.Helpers)
				}
				for i := range l.Set.Entries {
					r.get(i)
				}
			})
			r.stop()
			if !errors.Is(err, evidence.ErrFault) {
				t.Fatalf("guard returned %v, want a fault", err)
			}
			if spare != nil && !spare.TryAcquire(helpers) {
				t.Error("the helpers kept their cores")
			}
		})
	}
}

// Results come back in the order of the hives, the same with helpers as
// without, and the helpers give their cores back.
func TestRecoverySameWithHelpers(t *testing.T) {
	l, _ := mappedUsers(t, 4)
	defer l.Close()
	var want []recovered
	for _, helpers := range []int64{0, 1, 3} {
		var spare *semaphore.Weighted
		if helpers > 0 {
			spare = semaphore.NewWeighted(helpers)
		}
		var got []recovered
		err := evidence.Guard(func() {
			r := startRecovery(context.Background(), l.Set, spare)
			defer r.stop()
			for i := range l.Set.Entries {
				got = append(got, r.get(i))
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = got
			continue
		}
		for i := range want {
			if fmt.Sprint(want[i].rec, want[i].views.Stats, want[i].err) != fmt.Sprint(got[i].rec, got[i].views.Stats, got[i].err) {
				t.Errorf("%d helpers: hive %d recovered otherwise", helpers, i)
			}
		}
		if spare != nil && !spare.TryAcquire(helpers) {
			t.Errorf("%d helpers kept their cores", helpers)
		}
	}
}
