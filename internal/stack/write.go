package stack

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
)

// Formats are the output formats of Write.
var Formats = []string{"table", "csv", "json"}

// Write writes res in format (table, csv or json).
func Write(w io.Writer, res Result, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case "csv":
		return writeCSV(w, res)
	case "table", "":
		return writeTable(w, res)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

func writeCSV(w io.Writer, res Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"count", "of_hosts", "severity", "location", "value", "data", "rules", "deleted", "hosts", "example_key", "example_value", "example_data"})
	for _, e := range res.Entries {
		cw.Write([]string{strconv.Itoa(e.Count), strconv.Itoa(res.Hosts), e.Severity.String(), cell(e.Location), cell(e.Value), cell(e.Data),
			strings.Join(e.Rules, ";"), strconv.FormatBool(e.Deleted), cell(strings.Join(e.Hosts, ";")),
			cell(e.Example.Key), cell(e.Example.Value), cell(e.Example.Data)})
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps spreadsheets from running a cell as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func writeTable(w io.Writer, res Result) error {
	fmt.Fprintf(w, "%d entries over %d hosts, rarest first\n", len(res.Entries), res.Hosts)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOSTS\tSEVERITY\tLOCATION\tVALUE\tDATA\tON")
	for _, e := range res.Entries {
		on := strings.Join(e.Hosts, ", ")
		if len(e.Hosts) > 3 {
			on = strings.Join(e.Hosts[:3], ", ") + fmt.Sprintf(" and %d more", len(e.Hosts)-3)
		}
		fmt.Fprintf(tw, "%d/%d\t%s\t%s\t%s\t%s\t%s\n", e.Count, res.Hosts, e.Severity, escape(e.Location), escape(e.Value), escape(short(e.Data)), escape(on))
	}
	return tw.Flush()
}

func short(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:77]) + "..."
	}
	return s
}

// escape shows control, bidi and zero-width characters as escapes, for a
// terminal; the data is attacker-controlled.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar:
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
