package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/hivescan/hivescan/internal/reportfile"
	"github.com/hivescan/hivescan/internal/stack"
	"github.com/hivescan/hivescan/report"
)

func stackCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "stack",
		Usage:     "count the autostart inventory across hosts, rarest first",
		ArgsUsage: "REPORT...",
		Description: `REPORT is the output of hivescan scan, JSON or JSON lines, of any number of
hosts. Every finding is grouped by hive kind and key, value and data, with
drive letters, account SIDs, profile folders and user names normalised and
ControlSetNNN taken as one, and the groups are listed by how few hosts have
them (least frequency of occurrence): what runs on one machine of a
fleet of five hundred comes first.

Examples:
   hivescan scan --format jsonl /cases/fleet > fleet.jsonl && hivescan stack fleet.jsonl
   hivescan stack --format csv --min-severity info part-*.json > stack.csv`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output `FORMAT`: " + strings.Join(stack.Formats, ", ")},
			&cli.StringFlag{Name: "min-severity", Value: "info", Usage: "stack findings at or above `SEVERITY`"},
			&cli.IntFlag{Name: "max-hosts", Usage: "list only entries on at most `N` hosts (0: all)"},
		}, logFlags("")...),
		Before: func(c *cli.Context) error { return setupLogger(c, e.stderr) },
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageErr("stack: give at least one REPORT (see hivescan stack --help)")
			}
			format := strings.ToLower(c.String("format"))
			known := false
			for _, f := range stack.Formats {
				known = known || f == format
			}
			if !known {
				return usageErr("stack: unknown format %q (want %s)", format, strings.Join(stack.Formats, ", "))
			}
			floor, err := report.ParseSeverity(c.String("min-severity"))
			if err != nil {
				return usageErr("--min-severity: %v", err)
			}
			var findings []report.Finding
			var hosts []string
			for _, p := range c.Args().Slice() {
				part, err := reportfile.ReadFile(p)
				if err != nil {
					return usageErr("stack: %v", err)
				}
				for _, h := range part.Report.Hosts {
					hosts = append(hosts, h.Name)
				}
				for _, f := range part.Report.Findings {
					if f.Severity >= floor {
						findings = append(findings, f)
					}
				}
			}
			res := stack.Stack(findings, hosts)
			if n := c.Int("max-hosts"); n > 0 {
				kept := res.Entries[:0]
				for _, e := range res.Entries {
					if e.Count <= n {
						kept = append(kept, e)
					}
				}
				res.Entries = kept
			}
			if err := stack.Write(e.stdout, res, format); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			return nil
		},
	}
}
