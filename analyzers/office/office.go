// Package office reports Microsoft Office persistence and macro-security
// tampering (T1137, T1562.001) in the users' hives and in SOFTWARE, for
// Office 2003 to Microsoft 365 (versions 11.0 to 16.0):
//
//   - the Office test DLL every Office application loads at start;
//   - COM and VSTO add-ins, a COM add-in's ProgID resolved through
//     HKEY_CLASSES_ROOT (the user's classes, then the machine's) to the DLL
//     Office loads, judged by where it lies;
//   - Excel's OPEN values (add-ins and workbooks opened at start) and the
//     Word and Excel startup folders moved;
//   - Outlook folder home pages, Outlook Today, unsafe rule actions and the
//     VBA project loaded at start;
//   - macro security lowered (VBAWarnings, AccessVBOM, Protected View,
//     internet macros) in the settings and in their policy form, and
//     trusted locations outside Office's own folders.
//
// "This value under this key" checks are the table office.yaml
// (docs/rules.md); Go judges what needs a cross-reference: add-in classes,
// Excel's OPEN syntax, and trusted locations (folders, not files, and the
// AllowNetworkLocations switch they depend on).
package office

import (
	_ "embed"
	"errors"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/checks"
	"github.com/hivescan/hivescan/hive"
)

// Office reports Office persistence and macro-security tampering.
var Office = &analysis.Analyzer{
	Name: "office",
	Doc: `Office: add-ins, Office test DLL, startup files, Outlook home pages and rules, macro security
Office applications load code from the registry: the Office test DLL, COM
add-ins (a ProgID resolved through the user's and the machine's classes to
its DLL), VSTO manifests, Excel's OPEN add-ins and workbooks, the Word and
Excel startup folders, and Outlook's folder home pages, rules and VBA
project. Macro security lowered (VBAWarnings, AccessVBOM, Protected View,
internet macros, trusted locations outside Office's own folders) prepares
the next malicious document. Read from every user's NTUSER.DAT and from
SOFTWARE (and Wow6432Node), settings and policies alike.`,
	Needs:  []hive.Kind{hive.KindNTUser, hive.KindDefault, hive.KindSoftware},
	Attack: []string{"T1137", "T1137.001", "T1137.002", "T1137.004", "T1137.005", "T1137.006", "T1562.001"},
	Run:    run,
}

//go:embed office.yaml
var officeYAML []byte

var table = checks.MustParsePart("office", "analyzers/office/office.yaml", officeYAML)

func run(p *analysis.Pass) error {
	errs := []error{checks.Run(p, table)}
	c, err := readClasses(p)
	errs = append(errs, err)
	for _, step := range []func(*analysis.Pass, *classes) error{addIns, excelOpen, trustedLocations} {
		if err := p.Context().Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		errs = append(errs, step(p, c))
	}
	return errors.Join(errs...)
}
