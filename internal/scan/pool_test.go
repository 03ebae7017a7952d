package scan_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/internal/scan"
	"github.com/hivescan/hivescan/report"
)

// fleet writes n hosts, the sample hosts over and over, as folders of dir.
func fleet(t testing.TB, n int) string {
	t.Helper()
	dir := t.TempDir()
	hosts := samples.Hosts()
	for i := range n {
		h := hosts[i%len(hosts)]
		files, err := h.Build()
		if err != nil {
			t.Fatal(err)
		}
		for p, b := range files {
			full := filepath.Join(dir, fmt.Sprintf("host-%02d-%s", i, h.Name), filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func fixedClock() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

func reportJSON(t testing.TB, r *report.Report) string {
	t.Helper()
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The report does not depend on how many hosts are scanned at once.
func TestJobsDeterministic(t *testing.T) {
	paths := []string{fleet(t, 12), evidenceDir}
	var want string
	for _, jobs := range []int{1, 2, 5, 16} {
		r, err := scan.Run(context.Background(), scan.Options{Paths: paths, Analyzers: analyzers.All(), Jobs: jobs, Now: fixedClock})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Hosts) != 12+len(samples.Hosts()) {
			t.Fatalf("jobs %d: %d hosts", jobs, len(r.Hosts))
		}
		got := reportJSON(t, r)
		if want == "" {
			want = got
			continue
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("jobs %d differs from jobs 1:\n%s", jobs, diff)
		}
	}
}

// BenchmarkScanHosts scans a folder of 1, 8, 32 and 64 hosts (the sample
// hosts repeated) with every analyzer at --jobs 1 and 2. hosts/s is the
// throughput; on a machine with two idle cores jobs=2 should approach twice
// jobs=1 for 32 and 64 hosts.
func BenchmarkScanHosts(b *testing.B) {
	for _, n := range []int{1, 8, 32, 64} {
		sub := fleet(b, n)
		for _, jobs := range []int{1, 2} {
			b.Run(fmt.Sprintf("hosts=%d/jobs=%d", n, jobs), func(b *testing.B) {
				cpu0 := cpuTime()
				for b.Loop() {
					r, err := scan.Run(context.Background(), scan.Options{Paths: []string{sub}, Analyzers: analyzers.All(), Jobs: jobs})
					if err != nil {
						b.Fatal(err)
					}
					if len(r.Hosts) != n {
						b.Fatalf("%d hosts, want %d", len(r.Hosts), n)
					}
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "hosts/s")
				b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
