package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes, documented in the app's help (exitCodesHelp) and the README.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
	exitProblems = 3
)

// exitCodesHelp is the exit-code table every help screen ends with.
const exitCodesHelp = `Exit codes:
   0  the run completed: everything given was looked at, no finding reached --fail-on
   1  a finding reached --fail-on
   2  a usage error, or nothing to scan (a path that does not exist, a folder
      without hives, an output format hivescan does not write); a one-line
      hint goes to stderr
   3  scanned, but something could not be looked at: the report's problems
      list says what (a hive that could not be read or classified, an analyzer
      that could not run); --problems-ok turns this into 0 or 1`

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// run is main without os.Exit: it parses args, runs the command and returns
// the exit code. stdout carries only the report; logs go to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(&env{stdout: stdout, stderr: stderr, args: args[1:], now: now})
	if i := len(args) - 1; i >= 1 && args[1] == "help" {
		// "hivescan help scan" is "hivescan scan --help".
		args = append(append([]string{args[0]}, args[2:]...), "--help")
	}
	ordered, cl := reorder(app, args)
	switch {
	case cl.command == "" && !asksHelpOrVersion(cl.global):
		fmt.Fprintln(stderr, "hivescan: give a command: "+commandNames(app)+" (see hivescan --help)")
		return exitUsage
	case cl.dangling != "":
		fmt.Fprintf(stderr, "hivescan: %s: flag needs an argument: %s (see hivescan %s --help)\n", cl.command, cl.dangling, cl.command)
		return exitUsage
	case cl.command != "" && cl.cmd == nil:
		fmt.Fprintf(stderr, "hivescan: unknown command %q: the commands are %s (see hivescan --help)\n", cl.command, commandNames(app))
		return exitUsage
	}
	err := app.RunContext(ctx, ordered)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.code != exitFindings {
			fmt.Fprintf(stderr, "hivescan: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "hivescan: %v\n", err)
	return exitUsage
}

// asksHelpOrVersion reports a command line of global flags that asks for
// the help or the version.
func asksHelpOrVersion(global []string) bool {
	for _, a := range global {
		switch a {
		case "-h", "--help", "-help", "-v", "--version", "-version":
			return true
		}
	}
	return false
}

// commandNames lists the visible commands, comma-separated.
func commandNames(app *cli.App) string {
	var names []string
	for _, c := range app.Commands {
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	return strings.Join(names, ", ")
}

// now is the clock of a run; tests replace it.
var now = time.Now

// env is what commands need from the process: where to write, the command
// line (recorded in reports) and the clock.
type env struct {
	stdout, stderr io.Writer
	args           []string
	now            func() time.Time
}

func newApp(e *env) *cli.App {
	stdout, stderr := e.stdout, e.stderr
	app := &cli.App{
		Name:    "hivescan",
		Usage:   "find persistence in Windows registry hives, offline",
		Version: version,
		Description: `hivescan finds the registry hives in evidence (hive files, triage folders such
as KAPE output, mounted volumes, disk images), reads them read-only and runs
analyzers over every host it finds: Session Manager (BootExecute, pending
renames, KnownDLLs, SubSystems...), Run keys, Winlogon, services, IFEO and
more, with special care for fake system processes (smss.exe, csrss.exe...)
planted outside System32.

Flags may come before or after paths: "hivescan scan DIR -f jsonl" works.

` + exitCodesHelp,
		Writer:                 stdout,
		ErrWriter:              stderr,
		HideHelpCommand:        true,
		UseShortOptionHandling: true,
		ExitErrHandler:         func(*cli.Context, error) {}, // only main exits
		Flags:                  logFlags("warn"),
		Before: func(c *cli.Context) error {
			return setupLogger(c, stderr)
		},
		Commands: []*cli.Command{
			scanCommand(e),
			mergeCommand(e),
			stackCommand(e),
			dumpCommand(e),
			hivesCommand(e),
			extractCommand(e),
			analyzersCommand(stdout),
			versionCommand(stdout),
		},
		OnUsageError: func(c *cli.Context, err error, isSub bool) error {
			return usageErr("%v", err)
		},
		CommandNotFound: func(c *cli.Context, name string) {
			fmt.Fprintf(stderr, "hivescan: unknown command %q (see hivescan --help)\n", name)
		},
	}
	for _, c := range app.Commands {
		// A usage mistake is one line on stderr with a hint, never the help
		// screen on stdout.
		c.OnUsageError = func(ctx *cli.Context, err error, _ bool) error {
			return usageErr("%s: %v (see hivescan %s --help)", c.Name, err, c.Name)
		}
		if c.Description != "" {
			c.Description += "\n\n" + exitCodesHelp
		}
	}
	return app
}

// logFlags are accepted before the command and after it.
func logFlags(defaultLevel string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "log-level", Value: defaultLevel, Usage: "log `LEVEL` on stderr: debug, info, warn, error", EnvVars: []string{"HIVESCAN_LOG_LEVEL"}},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "log errors only"},
	}
}

// setupLogger puts a zerolog logger writing to stderr into the context. A
// level given after the command wins over one given before it.
func setupLogger(c *cli.Context, stderr io.Writer) error {
	lineage := c.Lineage()
	name := ""
	for _, l := range lineage {
		if name = l.String("log-level"); name != "" {
			break
		}
	}
	level, err := zerolog.ParseLevel(strings.ToLower(name))
	if err != nil || level == zerolog.NoLevel || name == "" {
		return usageErr("--log-level: unknown level %q", name)
	}
	quiet := false
	for _, l := range lineage {
		quiet = quiet || l.Bool("quiet")
	}
	if quiet {
		level = zerolog.ErrorLevel
	}
	var w io.Writer = stderr
	if isTerminal(stderr) {
		w = zerolog.ConsoleWriter{Out: stderr, TimeFormat: "15:04:05"}
	}
	logger := zerolog.New(w).Level(level).With().Timestamp().Logger()
	c.Context = logger.WithContext(c.Context)
	return nil
}

// isTerminal reports whether w is a terminal (colour and console logs).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// splitList splits comma-separated flag values ("a,b" and repeated flags).
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
