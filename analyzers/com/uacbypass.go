package com

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/checks"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// UACBypass reports per-user shell handlers of the classes auto-elevating
// Windows programs open: the table uacbypass.yaml, and the handlers of the
// classes their CurVer redirections name.
var UACBypass = &analysis.Analyzer{
	Name: "uacbypass",
	Doc: `UAC bypass: per-user shell handlers of auto-elevating programs
Auto-elevating Windows programs (fodhelper, computerdefaults, eventvwr,
sdclt, wsreset, slui) open ms-settings:, .msc files, executables, folders
and the Store protocol through HKEY_CLASSES_ROOT, where the user's
Software\Classes (NTUSER.DAT and UsrClass.dat) wins over the machine's. A
shell\open or runas command, a DelegateExecute or a CurVer redirection
there runs code elevated without a UAC prompt. Windows writes none of
these per user (the Store's own DelegateExecute aside): each is high, and
the command of the class a CurVer redirection names is reported too.`,
	Needs:  []hive.Kind{hive.KindNTUser, hive.KindUsrClass},
	Attack: []string{"T1548.002", "T1546.001"},
	Run:    runUACBypass,
}

//go:embed uacbypass.yaml
var uacBypassYAML []byte

var uacBypassTable = checks.MustParsePart("uacbypass", "analyzers/com/uacbypass.yaml", uacBypassYAML)

// elevatedClasses are the classes auto-elevating programs open (the keys of
// the table's uacbypass.curver row).
var elevatedClasses = []string{"ms-settings", "mscfile", "Launcher.SystemSettings", "AppX82a6gwre4fdg3bt635tn5ctqjf8msdd2", "exefile", "Folder"}

func runUACBypass(p *analysis.Pass) error {
	errs := []error{checks.Run(p, uacBypassTable)}
	c, err := readClasses(p)
	errs = append(errs, err)
	for _, u := range c.users {
		if u.ntuser != nil && u.ntuser.Kind() == hive.KindDefault {
			continue // the table reads the users' classes only
		}
		for _, r := range u.classes {
			for _, class := range elevatedClasses {
				k, ok, err := analysis.OptionalKey(r.key, class+`\CurVer`)
				errs = append(errs, err)
				if !ok {
					continue
				}
				_, target, err := analysis.Text(k, "")
				errs = append(errs, err)
				if target == "" || strings.ContainsAny(target, `\`) {
					continue
				}
				fs, err := curVerCommands(u, class, target)
				p.Report(fs...)
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// curVerCommands reports the open and runas commands of class target in
// user u's classes, which an elevated program opening class reaches through
// CurVer.
func curVerCommands(u *user, class, target string) ([]report.Finding, error) {
	var out []report.Finding
	var errs []error
	for _, r := range u.classes {
		for _, verb := range []string{"open", "runas"} {
			k, ok, err := analysis.OptionalKey(r.key, target+`\shell\`+verb+`\command`)
			errs = append(errs, err)
			if !ok {
				continue
			}
			for _, name := range []string{"", "DelegateExecute", "IsolatedCommand"} {
				v, data, err := analysis.Text(k, name)
				errs = append(errs, err)
				if data == "" {
					continue
				}
				f := analysis.AtValue(r.e, k, v)
				f.Rule, f.Severity = "uacbypass.curver-command", report.High
				f.Attack = []string{"T1548.002"}
				var a winpath.Assessment
				prog := data
				if name != "DelegateExecute" {
					a = winpath.Assess(data, u.env)
					prog = a.Path.Base
				}
				f.Title = fmt.Sprintf("%s, reached through %s's CurVer, runs %s elevated", k.Path(), class, prog)
				label := name
				if label == "" {
					label = "(default)"
				}
				f.Detail = fmt.Sprintf("The user's %s\\CurVer names %s, so an auto-elevating program that opens %s uses %s's handlers: %s %q runs with administrator rights and no UAC prompt. Windows never versions %s; collect what the command runs.", class, target, class, target, label, data, class)
				analysis.Assessed(&f, a, "T1548.002")
				out = append(out, f)
			}
		}
	}
	return out, errors.Join(errs...)
}
