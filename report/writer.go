package report

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Writer writes a report in one format. Writers sort and summarise a copy of
// the report (see Finalize) and never modify r.
type Writer interface {
	Write(w io.Writer, r *Report) error
}

// Options tune a Writer.
type Options struct {
	// MinSeverity leaves out findings below it. The summary still counts
	// every finding; the JSON report records the threshold in min_severity.
	MinSeverity Severity
	// Color colours the table format by severity with ANSI escapes. The CLI
	// sets it only when stdout is a terminal; machine formats ignore it.
	Color bool
	// Details makes the table format write every finding's full
	// explanation block instead of one line per finding.
	Details bool
	// Width is the number of terminal columns the table format fits its
	// lines to; 0 means DefaultWidth.
	Width int
	// Since and Until, when not zero, leave out findings whose key was last
	// written before Since or after Until (both inclusive); a finding
	// without a last write time is left out whenever either is set. A
	// finding merged across control sets stays when any of its keys is in
	// the range. The summary still counts every finding.
	Since, Until time.Time
	// Analyzers describes the analyzers, for formats that explain their
	// rules (SARIF rule help, HTML). Optional: without it rules are
	// described from their findings alone.
	Analyzers []AnalyzerDoc
}

// AnalyzerDoc describes one analyzer for Options.Analyzers.
type AnalyzerDoc struct {
	Name   string   // as in Finding.Analyzer
	Doc    string   // first line is the title
	Attack []string // ATT&CK technique ids its findings may carry
}

// DefaultWidth is the table format's line width when Options.Width is 0.
const DefaultWidth = 120

// format is one output format.
type format struct {
	name       string
	extensions []string // lower case, with the dot; the first is the usual one
	doc        string
	new        func(Options) Writer
}

// formats lists every format; the first is the default.
var formats = []format{
	{"table", []string{".txt"}, "human-readable text grouped by host", func(o Options) Writer { return &tableWriter{opts: o} }},
	{"json", []string{".json"}, "the whole report as one indented JSON document (SCHEMA.md)", func(o Options) Writer { return &jsonWriter{opts: o} }},
	{"jsonl", []string{".jsonl", ".ndjson"}, "one JSON finding per line", func(o Options) Writer { return &jsonlWriter{opts: o} }},
	{"csv", []string{".csv"}, "one row per finding, fixed header", func(o Options) Writer { return &csvWriter{opts: o} }},
	{"sarif", []string{".sarif"}, "SARIF 2.1.0 for code-scanning services and CI: one result per finding", func(o Options) Writer { return &sarifWriter{opts: o} }},
	{"html", []string{".html", ".htm"}, "one self-contained HTML page: host cards, a timeline chart, a filterable findings table, problems, input hashes", func(o Options) Writer { return &htmlWriter{opts: o} }},
	{"bodyfile", []string{".body", ".bodyfile"}, "Sleuth Kit body file for mactime: one line per key last write of the findings", func(o Options) Writer { return &bodyfileWriter{opts: o} }},
	{"tln", []string{".tln"}, "TLN timeline (time|source|system|user|description), one line per finding and key last write", func(o Options) Writer { return &tlnWriter{opts: o} }},
	{"timesketch", []string{".timesketch.jsonl"}, "Timesketch JSON lines (message, datetime, timestamp_desc and the finding's fields)", func(o Options) Writer { return &timesketchWriter{opts: o} }},
}

// Formats returns the format names, the default first.
func Formats() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// FormatDoc returns a one-line description of the named format and its file
// extensions, for --help; "" for an unknown name.
func FormatDoc(name string) string {
	for _, f := range formats {
		if f.name == name {
			return fmt.Sprintf("%s (%s)", f.doc, strings.Join(f.extensions, ", "))
		}
	}
	return ""
}

// FormatFor returns the writer for the format called name (any letter case).
// When name is empty it chooses by the longest format extension that ends
// outputPath (.json, .jsonl, .csv, .sarif, .html, .body, .timesketch.jsonl,
// ...; see FormatDoc), and falls back to the table format when none does or
// outputPath is empty. An unknown name is an error.
func FormatFor(name, outputPath string, opts Options) (Writer, error) {
	if name != "" {
		for _, f := range formats {
			if strings.EqualFold(strings.TrimSpace(name), f.name) {
				return f.new(opts), nil
			}
		}
		return nil, fmt.Errorf("unknown format %q (want one of %s)", name, strings.Join(Formats(), ", "))
	}
	base := strings.ToLower(filepath.Base(outputPath))
	chosen, longest := formats[0], 0
	for _, f := range formats {
		for _, ext := range f.extensions {
			if strings.HasSuffix(base, ext) && len(base) > len(ext) && len(ext) > longest {
				chosen, longest = f, len(ext)
			}
		}
	}
	return chosen.new(opts), nil
}

// view returns a finalized copy of r holding only the findings that opts
// selects (MinSeverity, Since, Until). The copy shares no slice that
// Finalize sorts with r.
func view(r *Report, opts Options) *Report {
	v, _, _ := viewCounting(r, opts)
	return v
}

// viewCounting is view that also says how many findings it left out for
// their severity and, of the others, for their time.
func viewCounting(r *Report, opts Options) (v *Report, belowSeverity, outsideTime int) {
	c := *r
	c.Inputs = slices.Clone(r.Inputs)
	c.Hosts = slices.Clone(r.Hosts)
	for i := range c.Hosts {
		c.Hosts[i].HiveKinds = slices.Clone(c.Hosts[i].HiveKinds)
		c.Hosts[i].Users = slices.Clone(c.Hosts[i].Users)
		c.Hosts[i].ControlSets = slices.Clone(c.Hosts[i].ControlSets)
	}
	c.Analyzers = slices.Clone(r.Analyzers)
	c.Problems = slices.Clone(r.Problems)
	c.Findings = slices.Clone(r.Findings)
	c.Finalize()
	c.Findings = slices.DeleteFunc(c.Findings, func(f Finding) bool {
		switch {
		case f.Severity < opts.MinSeverity:
			belowSeverity++
			return true
		case !opts.inTimeRange(f):
			outsideTime++
			return true
		}
		return false
	})
	c.MinSeverity = opts.MinSeverity
	return &c, belowSeverity, outsideTime
}

// inTimeRange reports whether f passes Since and Until.
func (o Options) inTimeRange(f Finding) bool {
	if o.Since.IsZero() && o.Until.IsZero() {
		return true
	}
	in := func(t time.Time) bool {
		return !t.IsZero() && (o.Since.IsZero() || !t.Before(o.Since)) && (o.Until.IsZero() || !t.After(o.Until))
	}
	if in(f.LastWrite) {
		return true
	}
	for _, cs := range f.ControlSets {
		if in(cs.LastWrite) {
			return true
		}
	}
	return false
}

// FormatForExtension returns the format that writes files ending in ext
// (".json", ".csv", ... any letter case); ok is false for an extension no
// format writes.
func FormatForExtension(ext string) (name string, ok bool) {
	ext = strings.ToLower(ext)
	for _, f := range formats {
		if slices.Contains(f.extensions, ext) {
			return f.name, true
		}
	}
	return "", false
}
