package office

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// officeVersions are the Office versions whose settings are read (11.0,
// Office 2003, to 16.0, every release since 2016).
var officeVersions = []string{"11.0", "12.0", "14.0", "15.0", "16.0"}

// excelOpen reports Excel's OPEN, OPEN1, ... values: the add-ins and
// workbooks Excel opens at every start.
func excelOpen(p *analysis.Pass, c *classes) error {
	var errs []error
	for _, e := range analysis.UserHives(p.Set) {
		root, err := e.Root()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
			continue
		}
		for _, ver := range officeVersions {
			path := `Software\Microsoft\Office\` + ver + `\Excel\Options`
			k, ok, err := analysis.OptionalKey(root, path)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s\\%s: %w", e.Path, path, err))
			}
			if !ok {
				continue
			}
			vals, err := k.Values()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s\\%s: %w", e.Path, path, err))
			}
			for _, v := range vals {
				if !isOpenName(v.Name()) {
					continue
				}
				s, isText, err := analysis.ValueText(v)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s\\%s: %w", e.Path, path, err))
				}
				if !isText || strings.TrimSpace(s) == "" {
					continue
				}
				f, err := openEntry(p, c, e, k, v, s)
				errs = append(errs, err)
				p.Report(f)
			}
		}
	}
	return errors.Join(errs...)
}

// isOpenName reports OPEN, OPEN1, OPEN2 ... (letter case ignored).
func isOpenName(name string) bool {
	rest, ok := strings.CutPrefix(strings.ToUpper(name), "OPEN")
	if !ok {
		return false
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// openItem is an OPEN value parsed: its switches (/R read-only, /A an
// automation add-in named by ProgID, /F fast load) and its target.
type openItem struct {
	switches   []string
	target     string
	automation bool
}

func parseOpen(s string) openItem {
	var it openItem
	s = strings.TrimSpace(s)
	for strings.HasPrefix(s, "/") {
		i := strings.IndexAny(s, " \t\"")
		if i < 0 {
			i = len(s)
		}
		sw := strings.ToUpper(s[:i])
		it.switches = append(it.switches, sw)
		if sw == "/A" {
			it.automation = true
		}
		s = strings.TrimSpace(s[i:])
	}
	it.target = strings.TrimSpace(strings.Trim(s, `"`))
	return it
}

// isOfficeLibrary reports an add-in Office ships (Analysis ToolPak, Solver,
// Euro Tools): under Program Files\Microsoft Office ...\Library.
func isOfficeLibrary(p winpath.Path) bool {
	d := strings.ToLower(p.Dir)
	return strings.Contains(d, `\program files`) && strings.Contains(d, `\microsoft office`) && strings.Contains(d, `\library`)
}

func openEntry(p *analysis.Pass, c *classes, e *hive.Entry, k *hive.Key, v *hive.Value, raw string) (report.Finding, error) {
	var errs []error
	it := parseOpen(raw)
	env := p.Env(e)
	f := analysis.AtValue(e, k, v)
	f.Rule = "office.excel-open"
	f.Attack = []string{"T1137.006"}
	target := it.target
	how := ""
	if it.automation {
		clsid, found, err := resolveProgID(c.rootsFor(e), it.target)
		errs = append(errs, err)
		how = fmt.Sprintf(" /A names the automation add-in %s, a COM class", it.target)
		if found {
			srv, ok, err := serverOf(c.rootsFor(e), clsid)
			errs = append(errs, err)
			if ok {
				target = srv.data
				if srv.native != "" {
					target = srv.native
				}
				how += fmt.Sprintf(" (CLSID %s, %s %s)", clsid, srv.kind, target)
			}
		}
		how += "."
	}
	lower := strings.ToLower(target)
	remote := strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
	var a winpath.Assessment
	if !remote && target != "" {
		a = winpath.AssessPath(target, env)
	}
	sev := report.Medium
	where := "Outside Office's own folders: check that an installed product put it there."
	switch {
	case remote:
		sev, where = report.High, "It is fetched from a web server (WebDAV), so whoever controls that server decides what Excel runs."
	case winpath.IsUserWritable(a.Path) || a.Path.UNC:
		sev, where = report.High, "It is in a folder the user can write to or on a share, where malware running as the user plants XLL and XLAM add-ins (T1137.006)."
	case isOfficeLibrary(a.Path):
		sev, where = report.Low, "It is one of the add-ins Office ships in its Library folder (Analysis ToolPak, Solver), ticked in the Add-ins dialog."
	}
	name := baseName(target)
	if name == "" {
		name = it.target
	}
	f.Data = raw
	f.Title = fmt.Sprintf("Excel opens %s at every start (%s)", name, v.Name())
	f.Detail = fmt.Sprintf("Excel's Options %s values list the add-ins and workbooks Excel opens each time it starts, for %s: an .xll is loaded as a DLL into Excel, an .xlam/.xla or workbook runs its Auto_Open and Workbook_Open macros, trusted because the user (or whoever wrote the value) ticked it in the Add-ins dialog. The value is %s.%s %s Collect %s, hash it, check its signer (an XLL is a DLL; an add-in workbook carries VBA) and when the Options key was last written.", v.Name(), analysis.Whose(e), raw, how, where, target)
	noteProfile(&f, e)
	analysis.JudgeCapped(&f, sev, "T1137.006", a, nil)
	return f, errors.Join(errs...)
}
