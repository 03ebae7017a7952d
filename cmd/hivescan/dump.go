package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/deleted"
	"github.com/hivescan/hivescan/hive/dump"
	ev "github.com/hivescan/hivescan/hive/evidence"
	"github.com/hivescan/hivescan/internal/scan"
)

func dumpCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "dump",
		Usage:     "print every key and value of a hive (or of one key and below)",
		ArgsUsage: "HIVE [KEY]",
		Description: `KEY is a path from the hive root, "\"-separated and case-insensitive
(default: the whole hive). A dirty hive is recovered in memory from the
transaction logs beside it first (--no-logs to read it as found). Notes
about the file go to stderr; stdout carries only the dump.

jsonl writes one object per line:
   {"type":"key","path":"\\ControlSet001\\Control","last_write":"2019-06-01T10:20:30.1234567Z","subkeys":3,"values":2}
   {"type":"value","path":"\\ControlSet001\\Control","name":"SystemStartOptions","reg_type":"REG_SZ","size":42,"data":"..."}

Examples:
   hivescan dump SYSTEM 'ControlSet001\Control\Session Manager'
   hivescan dump --format jsonl NTUSER.DAT > ntuser.jsonl
   hivescan dump --deleted --format csv SOFTWARE > software.csv
   hivescan dump --format bodyfile SYSTEM > system.body && mactime -b system.body -d -y 1970-01-02`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "`FORMAT`: " + strings.Join(dump.Formats, ", ") + ", bodyfile (Sleuth Kit body file of key last writes, for mactime)"},
			&cli.BoolFlag{Name: "no-logs", Usage: "do not apply transaction logs to a dirty hive"},
			&cli.BoolFlag{Name: "deleted", Usage: "also print deleted keys and values recovered from unallocated cells and slack"},
		}, logFlags("")...),
		Before: func(c *cli.Context) error { return setupLogger(c, e.stderr) },
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 || c.NArg() > 2 {
				return usageErr("dump: give HIVE and optionally KEY (see hivescan dump --help)")
			}
			format := strings.ToLower(c.String("format"))
			known := format == "bodyfile"
			for _, f := range dump.Formats {
				known = known || f == format
			}
			if !known {
				return usageErr("dump: unknown format %q (want %s or bodyfile)", format, strings.Join(dump.Formats, ", "))
			}
			if st, err := os.Stat(c.Args().Get(0)); err == nil && st.IsDir() {
				return usageErr("dump: %s is a folder: dump reads one hive file (hivescan hives %s lists the hives in it)", c.Args().Get(0), c.Args().Get(0))
			}
			// The hive may be read through a mapping: a fault while it is
			// hashed or dumped (the file shortened meanwhile) is an error.
			// The mapping is released after the guard: Guard tells a fault
			// in it by its being mapped still.
			var runErr error
			release := func() {}
			defer func() { release() }()
			if err := ev.Guard(func() {
				var entry *hive.Entry
				var file ev.File
				var err error
				entry, file, release, err = scan.OpenHive(c.Context, c.Args().Get(0), c.Bool("no-logs"))
				if err != nil {
					runErr = &exitError{code: exitUsage, err: err}
					return
				}
				runErr = dumpEntry(c, e, entry, file)
			}); err != nil {
				return &exitError{code: exitUsage, err: fmt.Errorf("%s: %w", c.Args().Get(0), err)}
			}
			return runErr
		},
	}
}

// dumpEntry writes the dump of an opened hive (its bytes may be mapped).
func dumpEntry(c *cli.Context, e *env, entry *hive.Entry, file ev.File) error {
	format := strings.ToLower(c.String("format"))
	for _, n := range file.Notes {
		fmt.Fprintf(e.stderr, "hivescan: %s: %s\n", file.Display, n)
	}
	key := c.Args().Get(1)
	if key == "" {
		key = `\`
	}
	if _, err := entry.Key(key); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if format == "bodyfile" {
		var rec *deleted.Records
		if c.Bool("deleted") {
			var err error
			if rec, _, _, err = deleted.Analyze(c.Context, entry.Hive); err != nil {
				return &exitError{code: exitUsage, err: fmt.Errorf("deleted records: %w", err)}
			}
		}
		if err := writeBodyfile(c.Context, e.stdout, e.stderr, entry, key, rec); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		return nil
	}
	if err := dump.Write(c.Context, e.stdout, entry.Hive, key, format); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if !c.Bool("deleted") {
		return nil
	}
	rec, _, _, err := deleted.Analyze(c.Context, entry.Hive)
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("deleted records: %w", err)}
	}
	if err := dump.WriteDeleted(e.stdout, rec, key, format); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	return nil
}
