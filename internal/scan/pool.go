package scan

import (
	"context"
	"runtime"
	"sync"

	"github.com/dustin/go-humanize"
	"github.com/rs/zerolog"
	"golang.org/x/sync/semaphore"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/evidence"
	"github.com/hivescan/hivescan/report"
)

// job is one host to scan.
type job struct {
	src   evidence.Source
	host  *evidence.Host
	owner *opened // released when the host is done
}

// hostResult is one host's part of the report.
type hostResult struct {
	findings []report.Finding
	runs     []report.AnalyzerRun
	problems []report.Problem
	inputs   []report.Input
	host     *report.Host // nil when the host was not scanned
	bytes    int64        // of the hives and logs read
}

// Progress is told about hosts as a scan goes. Its methods are called from
// several goroutines, never at once for one host.
type Progress interface {
	// Start is called once, before any host is read, with the number of
	// hosts and the bytes of their hives and logs.
	Start(hosts int, bytes int64)
	// HostStarted is called when a worker begins a host.
	HostStarted(name string)
	// HostDone is called when a host is scanned, with the bytes it read.
	HostDone(name string, bytes int64)
}

// runJobs scans the jobs with Options.Jobs workers and returns their results
// in the order of jobs. On cancellation the hosts not yet scanned have empty
// results.
//
// Hosts start in order, each when its estimated memory (hostCost) fits in
// what the hosts being scanned leave of Options.Memory; a host larger than
// the whole budget waits for the others to finish and is scanned alone.
func runJobs(ctx context.Context, jobs []*job, opts Options) []hostResult {
	cores := opts.Jobs
	if cores <= 0 {
		cores = runtime.NumCPU()
	}
	n := min(cores, max(len(jobs), 1))
	if cores > n {
		// Fewer hosts than cores: a host may use the others for work of
		// its own.
		opts.spare = semaphore.NewWeighted(int64(cores - n))
	}
	if opts.Progress != nil {
		var total int64
		for _, j := range jobs {
			for _, c := range j.host.Hives {
				total += c.Size
				for _, l := range c.Logs {
					total += l.Size
				}
			}
		}
		opts.Progress.Start(len(jobs), total)
	}
	results := make([]hostResult, len(jobs))
	budget := opts.memory()
	mem := semaphore.NewWeighted(budget)
	costs := make([]int64, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				if ctx.Err() == nil {
					if opts.Progress != nil {
						opts.Progress.HostStarted(j.host.Name)
					}
					results[i] = scanHost(ctx, j.src, j.host, opts)
					if opts.Progress != nil {
						opts.Progress.HostDone(j.host.Name, results[i].bytes)
					}
				}
				j.owner.release()
				mem.Release(costs[i])
			}
		}()
	}
	log := zerolog.Ctx(ctx)
	for i, j := range jobs {
		cost := hostCost(j.host, opts)
		if cost > budget {
			log.Warn().Str("host", j.host.Name).Str("needs", humanize.IBytes(uint64(cost))).Str("memory", humanize.IBytes(uint64(budget))).
				Msg("host needs more than the memory budget (--memory): scanned alone")
		}
		costs[i] = min(max(cost, 1), budget)
		if mem.Acquire(ctx, costs[i]) != nil {
			costs[i] = 0 // cancelled: the worker only releases the job
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// deletedScope is the part of set whose deleted records can matter: with
// analyzers chosen, the hives of the kinds they read (recovering the others
// would only count their records); without analysis (an inventory), all.
func deletedScope(set *hive.Set, list []*analyzers.Analyzer) *hive.Set {
	if list == nil {
		return set
	}
	needed := map[hive.Kind]bool{}
	for _, a := range list {
		for _, k := range a.Needs {
			needed[k] = true
		}
	}
	scope := &hive.Set{Host: set.Host, Root: set.Root}
	for _, e := range set.Entries {
		if needed[e.Kind()] {
			scope.Add(e)
		}
	}
	return scope
}
