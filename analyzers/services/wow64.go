package services

import (
	"errors"
	"fmt"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// Wow64 reports a replaced WOW64 CPU layer.
var Wow64 = &analysis.Analyzer{
	Name: "wow64",
	Doc: `WOW64 CPU layer DLLs
wow64.dll loads the CPU layer named by the default value of the Wow64 keys
(SYSTEM Control\Wow64 and its subkeys in every control set, SOFTWARE
Microsoft\Wow64\<architecture>) into every 32-bit process of a 64-bit
Windows. Windows names wow64cpu.dll, wowarmhw.dll or xtajit.dll /
xtajit64.dll; any other DLL runs inside every 32-bit program and is high.`,
	Needs:  []hive.Kind{hive.KindSystem, hive.KindSoftware},
	Attack: []string{"T1574"},
	Run:    runWow64,
}

var wow64Defaults = map[string]bool{
	"wow64cpu.dll": true, "wowarmhw.dll": true, "xtajit.dll": true, "xtajit64.dll": true, "wow64.dll": true,
}

func runWow64(p *analysis.Pass) error {
	env := p.Env(nil)
	var out []report.Finding
	judge := func(e *hive.Entry, k *hive.Key) (report.Finding, bool, error) {
		v, dll, err := analysis.Text(k, "")
		if dll == "" {
			return report.Finding{}, false, err
		}
		f := analysis.AtValue(e, k, v)
		if !analysis.DLLEntry(&f, dll, wow64Defaults, report.High, env, "T1574") {
			return f, false, err
		}
		f.Rule = "wow64.cpu-layer"
		f.Title = fmt.Sprintf("WOW64 layer %s is not a Windows default", dll)
		f.Detail = "Every 32-bit process loads the WOW64 CPU layer named here. " + f.Detail
		return f, true, err
	}
	walk := func(e *hive.Entry, base *hive.Key, path string, cs *hive.ControlSet) error {
		k, ok, err := analysis.OptionalKey(base, path)
		if !ok {
			return err
		}
		subs, err := k.Subkeys()
		errs := []error{err}
		for _, key := range append([]*hive.Key{k}, subs...) {
			f, ok, err := judge(e, key)
			errs = append(errs, err)
			if ok {
				if cs != nil {
					f = analysis.InSet(f, *cs)
				}
				out = append(out, f)
			}
		}
		return errors.Join(errs...)
	}
	err := p.EachControlSet(func(e *hive.Entry, cs hive.ControlSet) error {
		return walk(e, cs.Key, `Control\Wow64`, &cs)
	})
	err = errors.Join(err, p.EachSoftware(func(e *hive.Entry, root *hive.Key) error {
		return walk(e, root, `Microsoft\Wow64`, nil)
	}))
	p.Report(out...)
	return err
}
