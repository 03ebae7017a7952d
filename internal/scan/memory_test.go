package scan_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/evidence"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/internal/scan"
	"github.com/hivescan/hivescan/report"
)

// Reading every hive through a memory mapping gives the report that reading
// them into memory gives, on the whole corpus and the sample evidence: the
// same findings, problems, inputs and hashes.
func TestMappedHivesReportTheSame(t *testing.T) {
	dir := corpus.Dir(t)
	paths := []string{dir, evidenceDir}
	run := func(mapAbove int64) (*report.Report, string) {
		var logs bytes.Buffer
		ctx := zerolog.New(zerolog.SyncWriter(&logs)).Level(zerolog.DebugLevel).WithContext(context.Background())
		r, err := scan.Run(ctx, scan.Options{Paths: paths, Analyzers: analyzers.All(), Jobs: 2, MapAbove: mapAbove, Now: fixedClock})
		if err != nil {
			t.Fatal(err)
		}
		return r, logs.String()
	}
	read, readLog := run(-1)
	mapped, mappedLog := run(1)
	if strings.Contains(readLog, "hives read through mapped files") {
		t.Error("MapAbove -1 mapped hives")
	}
	if n := strings.Count(mappedLog, "hives read through mapped files"); n < 20 {
		t.Errorf("hives of %d hosts mapped, want the corpus's folders of hives", n)
	}
	if diff := gocmp.Diff(reportJSON(t, read), reportJSON(t, mapped)); diff != "" {
		t.Errorf("mapped hives give another report:\n%s", diff)
	}
}

// A host scanned with cores to spare reads its hives beside each other and
// recovers its deleted records beside its live analysis, and reports what
// it reports alone on one core.
func TestSpareCoresSameReport(t *testing.T) {
	dir, _ := regipyHost(t)
	run := func(jobs int) (string, string) {
		var logs bytes.Buffer
		ctx := zerolog.New(zerolog.SyncWriter(&logs)).Level(zerolog.DebugLevel).WithContext(context.Background())
		r, err := scan.Run(ctx, scan.Options{Paths: []string{dir, evidenceDir}, Analyzers: analyzers.All(), Jobs: jobs, Now: fixedClock})
		if err != nil {
			t.Fatal(err)
		}
		return reportJSON(t, r), logs.String()
	}
	alone, aloneLog := run(1)
	if strings.Contains(aloneLog, "beside") {
		t.Error("jobs 1 started helpers")
	}
	for _, jobs := range []int{8, 16} {
		got, log := run(jobs)
		for _, msg := range []string{"hives read beside each other", "recovered beside the live analysis"} {
			if !strings.Contains(log, msg) {
				t.Errorf("jobs %d: no host logged %q", jobs, msg)
			}
		}
		if diff := gocmp.Diff(alone, got); diff != "" {
			t.Errorf("jobs %d differs from jobs 1:\n%s", jobs, diff)
		}
	}
}

// concurrency records how many hosts are scanned at once.
type concurrency struct {
	mu        sync.Mutex
	now, most int
}

func (c *concurrency) Start(int, int64) {}
func (c *concurrency) HostStarted(string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now++
	c.most = max(c.most, c.now)
}
func (c *concurrency) HostDone(string, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now--
}

// A host larger than the memory budget is scanned alone, whatever --jobs
// says, and the report does not change.
func TestMemoryBudget(t *testing.T) {
	paths := []string{fleet(t, 8)}
	var want string
	for _, tc := range []struct {
		memory int64
		most   int // hosts at once, at most
	}{
		{0, 4},        // the default budget: --jobs decides
		{1, 1},        // every host is larger than the budget
		{64 << 10, 1}, // a sample host needs more than 64 KiB
	} {
		var c concurrency
		r, err := scan.Run(context.Background(), scan.Options{Paths: paths, Analyzers: analyzers.All(), Jobs: 4, Memory: tc.memory, Progress: &c, Now: fixedClock})
		if err != nil {
			t.Fatal(err)
		}
		if c.most > tc.most || c.most < 1 || c.now != 0 {
			t.Errorf("memory %d: %d hosts at once (want 1..%d), %d left running", tc.memory, c.most, tc.most, c.now)
		}
		got := reportJSON(t, r)
		if want == "" {
			want = got
		} else if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("memory %d changes the report:\n%s", tc.memory, diff)
		}
	}
}

// A mapped hive shortened while its host is scanned costs that host, not the
// run: the host's problem says why, its inputs are still listed with their
// hashes, and the other hosts are scanned.
func TestShortenedHiveIsAProblem(t *testing.T) {
	dir := t.TempDir()
	run := &hivetest.Key{Name: "Run"}
	for i := range 300 {
		run.Values = append(run.Values, hivetest.SZ(fmt.Sprintf("value%03d", i), `C:\Program Files\App\app.exe --with a long argument to fill the page`))
	}
	root := &hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{{Name: "Environment"}, {Name: "Software", Subkeys: []*hivetest.Key{{Name: "Microsoft", Subkeys: []*hivetest.Key{{Name: "Windows", Subkeys: []*hivetest.Key{{Name: "CurrentVersion", Subkeys: []*hivetest.Key{run}}}}}}}}}}
	h, err := hivetest.Build(root, hivetest.Options{FileName: `\??\C:\Users\bob\ntuser.dat`})
	if err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(dir, "a", "Users", "bob", "NTUSER.DAT")
	other := filepath.Join(dir, "b", "Users", "eve", "NTUSER.DAT")
	for _, p := range []string{victim, other} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, h.Bytes, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The analyzer shortens host a's hive under the scan, as a file on a
	// share that is being overwritten would be.
	shorten := &analyzers.Analyzer{Name: "shorten", Doc: "shortens a hive", Needs: []hive.Kind{hive.KindNTUser}, Run: func(p *analyzers.Pass) error {
		if strings.HasSuffix(p.Set.Host, "[a]") {
			return os.Truncate(victim, 4096)
		}
		return nil
	}}
	list := append([]*analyzers.Analyzer{shorten}, analyzers.All()...)
	r, err := scan.Run(context.Background(), scan.Options{Paths: []string{dir}, Analyzers: list, Jobs: 1, MapAbove: 1, Now: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	var faulted []string
	for _, p := range r.Problems {
		if strings.Contains(p.Message, "host not scanned to the end") && strings.Contains(p.Message, evidence.ErrFault.Error()) {
			faulted = append(faulted, p.Host)
		}
	}
	if len(faulted) != 1 || !strings.HasSuffix(faulted[0], "[a]") {
		t.Fatalf("hosts with a fault problem: %q; problems: %+v", faulted, r.Problems)
	}
	hashed := 0
	for _, in := range r.Inputs {
		if in.Kind == "NTUSER" && len(in.SHA256) == 64 {
			hashed++
		}
	}
	if hashed != 2 {
		t.Errorf("%d hives listed with their hash, want 2: %+v", hashed, r.Inputs)
	}
	for _, f := range r.Findings {
		if strings.Contains(f.Hive, filepath.Join("a", "Users")) {
			t.Errorf("finding kept from the faulted host: %+v", f)
		}
	}
	if len(r.Hosts) != 2 {
		t.Errorf("%d hosts, want 2", len(r.Hosts))
	}
}
