package report

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// compactColumns are the columns of the one-line-per-finding view after the
// severity, with the narrowest each may become when lines must fit the width.
// A column's weight says how much room it keeps when columns are narrowed.
var compactColumns = []struct {
	title    string
	minWidth int
	weight   int
}{
	{"HOST", 6, 2},
	{"LOCATION", 16, 3},
	{"VALUE", 6, 1},
	{"DATA", 10, 3},
	{"TITLE", 16, 2},
}

const (
	maxCellRunes = 400 // no column grows wider, however wide the terminal
	sevWidth     = 8   // "CRITICAL"
	gap          = "  "
)

// compact prints one line per finding, highest severity first, then by host,
// with a blank line between severities. Columns get their natural width;
// when the lines would be wider than p.width the widest columns give up
// room first, and cut text ends in "…" (a location keeps its hive and its
// last key names).
func (p *tablePrinter) compact(findings []Finding) {
	if len(findings) == 0 {
		p.printf("No findings to show.\n\n")
		return
	}
	fs := slices.Clone(findings)
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(b.Severity, a.Severity), cmp.Compare(a.Host, b.Host))
	})
	rows := make([][]string, len(fs))
	natural := make([]int, len(compactColumns))
	for i, c := range compactColumns {
		natural[i] = len(c.title)
	}
	for i, f := range fs {
		title := escapeText(f.Title)
		if f.Suppressed {
			title = "[suppressed] " + title
		}
		rows[i] = []string{hostName(f.Host), compactLocation(f), compactValue(f), compactData(f), title}
		for j, cell := range rows[i] {
			natural[j] = max(natural[j], min(utf8.RuneCountInString(cell), maxCellRunes))
		}
	}
	widths := fitColumns(natural, p.width-sevWidth-len(gap)*len(compactColumns))
	header := make([]string, len(compactColumns))
	for i, c := range compactColumns {
		header[i] = c.title
	}
	p.printf("%s\n", p.compactLine(padRight("SEVERITY", sevWidth), header, widths))
	for i, f := range fs {
		if i > 0 && f.Severity != fs[i-1].Severity {
			p.printf("\n")
		}
		cells := make([]string, len(rows[i]))
		for j, cell := range rows[i] {
			if j == 1 {
				cells[j] = cutPath(cell, widths[j])
			} else {
				cells[j] = cutEnd(cell, widths[j])
			}
		}
		p.printf("%s\n", p.compactLine(p.severity(f.Severity, sevWidth), cells, widths))
	}
	p.printf("\n")
}

// compactLine joins the severity and the cells, padding every cell but the
// last to its width.
func (p *tablePrinter) compactLine(sev string, cells []string, widths []int) string {
	var b strings.Builder
	b.WriteString(sev)
	for i, c := range cells {
		b.WriteString(gap)
		if i == len(cells)-1 {
			b.WriteString(c)
		} else {
			b.WriteString(padRight(c, widths[i]))
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// fitColumns returns column widths summing to at most avail: the natural
// widths when they fit, otherwise the column widest for its weight is
// narrowed one rune at a time, never below its minimum (so very narrow
// terminals overflow).
func fitColumns(natural []int, avail int) []int {
	w := slices.Clone(natural)
	for i := range w {
		w[i] = max(w[i], 1)
	}
	total := 0
	for _, n := range w {
		total += n
	}
	for total > avail {
		widest := -1
		for i := range w {
			if w[i] > compactColumns[i].minWidth && (widest < 0 || w[i]*compactColumns[widest].weight > w[widest]*compactColumns[i].weight) {
				widest = i
			}
		}
		if widest < 0 {
			break
		}
		w[widest]--
		total--
	}
	return w
}

// compactLocation is the hive kind (and user) followed by the key; a finding
// merged across control sets names them all in the first key component, as
// in SYSTEM\ControlSet001+002\Services\x.
func compactLocation(f Finding) string {
	hive := f.HiveKind
	if f.User != "" {
		hive += "[" + f.User + "]"
	}
	key := strings.TrimPrefix(f.Key, `\`)
	if len(f.ControlSets) > 1 {
		if first, rest, ok := strings.Cut(key, `\`); ok || first != "" {
			names := []string{f.ControlSets[0].Name}
			for _, cs := range f.ControlSets[1:] {
				names = append(names, strings.TrimPrefix(strings.ToLower(cs.Name), "controlset"))
			}
			key = strings.Join(names, "+")
			if ok {
				key += `\` + rest
			}
		}
	}
	if hive == "" {
		return escapeText(key)
	}
	return escapeText(hive + `\` + key)
}

func compactValue(f Finding) string {
	switch {
	case f.Value == nil:
		return "-"
	case *f.Value == "":
		return "(default)"
	}
	return escapeText(*f.Value)
}

func compactData(f Finding) string {
	ds := dataStrings(f.Data)
	if ds == nil {
		if len(f.Targets) > 0 && f.Targets[0].SHA256 != "" {
			return "sha256 " + f.Targets[0].SHA256[:min(16, len(f.Targets[0].SHA256))] + "…"
		}
		return "-"
	}
	return missingMark(f) + escapeText(strings.Join(ds, " | "))
}

// missingMark is "[missing] " when a file the finding names is not on the
// volume: the first thing a responder should see in the row.
func missingMark(f Finding) string {
	for _, t := range f.Targets {
		if !t.Exists && !t.Deleted && t.Error == "" {
			return "[missing] "
		}
	}
	return ""
}

// padRight pads s with spaces to width runes.
func padRight(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

// cutEnd cuts s to width runes, ending in "…" when it was cut.
func cutEnd(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	if width <= 1 {
		return "…"
	}
	n := 0
	for i := range s {
		if n == width-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// cutPath cuts a \-separated location to width runes by replacing key
// names with "…", keeping the hive, a leading ControlSet component (as
// CS001 when short of room) and as many trailing names as fit; when even the last name does not fit, its end
// is kept.
func cutPath(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	parts := strings.Split(s, `\`)
	heads := []string{parts[0]}
	keep := 1
	if len(parts) > 3 && len(parts[1]) > 10 && strings.EqualFold(parts[1][:10], "controlset") {
		keep = 2
		heads = []string{parts[0] + `\` + parts[1], parts[0] + `\CS` + parts[1][10:], parts[0]}
	}
	for n, h := range heads {
		from := keep
		if n == len(heads)-1 {
			from = 1
		}
		head := h + `\…`
		tail := ""
		for i := len(parts) - 1; i >= from; i-- {
			next := `\` + parts[i] + tail
			if utf8.RuneCountInString(head+next) > width {
				break
			}
			tail = next
		}
		if tail != "" {
			return head + tail
		}
	}
	if width <= 1 {
		return "…"
	}
	runes := []rune(s)
	return "…" + string(runes[len(runes)-(width-1):])
}
