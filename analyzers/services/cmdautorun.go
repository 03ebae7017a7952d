package services

import (
	"errors"
	"fmt"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// CmdAutoRun reports commands that cmd.exe runs whenever it starts.
var CmdAutoRun = &analysis.Analyzer{
	Name: "cmdautorun",
	Doc: `Command Processor AutoRun: a command run by every cmd.exe
cmd.exe runs the AutoRun value of Software\Microsoft\Command Processor
(machine-wide in SOFTWARE, native and Wow6432Node; per user in NTUSER and
DEFAULT) each time it starts without /D, which includes every batch file,
scheduled task and installer that shells out. Windows sets no AutoRun; any
command is medium, and the path assessor can raise it.`,
	Needs:  []hive.Kind{hive.KindSoftware, hive.KindNTUser, hive.KindDefault},
	Attack: []string{"T1546"},
	Run:    runCmdAutoRun,
}

func runCmdAutoRun(p *analysis.Pass) error {
	var out []report.Finding
	var errs []error
	check := func(e *hive.Entry, env winpath.Env, paths ...string) {
		root, err := e.Root()
		if err != nil {
			errs = append(errs, err)
			return
		}
		for _, p := range paths {
			k, ok, err := analysis.OptionalKey(root, p)
			if !ok {
				errs = append(errs, err)
				continue
			}
			v, cmd, err := analysis.Text(k, "AutoRun")
			errs = append(errs, err)
			if cmd == "" {
				continue
			}
			f := analysis.AtValue(e, k, v)
			f.Rule, f.Severity = "cmdautorun.autorun", report.Medium
			who := "every user"
			if e.User != "" {
				who = e.User
			} else if e.Kind() == hive.KindDefault {
				who = "the DEFAULT profile (SYSTEM and services)"
			}
			f.Title = fmt.Sprintf("cmd.exe AutoRun runs %s", cmd)
			f.Detail = fmt.Sprintf("Each time cmd.exe starts for %s (batch files, scheduled tasks, installers, an interactive prompt), it first runs \"%s\". Windows sets no AutoRun; some developer tools (conda, clink) add one. Check what the command does.", who, cmd)
			analysis.Assessed(&f, winpath.Assess(cmd, env), "T1546")
			out = append(out, f)
		}
	}
	if e := p.Set.Software(); e != nil {
		check(e, p.Env(nil), analysis.SoftwareRoots(`Microsoft\Command Processor`)...)
	}
	for _, e := range append(p.Set.Users(), p.Set.ByKind(hive.KindDefault)...) {
		if err := p.Context().Err(); err != nil {
			p.Report(out...)
			return err
		}
		check(e, p.Env(e), `Software\Microsoft\Command Processor`)
	}
	p.Report(out...)
	return errors.Join(errs...)
}
