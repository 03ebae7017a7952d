package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// csvHeader is the first row of every CSV report, even one without findings.
var csvHeader = []string{
	"severity", "host", "analyzer", "rule", "title",
	"hive_kind", "hive", "user", "key", "scope", "value", "data", "last_write",
	"control_set", "control_set_role", "attack", "risk", "deleted", "detail", "fingerprint",
}

// csvWriter writes one row per finding.
//
// scope is "key" for key-level findings and "value" otherwise, so that the
// default value (scope value, empty value cell) differs from a key.
// REG_MULTI_SZ data is joined with newlines (the cell is quoted), ATT&CK ids
// and control set roles with ";". A cell that a spreadsheet would run as a
// formula (one starting with =, +, -, @, tab or CR) is prefixed with a single
// quote.
type csvWriter struct{ opts Options }

var _ Writer = (*csvWriter)(nil)

func (cw *csvWriter) Write(w io.Writer, r *Report) error {
	out := csv.NewWriter(w)
	if err := out.Write(csvHeader); err != nil {
		return err
	}
	for _, f := range view(r, cw.opts).Findings {
		scope, value := "key", ""
		if f.Value != nil {
			scope, value = "value", *f.Value
		}
		risk := ""
		if f.Risk != 0 {
			risk = strconv.FormatFloat(f.Risk, 'f', -1, 64)
		}
		row := []string{
			f.Severity.String(), f.Host, f.Analyzer, f.Rule, f.Title,
			f.HiveKind, f.Hive, f.User, f.Key, scope, value,
			strings.Join(dataStrings(f.Data), "\n"), FormatTime(f.LastWrite),
			f.ControlSet, strings.Join(f.ControlSetRole, ";"), strings.Join(f.Attack, ";"),
			risk, strconv.FormatBool(f.Deleted), f.Detail, f.Fingerprint,
		}
		for i := range row {
			row[i] = neutralizeFormula(row[i])
		}
		if err := out.Write(row); err != nil {
			return err
		}
	}
	out.Flush()
	return out.Error()
}

// neutralizeFormula prefixes a cell that a spreadsheet would evaluate with a
// single quote, which spreadsheets show as text.
func neutralizeFormula(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
