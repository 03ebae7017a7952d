package autostart

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

// WindowsKey judges the Windows NT\CurrentVersion\Windows autostarts.
var WindowsKey = &analysis.Analyzer{
	Name: "windowskey",
	Doc: `Windows key: AppInit_DLLs, IconServiceLib and the legacy Load and Run values
Windows NT\CurrentVersion\Windows in SOFTWARE (and Wow6432Node) lists
AppInit_DLLs, loaded into every process that loads user32.dll when
LoadAppInit_DLLs is 1 (always before Windows 7), and IconServiceLib, loaded by
the icon service. The same key in a user's hive keeps win.ini's Load and Run
lines, started at that user's logon. Non-default entries are reported with
the path assessor's verdict on each DLL or program.`,
	Needs:  []hive.Kind{hive.KindSoftware, hive.KindNTUser, hive.KindDefault},
	Attack: []string{"T1546.010", "T1547.001", "T1547"},
	Run:    runWindowsKey,
}

//go:embed windowskey.yaml
var windowsKeyYAML []byte

// windowsKeyTable holds the user hives' Load and Run checks.
var windowsKeyTable = checks.MustParsePart("windowskey", "analyzers/autostart/windowskey.yaml", windowsKeyYAML)

func runWindowsKey(p *analysis.Pass) error {
	var out []report.Finding
	var errs []error
	ver := p.Version().Version
	visit := func(e *hive.Entry, path string, fn func(*hive.Entry, *hive.Key, winpath.Env, string) ([]report.Finding, error)) {
		root, err := e.Root()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
			return
		}
		k, ok, err := analysis.OptionalKey(root, path)
		if !ok {
			if err != nil {
				errs = append(errs, fmt.Errorf("%s\\%s: %w", e.Path, path, err))
			}
			return
		}
		fs, err := fn(e, k, p.Env(e), ver)
		out = append(out, fs...)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s\\%s: %w", e.Path, path, err))
		}
	}
	for _, e := range p.Set.ByKind(hive.KindSoftware) {
		if err := p.Context().Err(); err != nil {
			p.Report(out...)
			return err
		}
		visit(e, `Microsoft\Windows NT\CurrentVersion\Windows`, machineWindowsKey)
		visit(e, `Wow6432Node\Microsoft\Windows NT\CurrentVersion\Windows`, machineWindowsKey)
	}
	p.Report(out...)
	return errors.Join(append(errs, checks.Run(p, windowsKeyTable))...)
}

// splitDLLs splits AppInit_DLLs: names separated by spaces or commas.
func splitDLLs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
}

func machineWindowsKey(e *hive.Entry, k *hive.Key, env winpath.Env, ver string) ([]report.Finding, error) {
	var out []report.Finding
	load, lv, haveLoad, err1 := analysis.Uint(k, "LoadAppInit_DLLs")
	signed, _, haveSigned, err2 := analysis.Uint(k, "RequireSignedAppInit_DLLs")
	// Before Windows 7 (and on 2008) the switch did not exist: the DLLs
	// were always loaded.
	enabled := load == 1 || (!haveLoad && (ver == "" || analysis.VersionBefore(ver, 6, 1)))
	v, ok, err3 := analysis.OptionalValue(k, "AppInit_DLLs")
	var dlls []string
	raw := ""
	if ok {
		var terr error
		raw, _, terr = analysis.ValueText(v)
		err3 = errors.Join(err3, terr)
		dlls = splitDLLs(raw)
	}
	state := "LoadAppInit_DLLs is absent, and Windows before 7 loads AppInit_DLLs unconditionally."
	switch {
	case haveLoad && enabled:
		state = "LoadAppInit_DLLs is 1, so they are loaded."
	case haveLoad:
		state = fmt.Sprintf("LoadAppInit_DLLs is %d, so Windows does not load them now; one value change (by anyone with admin rights) would.", load)
	case !enabled:
		state = "LoadAppInit_DLLs is absent, which this Windows version treats as 0."
	}
	if haveSigned && signed == 0 {
		state += " RequireSignedAppInit_DLLs is 0, so unsigned DLLs are accepted."
	}
	state += " On Windows 8 and later with Secure Boot on, AppInit_DLLs are ignored."
	for _, dll := range dlls {
		f := analysis.AtValue(e, k, v)
		f.Rule = "appinit.dll"
		f.Data = dll
		a := winpath.AssessPath(dll, env)
		f.Title = "AppInit_DLLs loads " + a.Path.Base + " into every GUI process"
		f.Detail = "Every process that loads user32.dll also loads each AppInit_DLLs entry, giving its code a place in nearly every program the user runs. " + state + " The whole value is " + raw + ". Collect " + dll + ", check its signer and whether a security or accessibility product that still uses AppInit is installed."
		base := report.High
		if !enabled {
			base = report.Medium
			f.Title += " (switched off)"
		}
		analysis.Judge(&f, base, "T1546.010", a)
		out = append(out, f)
	}
	if len(dlls) == 0 && haveLoad && load == 1 {
		f := analysis.AtValue(e, k, lv)
		f.Rule = "appinit.enabled"
		f.Severity = report.Low
		f.Attack = []string{"T1546.010"}
		f.Title = "AppInit_DLLs loading is switched on with no DLL listed"
		f.Detail = "LoadAppInit_DLLs is 1 but AppInit_DLLs is empty: nothing is loaded now, but the switch Windows 7 and later ship off was turned on, by a product that uses AppInit or by someone preparing (or cleaning up after) an AppInit DLL."
		out = append(out, f)
	}
	fs, err4 := iconServiceLib(e, k, env)
	return append(out, fs...), errors.Join(err1, err2, err3, err4)
}

// iconServiceLib reports an IconServiceLib other than IconCodecService.dll.
func iconServiceLib(e *hive.Entry, k *hive.Key, env winpath.Env) ([]report.Finding, error) {
	v, ok, err := analysis.OptionalValue(k, "IconServiceLib")
	if !ok {
		return nil, err
	}
	s, _, err := analysis.ValueText(v)
	if s = strings.TrimSpace(s); s == "" {
		return nil, err
	}
	a := winpath.AssessPath(s, env)
	want := winpath.Resolve("IconCodecService.dll", env)
	if strings.EqualFold(a.Path.Full, want.Full) && a.Severity == report.Info {
		return nil, nil
	}
	f := analysis.AtValue(e, k, v)
	f.Rule = "windows.iconservicelib"
	f.Title = "IconServiceLib loads " + a.Path.Base
	f.Detail = "Windows loads IconServiceLib into a system process (the icon codec service) to decode icons; it ships IconCodecService.dll from System32. Another DLL here runs with that process's rights whenever icons are decoded. Collect the DLL and check its signer."
	analysis.Judge(&f, report.High, "T1547", a)
	return []report.Finding{f}, nil
}
