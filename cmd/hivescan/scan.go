package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/urfave/cli/v2"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/internal/allow"
	"github.com/hivescan/hivescan/internal/scan"
	"github.com/hivescan/hivescan/report"
)

func scanCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "scan",
		Usage:     "find hives in evidence and report persistence",
		ArgsUsage: "PATH...",
		Description: `PATH is a hive file, a folder (a mounted Windows volume, a triage collection,
or a folder of many hosts' collections) or a disk image. Hives are found by
their signature, grouped into hosts and analysed host by host.

Examples:
   hivescan scan testdata/evidence
   hivescan scan --min-severity high /cases/42/C
   hivescan scan --format json -o report.json /cases/42
   hivescan scan --fail-on high --format jsonl SYSTEM NTUSER.DAT
   hivescan scan --analyzers bootexecute --skip runkeys /cases/42
   hivescan scan -o known.json /cases/golden-image && hivescan scan --baseline known.json --fail-on medium /cases/42
   hivescan scan --allow golden-image-allow.yaml --fail-on high /cases/42

Every problem (something given that could not be looked at) is in the report
in every format and also one line on stderr: "hivescan: problem: [host] path: message".

Exit codes: 0 done, no finding reached --fail-on; 1 a finding reached --fail-on;
2 usage error, or a PATH that cannot be used at all; 3 the report was written but
lists problems, whatever --fail-on says (--problems-ok gives 0 or 1 instead).
-o may not point inside a PATH being scanned.`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "output `FORMAT`: " + strings.Join(report.Formats(), ", ") + " (default: from -o's extension, else table)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` instead of stdout"},
			&cli.StringFlag{Name: "min-severity", Usage: "show findings at or above `SEVERITY` (default: low for table, info for machine formats)"},
			&cli.StringFlag{Name: "fail-on", Value: "none", Usage: "exit 1 when a finding at or above `SEVERITY` exists (info, low, medium, high, critical, none)"},
			&cli.StringSliceFlag{Name: "analyzers", Usage: "run only these analyzers (`NAME,...`; see hivescan analyzers)"},
			&cli.StringSliceFlag{Name: "skip", Usage: "do not run these analyzers (`NAME,...`)"},
			&cli.StringSliceFlag{Name: "rules", Usage: "also run the checks of `FILE` or of every .yaml/.yml file in a folder (format: docs/rules.md); repeatable"},
			&cli.StringSliceFlag{Name: "allow", Usage: "suppress the findings that an entry of allowlist `FILE` matches (format: docs/allowlist.md); they are counted in the summary, expired entries are problems; repeatable"},
			&cli.BoolFlag{Name: "show-suppressed", Usage: "with --allow: keep suppressed findings in the report, marked suppressed with the entry's reason and FILE:LINE"},
			&cli.StringFlag{Name: "baseline", Usage: "leave out findings whose fingerprint is in `REPORT` (an earlier json or jsonl output); --fail-on then counts only new findings"},
			&cli.BoolFlag{Name: "no-logs", Usage: "do not apply transaction logs (.LOG1/.LOG2) to dirty hives"},
			&cli.BoolFlag{Name: "no-deleted", Usage: "do not recover deleted keys and values from unallocated cells"},
			&cli.BoolFlag{Name: "no-sweep", Usage: "do not walk the host's volume for fake system processes (disk images and mounted volumes only)"},
			&cli.BoolFlag{Name: "no-targets", Usage: "do not look up on the host's volume the files findings name (hashes, times, PE facts)"},
			&cli.BoolFlag{Name: "verify-image", Usage: "read disk images whole to check the hash their container stores (E01 MD5)"},
			&cli.BoolFlag{Name: "no-color", Usage: "never colour the table"},
			&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: runtime.NumCPU(), Usage: "scan `N` hosts at once (memory holds at most N hosts' hives)"},
			&cli.StringFlag{Name: "memory", Value: "auto", Usage: "memory `SIZE` the hosts scanned at once may hold, estimated from their hives' sizes (e.g. 2GiB, 512MiB): a host waits until it fits, one larger than SIZE is scanned alone; auto is half of this machine's memory. Hives of 8 MiB and more are read through the file (memory-mapped), not into memory"},
			&cli.StringFlag{Name: "shard", Usage: "scan only shard `I/N` of the hosts (0 <= I < N; a stable hash of each host), or auto: the index of a Kubernetes Indexed Job, Slurm job array or AWS Batch array job task; combine the parts with hivescan merge"},
			&cli.IntFlag{Name: "shard-count", EnvVars: []string{"HIVESCAN_SHARD_COUNT"}, Usage: "with --shard auto: the number of tasks `N` (Kubernetes: the Job's completions; AWS Batch: the array size; Slurm: taken from SLURM_ARRAY_TASK_COUNT)"},
			&cli.StringSliceFlag{Name: "kind", Usage: "take the hive at `PATH=KIND` to be of that kind (SYSTEM, SOFTWARE, NTUSER, ...) when no rule can tell; PATH as given or as the report shows it; repeatable"},
			&cli.BoolFlag{Name: "problems-ok", Usage: "exit 0 or 1 (by --fail-on) even when something could not be looked at; without it a report with problems exits 3"},
		}, append(append(viewFlags(), sigmaFlags(true)...), logFlags("")...)...),
		Before: func(c *cli.Context) error { return setupLogger(c, e.stderr) },
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageErr("scan: give at least one PATH (see hivescan scan --help)")
			}
			failOn, failSet, err := parseFailOn(c.String("fail-on"))
			if err != nil {
				return usageErr("--fail-on: %v", err)
			}
			all, err := analyzers.WithRules(analyzers.All(), c.StringSlice("rules"))
			if err != nil {
				return usageErr("--rules: %v\n(the check file format is in docs/rules.md; hivescan analyzers --rules FILE checks a file without scanning)", err)
			}
			skip := splitList(c.StringSlice("skip"))
			if c.Bool("no-sweep") {
				skip = append(skip, "sweep")
			}
			list, err := analyzers.Choose(all, splitList(c.StringSlice("analyzers")), skip)
			if err != nil {
				return usageErr("%v", err)
			}
			list, sigmaProblems, err := withSigma(c, list)
			if err != nil {
				return err
			}
			out, err := newOutput(c, e.stdout)
			if err != nil {
				return err
			}
			if err := outsideEvidence(out.path, c.Args().Slice()); err != nil {
				return err
			}
			var allowList *allow.List
			if files := c.StringSlice("allow"); len(files) > 0 {
				allowList, err = allow.Load(files)
				if err != nil {
					return usageErr("--allow: %v\n(the allowlist format is in docs/allowlist.md: every entry needs a reason and at least one of rule, key, value, data, host)", err)
				}
			} else if c.Bool("show-suppressed") {
				return usageErr("--show-suppressed: give --allow FILE (see hivescan scan --help)")
			}
			var baseline report.Baseline
			if p := c.String("baseline"); p != "" {
				f, err := os.Open(p)
				if err != nil {
					return usageErr("--baseline: %v", err)
				}
				baseline, err = report.ReadBaseline(f)
				f.Close()
				if err != nil {
					return usageErr("--baseline %s: %v", p, err)
				}
			}
			if c.Int("jobs") < 1 {
				return usageErr("--jobs: want at least 1, got %d", c.Int("jobs"))
			}
			memory, err := parseMemory(c.String("memory"))
			if err != nil {
				return usageErr("--memory: %v", err)
			}
			shard, err := scan.ParseShard(c.String("shard"), c.Int("shard-count"), os.Getenv)
			if err != nil {
				return usageErr("--shard: %v", err)
			}
			kinds, err := parseKinds(c.StringSlice("kind"))
			if err != nil {
				return err
			}
			r, scanErr := scan.Run(c.Context, scan.Options{
				Kinds:          kinds,
				Jobs:           c.Int("jobs"),
				Memory:         memory,
				Shard:          shard,
				Progress:       newProgress(e.stderr, quietFlag(c)),
				Allow:          allowList,
				ShowSuppressed: c.Bool("show-suppressed"),
				Paths:          c.Args().Slice(),
				Analyzers:      list,
				NoLogs:         c.Bool("no-logs"),
				NoDeleted:      c.Bool("no-deleted"),
				NoTargets:      c.Bool("no-targets"),
				VerifyImages:   c.Bool("verify-image"),
				Version:        version,
				Args:           e.args,
				Now:            e.now,
			})
			if scanErr != nil && len(r.Inputs) == 0 && len(r.Hosts) == 0 {
				// Nothing was scanned: the mistake, not an empty report.
				return &exitError{code: exitUsage, err: scanErr}
			}
			finishSigma(r, sigmaProblems)
			if baseline != nil {
				r.ApplyBaseline(baseline)
				r.Finalize()
			}
			if err := out.write(r); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			for _, p := range r.Problems {
				fmt.Fprintf(e.stderr, "hivescan: problem: %s\n", p)
			}
			if scanErr != nil {
				return &exitError{code: exitUsage, err: scanErr}
			}
			if len(r.Problems) > 0 && !c.Bool("problems-ok") {
				return &exitError{code: exitProblems, err: fmt.Errorf("%d problems: the report is incomplete, some evidence could not be looked at (--problems-ok exits 0 or 1 regardless)", len(r.Problems))}
			}
			if failSet && r.CountAtLeast(failOn) > 0 {
				return &exitError{code: exitFindings, err: fmt.Errorf("%d findings at or above %s", r.CountAtLeast(failOn), failOn)}
			}
			return nil
		},
	}
}

// quietFlag reports whether --quiet was given before or after the command.
func quietFlag(c *cli.Context) bool {
	for _, l := range c.Lineage() {
		if l.Bool("quiet") {
			return true
		}
	}
	return false
}

// parseKinds reads --kind PATH=KIND values.
func parseKinds(vals []string) ([]scan.KindOverride, error) {
	var out []scan.KindOverride
	for _, v := range vals {
		i := strings.LastIndex(v, "=")
		if i <= 0 {
			return nil, usageErr("--kind %q: want PATH=KIND, e.g. --kind evidence/hive1=SOFTWARE", v)
		}
		k, err := hive.ParseKind(v[i+1:])
		if err != nil || k == hive.KindUnknown {
			return nil, usageErr("--kind %q: %v", v, cmp.Or(err, errors.New("UNKNOWN is not a kind to give")))
		}
		out = append(out, scan.KindOverride{Path: v[:i], Kind: k})
	}
	return out, nil
}

// outsideEvidence refuses an output file inside any of the evidence paths
// (a folder, or the file itself), after resolving relative paths and
// symbolic links, so that a scan never changes what it scans.
func outsideEvidence(output string, paths []string) error {
	if output == "" || output == "-" {
		return nil
	}
	out, err := realPath(output)
	if err != nil {
		return usageErr("-o %s: %v", output, err)
	}
	for _, p := range paths {
		ev, err := realPath(p)
		if err != nil {
			continue // the scan reports it
		}
		st, err := os.Stat(ev)
		inside := err == nil && st.IsDir() && (out == ev || strings.HasPrefix(out, strings.TrimSuffix(ev, string(filepath.Separator))+string(filepath.Separator)))
		if inside || out == ev {
			return usageErr("-o %s is inside the evidence %s: a scan never writes into what it scans; write the report elsewhere, e.g. -o %s",
				output, p, filepath.Join(filepath.Dir(strings.TrimSuffix(ev, string(filepath.Separator))), "hivescan-report"+filepath.Ext(output)))
		}
	}
	return nil
}

// realPath returns p absolute with every symbolic link resolved, also when
// its last components do not exist yet.
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	for dir := abs; ; dir = filepath.Dir(dir) {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		if dir == filepath.Dir(dir) {
			return abs, nil
		}
		rest = append([]string{filepath.Base(dir)}, rest...)
	}
}

func parseFailOn(s string) (report.Severity, bool, error) {
	if strings.EqualFold(strings.TrimSpace(s), "none") || s == "" {
		return report.Info, false, nil
	}
	sev, err := report.ParseSeverity(s)
	return sev, err == nil, err
}

// output is where and how a report is written.
type output struct {
	w      report.Writer
	path   string
	stdout io.Writer
}

// newOutput chooses the writer from --format, -o and --min-severity.
func newOutput(c *cli.Context, stdout io.Writer) (*output, error) {
	path := c.String("output")
	name := c.String("format")
	opts := report.Options{}
	table := name == "" && (path == "" || strings.HasSuffix(strings.ToLower(path), ".txt")) || strings.EqualFold(name, "table")
	if table {
		opts.MinSeverity = report.Low
		opts.Color = path == "" && !c.Bool("no-color") && isTerminal(stdout) && os.Getenv("NO_COLOR") == ""
	}
	if err := setViewOptions(c, stdout, &opts); err != nil {
		return nil, err
	}
	if s := c.String("min-severity"); s != "" {
		sev, err := report.ParseSeverity(s)
		if err != nil {
			return nil, usageErr("--min-severity: %v", err)
		}
		opts.MinSeverity = sev
	}
	if ext := filepath.Ext(path); name == "" && ext != "" {
		if _, ok := report.FormatForExtension(ext); !ok {
			return nil, usageErr("-o %s: hivescan writes no %s files; give --format (%s) or use one of their extensions", path, ext, strings.Join(report.Formats(), ", "))
		}
	}
	w, err := report.FormatFor(name, path, opts)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return &output{w: w, path: path, stdout: stdout}, nil
}

// write writes the report; to a file it never replaces an existing one.
func (o *output) write(r *report.Report) error {
	if o.path == "" || o.path == "-" {
		return o.w.Write(o.stdout, r)
	}
	f, err := os.OpenFile(o.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if err := o.w.Write(f, r); err != nil {
		f.Close()
		return fmt.Errorf("output %s: %w", o.path, err)
	}
	return f.Close()
}

// parseMemory reads --memory: auto (0, the scan's default) or a size such as
// 2GiB, 512MiB, 3G (decimal units: G is 10^9 bytes, GiB 2^30).
func parseMemory(s string) (int64, error) {
	if strings.EqualFold(strings.TrimSpace(s), "auto") {
		return 0, nil
	}
	n, err := humanize.ParseBytes(s)
	if err != nil {
		return 0, fmt.Errorf("want a size such as 2GiB or 512MiB, or auto; got %q", s)
	}
	switch {
	case n < minMemoryFlag:
		return 0, fmt.Errorf("want at least 16MiB (every host would be scanned alone: --jobs 1 says that), got %q", s)
	case n > math.MaxInt64:
		return 0, fmt.Errorf("%q is more than any machine has", s)
	}
	return int64(n), nil
}

// minMemoryFlag is the smallest --memory accepted: below it every host would
// be scanned alone, which --jobs 1 says more plainly.
const minMemoryFlag = 16 << 20
