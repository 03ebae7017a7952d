package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// csvHeader is the first row of every CSV report, even one without records.
var csvHeader = []string{
	"record", "severity", "host", "analyzer", "rule", "title",
	"hive_kind", "hive", "hive_sha256", "user", "registry_path", "key", "scope", "value", "data",
	"last_write_utc", "last_write", "control_set", "control_set_role", "attack", "risk", "deleted",
	"detail", "detail_full", "fingerprint", "targets", "target_sha256",
}

// csvExcelTime is how last_write_utc is written: ISO 8601 / RFC 3339 with a
// space for the "T" and no zone letter (the column is UTC), milliseconds,
// which spreadsheets (Excel, LibreOffice, Timeline Explorer) read as a date.
const csvExcelTime = "2006-01-02 15:04:05.000"

// csvDetailMax bounds the detail column, in characters; detail_full holds
// the whole text.
const csvDetailMax = 160

// csvWriter writes one row per record: every finding at or above the
// severity floor (record "finding"), then every problem (record
// "problem"), so that a spreadsheet of a scan that could not look at
// something says so. One file holds both; filter on the record column.
//
// Every row is one line: cells are escaped with EscapeCSVCell (newlines and
// other control, bidi and zero-width characters become \x0a-style escapes;
// a spreadsheet formula gets a leading '). UnescapeCSVCell gives the data
// back exactly. See SCHEMA.md for the columns.
type csvWriter struct{ opts Options }

var _ Writer = (*csvWriter)(nil)

func (cw *csvWriter) Write(w io.Writer, r *Report) error {
	v := view(r, cw.opts)
	out := csv.NewWriter(w)
	if err := out.Write(csvHeader); err != nil {
		return err
	}
	hashes := map[[2]string]string{}
	for _, in := range v.Inputs {
		hashes[[2]string{in.Host, in.Path}] = in.SHA256
	}
	sids := map[[2]string]string{}
	for _, h := range v.Hosts {
		for _, u := range h.Users {
			if u.SID != "" {
				sids[[2]string{h.Name, u.Name}] = u.SID
			}
		}
	}
	write := func(row []string) error {
		for i := range row {
			row[i] = EscapeCSVCell(row[i])
		}
		return out.Write(row)
	}
	for _, f := range v.Findings {
		scope, value := "key", ""
		if f.Value != nil {
			scope, value = "value", *f.Value
		}
		risk := ""
		if f.Risk != 0 {
			risk = strconv.FormatFloat(f.Risk, 'f', -1, 64)
		}
		record := RecordFinding
		if f.Suppressed {
			record = RecordSuppressed
		}
		row := []string{
			record, f.Severity.String(), f.Host, f.Analyzer, f.Rule, f.Title,
			f.HiveKind, f.Hive, hashes[[2]string{f.Host, f.Hive}], f.User,
			RegistryPath(f.HiveKind, sids[[2]string{f.Host, f.User}], f.User, f.Key),
			f.Key, scope, value, strings.Join(dataStrings(f.Data), "\n"),
			excelTime(f.LastWrite), FormatTime(f.LastWrite),
			f.ControlSet, strings.Join(f.ControlSetRole, ";"), strings.Join(f.Attack, ";"),
			risk, strconv.FormatBool(f.Deleted), shortText(f.Detail), f.Detail, f.Fingerprint,
			targetSummaries(f.Targets, "\n"), targetHashes(f.Targets),
		}
		if err := write(row); err != nil {
			return err
		}
	}
	for _, p := range v.Problems {
		row := make([]string, len(csvHeader))
		row[0], row[2], row[3] = RecordProblem, p.Host, p.Analyzer
		row[5], row[7], row[8] = shortText(p.Message), p.Path, hashes[[2]string{p.Host, p.Path}]
		row[22], row[23] = shortText(p.Message), p.Message
		if err := write(row); err != nil {
			return err
		}
	}
	out.Flush()
	return out.Error()
}

// targetSummaries joins the targets' one-line summaries with sep.
func targetSummaries(ts []Target, sep string) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Summary()
	}
	return strings.Join(out, sep)
}

// targetHashes joins the SHA-256 of the targets found, ";"-separated.
func targetHashes(ts []Target) string {
	var out []string
	for _, t := range ts {
		if t.SHA256 != "" {
			out = append(out, t.SHA256)
		}
	}
	return strings.Join(out, ";")
}

func excelTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(csvExcelTime)
}

// shortText is the first line of s, cut to csvDetailMax characters (at a
// word when one ends near there) with an ellipsis.
func shortText(s string) string {
	cut := false
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s, cut = s[:i], true
	}
	if utf8.RuneCountInString(s) > csvDetailMax {
		s = string([]rune(s)[:csvDetailMax-1])
		if i := strings.LastIndexByte(s, ' '); i > len(s)*3/4 {
			s = s[:i] // end on a word
		}
		cut = true
	}
	if cut {
		s = strings.TrimRight(s, " ") + "…"
	}
	return s
}

// hiveRoots maps hive kinds to where Windows mounts them.
var hiveRoots = map[string]string{
	"SYSTEM": `HKLM\SYSTEM`, "SOFTWARE": `HKLM\SOFTWARE`, "SAM": `HKLM\SAM`, "SECURITY": `HKLM\SECURITY`,
	"COMPONENTS": `HKLM\COMPONENTS`, "DRIVERS": `HKLM\DRIVERS`, "BCD": `HKLM\BCD00000000`,
	"DEFAULT": `HKU\.DEFAULT`,
}

// RegistryPath returns the full path under which a running Windows shows
// key of a hive of the given kind: HKLM\SYSTEM\..., HKU\<SID>\... for
// NTUSER and HKU\<SID>_Classes\... for USRCLASS, with the profile name in
// place of the SID when the SID is not known. A kind that Windows does not
// mount under HKLM or HKU (AMCACHE, ...) is written as <KIND>\key.
func RegistryPath(kind, sid, user, key string) string {
	key = strings.Trim(key, `\`)
	root, ok := hiveRoots[strings.ToUpper(kind)]
	if !ok {
		who := sid
		if who == "" {
			who = user
		}
		switch strings.ToUpper(kind) {
		case "NTUSER":
			root = `HKU\` + orPlaceholder(who)
		case "USRCLASS":
			root = `HKU\` + orPlaceholder(who) + "_Classes"
		default:
			root = strings.ToUpper(kind)
		}
	}
	if key == "" {
		return root
	}
	return root + `\` + key
}

func orPlaceholder(s string) string {
	if s == "" {
		return "<user>"
	}
	return s
}

// EscapeCSVCell makes one cell safe for a spreadsheet and one line long.
// Control characters (newline, CR, tab, ESC...), Unicode format characters
// (bidi overrides, zero-width characters), line and paragraph separators
// and invalid UTF-8 bytes become \xNN, \uNNNN or \UNNNNNNNN; a backslash
// that would read as such an escape becomes \x5c (other backslashes, as in
// every Windows path, stay as they are). Then a cell that a spreadsheet
// would run as a formula (starting with =, +, -, @) or that starts with a
// single quote gets a leading single quote.
func EscapeCSVCell(s string) string {
	return neutralizeFormula(escapeUnsafe(s, escapeAmbiguousBackslashes))
}

// UnescapeCSVCell reverses EscapeCSVCell.
func UnescapeCSVCell(s string) string {
	s = strings.TrimPrefix(s, "'")
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		n := escapeAt(s[i:])
		if n == 0 {
			b.WriteByte(s[i])
			i++
			continue
		}
		v, _ := strconv.ParseUint(s[i+2:i+n], 16, 32)
		if s[i+1] == 'x' {
			b.WriteByte(byte(v))
		} else {
			b.WriteRune(rune(v))
		}
		i += n
	}
	return b.String()
}

// escapeAt returns the length of the escape at the start of s (\xNN,
// \uNNNN, \UNNNNNNNN with lower-case hex digits), or 0.
func escapeAt(s string) int {
	if len(s) < 2 || s[0] != '\\' {
		return 0
	}
	n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[1]]
	if n == 0 || len(s) < 2+n {
		return 0
	}
	for _, c := range []byte(s[2 : 2+n]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return 0
		}
	}
	return 2 + n
}

// neutralizeFormula prefixes a cell that a spreadsheet would evaluate, or
// that starts with the quote used for that, with a single quote, which
// spreadsheets show as text. Tab and CR, which also start formulas in some
// spreadsheets, are escaped before this runs.
func neutralizeFormula(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r'", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
