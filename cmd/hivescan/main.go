// Command hivescan finds Windows registry hives in evidence (hive files,
// triage folders, disk images) and reports persistence and tampering.
//
// Run "hivescan --help" for the commands. Exit codes: 0 the run completed,
// everything given was looked at and no finding reached --fail-on; 1 a
// finding reached --fail-on; 2 a usage error or nothing to scan; 3 scanned,
// but something could not be looked at (see the report's problems), unless
// --problems-ok.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
