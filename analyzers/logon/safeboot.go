package logon

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// SafeBoot reports Safe Mode entries that are not Windows' own.
var SafeBoot = &analysis.Analyzer{
	Name: "safeboot",
	Doc: `Safe Mode: services and drivers started in Safe Mode beyond Windows' own
Control\SafeBoot\Minimal and \Network list the services, drivers, groups and
device classes Windows starts in Safe Mode (and Safe Mode with Networking).
An entry added there runs when almost nothing else does, which is why
ransomware adds its own service before rebooting the machine into Safe Mode
and why security products add theirs. Entries beyond Windows' own (the
corpus's real hives, safeboot.tsv) are low; the service they name is judged
by the path assessor, and one it finds questionable (a user-writable or odd
folder, a look-alike name) is high.`,
	Needs:  []hive.Kind{hive.KindSystem},
	Attack: []string{"T1562.009", "T1112"},
	Run:    runSafeBoot,
}

//go:embed safeboot.tsv
var safeBootTSV string

// stockSafeBoot maps "minimal\name" and "network\name" (lower case) to
// Windows' own entries.
var stockSafeBoot = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(safeBootTSV, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			panic("safeboot.tsv: want 3 tab-separated fields: " + line) // caught by the tests
		}
		m[strings.ToLower(f[0]+`\`+f[1])] = true
	}
	return m
}()

func runSafeBoot(p *analysis.Pass) error {
	var out []report.Finding
	err := p.EachControlSet(func(e *hive.Entry, cs hive.ControlSet) error {
		var errs []error
		for _, mode := range []string{"Minimal", "Network"} {
			k, ok, err := analysis.OptionalKey(cs.Key, `Control\SafeBoot\`+mode)
			if !ok {
				errs = append(errs, err)
				continue
			}
			subs, err := k.Subkeys()
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for _, s := range subs {
				if stockSafeBoot[strings.ToLower(mode+`\`+s.Name())] {
					continue
				}
				f, err := safeBootEntry(p, e, cs, mode, s)
				errs = append(errs, err)
				out = append(out, f)
			}
		}
		return errors.Join(errs...)
	})
	p.Report(out...)
	return err
}

// safeBootEntry judges one entry that is not Windows': the service of its
// name, when the control set has one, through the path assessor.
func safeBootEntry(p *analysis.Pass, e *hive.Entry, cs hive.ControlSet, mode string, k *hive.Key) (report.Finding, error) {
	f := analysis.InSet(analysis.At(e, k), cs)
	f.Analyzer, f.Rule, f.Severity = "safeboot", "safeboot.entry", report.Low
	f.Attack = []string{"T1562.009", "T1112"}
	_, kind, err := analysis.Text(k, "")
	where := map[string]string{"Minimal": "Safe Mode", "Network": "Safe Mode with Networking"}[mode]
	f.Title = fmt.Sprintf("%s starts %s, which is not Windows' own", where, k.Name())
	f.Detail = fmt.Sprintf("Windows starts the %s %q in %s because Control\\SafeBoot\\%s lists it. Windows lists its own services, drivers and device classes there; security products add theirs, and ransomware adds its own service before forcing a reboot into Safe Mode, where defences do not run.", strings.ToLower(strings.TrimSpace(kind+" entry")), k.Name(), where, mode)
	svc, ok, serr := analysis.OptionalKey(cs.Key, `Services\`+k.Name())
	err = errors.Join(err, serr)
	if !ok {
		if serr == nil {
			f.Detail += " No service of that name exists in this control set: a leftover of removed software, or of a removed attacker service."
		}
		return f, err
	}
	_, img, ierr := analysis.Text(svc, "ImagePath")
	err = errors.Join(err, ierr)
	var dll string
	params, ok, perr := analysis.OptionalKey(svc, "Parameters")
	if ok {
		_, dll, perr = analysis.Text(params, "ServiceDll")
	}
	err = errors.Join(err, perr)
	env := p.Env(e)
	for _, cmd := range []string{img, dll} {
		if cmd == "" {
			continue
		}
		f.Detail += fmt.Sprintf(" Its service runs %q.", cmd)
		a := winpath.Assess(cmd, env)
		analysis.Assessed(&f, a)
		if a.Severity >= report.Medium && f.Severity < report.High {
			// A questionable program that also starts in Safe Mode is
			// the ransomware pattern, not a vendor's.
			f.Severity = report.High
			f.Detail += " A service from such a place that also starts in Safe Mode is how ransomware keeps running where defences do not: rated high."
		}
	}
	return f, err
}
