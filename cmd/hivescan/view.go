package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/report"
)

// viewFlags choose which findings a report shows and how the table looks.
func viewFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "details", Aliases: []string{"v"}, Usage: "table: every finding's full explanation block instead of one line per finding"},
		&cli.IntFlag{Name: "width", Usage: "table: fit lines to `COLUMNS` (default: the terminal's width, else $COLUMNS, else 120)"},
		&cli.StringFlag{Name: "since", Usage: "show only findings whose key was last written at or after `TIME` (RFC 3339, or YYYY-MM-DD in UTC)"},
		&cli.StringFlag{Name: "until", Usage: "show only findings whose key was last written at or before `TIME` (a bare date includes that whole day)"},
	}
}

// setViewOptions fills in opts from viewFlags.
func setViewOptions(c *cli.Context, stdout io.Writer, opts *report.Options) error {
	for _, a := range analyzers.All() {
		opts.Analyzers = append(opts.Analyzers, report.AnalyzerDoc{Name: a.Name, Doc: a.Doc, Attack: a.Attack})
	}
	opts.Details = c.Bool("details")
	opts.Width = c.Int("width")
	if opts.Width < 0 {
		return usageErr("--width: %d is not a number of columns", opts.Width)
	}
	if opts.Width == 0 {
		opts.Width = terminalWidth(stdout)
	}
	var err error
	if opts.Since, err = parseTimeFlag(c.String("since"), false); err != nil {
		return usageErr("--since: %v", err)
	}
	if opts.Until, err = parseTimeFlag(c.String("until"), true); err != nil {
		return usageErr("--until: %v", err)
	}
	if !opts.Since.IsZero() && !opts.Until.IsZero() && opts.Until.Before(opts.Since) {
		return usageErr("--until %s is before --since %s", c.String("until"), c.String("since"))
	}
	return nil
}

// terminalWidth is the width of the terminal w writes to, else $COLUMNS,
// else 0 (the writer's default).
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			return width
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 0
}

// parseTimeFlag reads RFC 3339 (with or without fractional seconds; without
// a zone it is UTC) or a bare date. A bare date for an upper bound means the
// last 100 ns tick of that day.
func parseTimeFlag(s string, endOfDay bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if endOfDay {
			t = t.Add(24*time.Hour - 100*time.Nanosecond)
		}
		return t, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (want RFC 3339 such as 2024-03-15T21:00:00Z, or 2024-03-15)", s)
}
