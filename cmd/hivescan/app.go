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

// Exit codes.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
)

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
	err := app.RunContext(ctx, args)
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
	return &cli.App{
		Name:    "hivescan",
		Usage:   "find persistence in Windows registry hives, offline",
		Version: version,
		Description: `hivescan finds the registry hives in evidence (hive files, triage folders such
as KAPE output, mounted volumes, disk images), reads them read-only and runs
analyzers over every host it finds: Session Manager (BootExecute, pending
renames, KnownDLLs, SubSystems...), Run keys, Winlogon, services, IFEO and
more, with special care for fake system processes (smss.exe, csrss.exe...)
planted outside System32.`,
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
