package main

import (
	"errors"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/hivescan/hivescan/internal/scan"
	"github.com/hivescan/hivescan/report"
)

func hivesCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "hives",
		Usage:     "list the hosts and hives found in evidence, with kinds, users, hashes and state",
		ArgsUsage: "PATH...",
		Description: `The inventory of what scan would read: hosts, their control sets and users,
and every hive and transaction log with its kind, size, SHA-256 and whether it
is dirty. Nothing is analysed.

Examples:
   hivescan hives testdata/evidence
   hivescan hives --format json /cases/42 > inventory.json`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table or json"},
			&cli.BoolFlag{Name: "no-logs", Usage: "do not apply transaction logs (.LOG1/.LOG2) to dirty hives"},
			&cli.BoolFlag{Name: "verify-image", Usage: "read disk images whole to check the hash their container stores (E01 MD5)"},
			&cli.StringSliceFlag{Name: "kind", Usage: "take the hive at `PATH=KIND` to be of that kind when no rule can tell; repeatable"},
		}, logFlags("")...),
		Before: func(c *cli.Context) error { return setupLogger(c, e.stderr) },
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageErr("hives: give at least one PATH")
			}
			format := strings.ToLower(c.String("format"))
			if format != "table" && format != "json" {
				return usageErr("hives: unknown format %q (table or json)", format)
			}
			kinds, err := parseKinds(c.StringSlice("kind"))
			if err != nil {
				return err
			}
			r, scanErr := scan.Run(c.Context, scan.Options{Kinds: kinds, Paths: c.Args().Slice(), NoLogs: c.Bool("no-logs"), NoDeleted: true, VerifyImages: c.Bool("verify-image"), Version: version, Args: e.args, Now: e.now})
			if format == "json" {
				var w report.Writer
				w, err = report.FormatFor("json", "", report.Options{})
				if err == nil {
					err = w.Write(e.stdout, r)
				}
			} else {
				err = report.WriteInventory(e.stdout, r)
			}
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			var inErr *scan.InputError
			if errors.As(scanErr, &inErr) || scanErr != nil {
				return &exitError{code: exitUsage, err: scanErr}
			}
			return nil
		},
	}
}
