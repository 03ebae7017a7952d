// Package merge combines the reports of the shards of one scan (scan
// --shard I/N) into the report the unsharded scan gives.
package merge

import (
	"fmt"

	"github.com/hivescan/hivescan/internal/reportfile"
	"github.com/hivescan/hivescan/report"
)

// Merge combines parts into one finalized report. Hosts, inputs, analyzer
// runs, findings and problems are concatenated and sorted as a scan sorts
// them; images found by several shards (each shard opens every image to
// find its hosts) are listed once, with the bytes all shards read. The
// command line and tool version are the first part's; started and finished
// span all parts.
//
// It fails when two JSON parts hold the same host (shards of different
// splits, or one part given twice) or when parts were written with
// different severity floors.
func Merge(parts []*reportfile.Part) (*report.Report, error) {
	out := &report.Report{}
	hostIn := map[string]string{}
	imageAt := map[string]int{}
	allowAt := map[string]int{} // allowlist entries: each shard counts what it suppressed
	for i, p := range parts {
		r := p.Report
		if i == 0 {
			out.SchemaVersion, out.Tool, out.ToolVersion, out.Args = r.SchemaVersion, r.Tool, r.ToolVersion, r.Args
			out.Started, out.Finished, out.MinSeverity = r.Started, r.Finished, r.MinSeverity
		}
		if r.MinSeverity != out.MinSeverity {
			return nil, fmt.Errorf("%s: written with --min-severity %s, %s with %s: merge parts of one scan", p.Path, r.MinSeverity, parts[0].Path, out.MinSeverity)
		}
		if !r.Started.IsZero() && (out.Started.IsZero() || r.Started.Before(out.Started)) {
			out.Started = r.Started
		}
		if r.Finished.After(out.Finished) {
			out.Finished = r.Finished
		}
		for _, h := range r.Hosts {
			if prev, ok := hostIn[h.Name]; ok {
				return nil, fmt.Errorf("host %q is in %s and in %s: parts of one split only, each once", h.Name, prev, p.Path)
			}
			hostIn[h.Name] = p.Path
			out.Hosts = append(out.Hosts, h)
		}
		for _, img := range r.Images {
			if j, ok := imageAt[img.Path]; ok {
				out.Images[j].BytesRead += img.BytesRead
				continue
			}
			imageAt[img.Path] = len(out.Images)
			out.Images = append(out.Images, img)
		}
		out.Inputs = append(out.Inputs, r.Inputs...)
		out.Analyzers = append(out.Analyzers, r.Analyzers...)
		out.Findings = append(out.Findings, r.Findings...)
		out.Problems = append(out.Problems, r.Problems...)
		out.Baselined += r.Baselined
		out.Suppressed += r.Suppressed
		for _, a := range r.Allow {
			if j, ok := allowAt[a.Where]; ok {
				out.Allow[j].Suppressed += a.Suppressed
				continue
			}
			allowAt[a.Where] = len(out.Allow)
			out.Allow = append(out.Allow, a)
		}
	}
	out.Finalize()
	return out, nil
}
