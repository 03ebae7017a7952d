package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/hivescan/hivescan/internal/merge"
	"github.com/hivescan/hivescan/internal/reportfile"
	"github.com/hivescan/hivescan/report"
)

func mergeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "combine the reports of a sharded scan (scan --shard I/N) into one",
		ArgsUsage: "PART...",
		Description: `PART is a report written by one shard: JSON (--format json, which carries
hosts, inputs and analyzer runs) or JSON lines (--format jsonl: findings and,
from schema 2, problems). The merged report is the one an unsharded scan
writes, findings byte for byte; images are listed once with the bytes every
shard read.

Examples:
   hivescan merge -o case42.json part-*.json
   hivescan merge --format jsonl part-*.jsonl > case42.jsonl`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "output `FORMAT`: " + strings.Join(report.Formats(), ", ") + " (default: from -o's extension, else table)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` instead of stdout"},
			&cli.StringFlag{Name: "min-severity", Usage: "show findings at or above `SEVERITY`"},
			&cli.BoolFlag{Name: "no-color", Usage: "never colour the table"},
		}, logFlags("")...),
		Before: func(c *cli.Context) error { return setupLogger(c, e.stderr) },
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageErr("merge: give at least one PART (see hivescan merge --help)")
			}
			out, err := newOutput(c, e.stdout)
			if err != nil {
				return err
			}
			var parts []*reportfile.Part
			for _, p := range c.Args().Slice() {
				part, err := reportfile.ReadFile(p)
				if err != nil {
					return usageErr("merge: %v", err)
				}
				parts = append(parts, part)
			}
			r, err := merge.Merge(parts)
			if err != nil {
				return usageErr("merge: %v", err)
			}
			if err := out.write(r); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			return nil
		},
	}
}
