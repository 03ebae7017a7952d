package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/hivescan/hivescan/analyzers"
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
   hivescan scan -o known.json /cases/golden-image && hivescan scan --baseline known.json --fail-on medium /cases/42`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "output `FORMAT`: " + strings.Join(report.Formats(), ", ") + " (default: from -o's extension, else table)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` instead of stdout"},
			&cli.StringFlag{Name: "min-severity", Usage: "show findings at or above `SEVERITY` (default: low for table, info for machine formats)"},
			&cli.StringFlag{Name: "fail-on", Value: "none", Usage: "exit 1 when a finding at or above `SEVERITY` exists (info, low, medium, high, critical, none)"},
			&cli.StringSliceFlag{Name: "analyzers", Usage: "run only these analyzers (`NAME,...`; see hivescan analyzers)"},
			&cli.StringSliceFlag{Name: "skip", Usage: "do not run these analyzers (`NAME,...`)"},
			&cli.StringFlag{Name: "baseline", Usage: "leave out findings whose fingerprint is in `REPORT` (an earlier json or jsonl output); --fail-on then counts only new findings"},
			&cli.BoolFlag{Name: "no-logs", Usage: "do not apply transaction logs (.LOG1/.LOG2) to dirty hives"},
			&cli.BoolFlag{Name: "no-deleted", Usage: "do not recover deleted keys and values from unallocated cells"},
			&cli.BoolFlag{Name: "verify-image", Usage: "read disk images whole to check the hash their container stores (E01 MD5)"},
			&cli.BoolFlag{Name: "no-color", Usage: "never colour the table"},
		}, append(sigmaFlags(true), logFlags("")...)...),
		Before: func(c *cli.Context) error { return setupLogger(c, e.stderr) },
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageErr("scan: give at least one PATH (see hivescan scan --help)")
			}
			failOn, failSet, err := parseFailOn(c.String("fail-on"))
			if err != nil {
				return usageErr("--fail-on: %v", err)
			}
			list, err := analyzers.Choose(analyzers.All(), splitList(c.StringSlice("analyzers")), splitList(c.StringSlice("skip")))
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
			r, scanErr := scan.Run(c.Context, scan.Options{
				Paths:        c.Args().Slice(),
				Analyzers:    list,
				NoLogs:       c.Bool("no-logs"),
				NoDeleted:    c.Bool("no-deleted"),
				VerifyImages: c.Bool("verify-image"),
				Version:      version,
				Args:         e.args,
				Now:          e.now,
			})
			finishSigma(r, sigmaProblems)
			if baseline != nil {
				r.ApplyBaseline(baseline)
				r.Finalize()
			}
			if err := out.write(r); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			var inErr *scan.InputError
			switch {
			case errors.As(scanErr, &inErr):
				return &exitError{code: exitUsage, err: scanErr}
			case scanErr != nil:
				return &exitError{code: exitUsage, err: scanErr}
			}
			if failSet && r.CountAtLeast(failOn) > 0 {
				return &exitError{code: exitFindings, err: fmt.Errorf("%d findings at or above %s", r.CountAtLeast(failOn), failOn)}
			}
			return nil
		},
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
	if s := c.String("min-severity"); s != "" {
		sev, err := report.ParseSeverity(s)
		if err != nil {
			return nil, usageErr("--min-severity: %v", err)
		}
		opts.MinSeverity = sev
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
