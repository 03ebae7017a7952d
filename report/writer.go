package report

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
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
}

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
// When name is empty it chooses by the extension of outputPath (.json,
// .jsonl, .ndjson, .csv, .txt), and falls back to the table format when the
// extension says nothing or outputPath is empty. An unknown name is an error.
func FormatFor(name, outputPath string, opts Options) (Writer, error) {
	if name != "" {
		for _, f := range formats {
			if strings.EqualFold(strings.TrimSpace(name), f.name) {
				return f.new(opts), nil
			}
		}
		return nil, fmt.Errorf("unknown format %q (want one of %s)", name, strings.Join(Formats(), ", "))
	}
	ext := strings.ToLower(filepath.Ext(outputPath))
	for _, f := range formats {
		if ext != "" && slices.Contains(f.extensions, ext) {
			return f.new(opts), nil
		}
	}
	return formats[0].new(opts), nil
}

// view returns a finalized copy of r holding only the findings at or above
// min. The copy shares no slice that Finalize sorts with r.
func view(r *Report, floor Severity) *Report {
	v := *r
	v.Inputs = slices.Clone(r.Inputs)
	v.Hosts = slices.Clone(r.Hosts)
	for i := range v.Hosts {
		v.Hosts[i].HiveKinds = slices.Clone(v.Hosts[i].HiveKinds)
		v.Hosts[i].Users = slices.Clone(v.Hosts[i].Users)
		v.Hosts[i].ControlSets = slices.Clone(v.Hosts[i].ControlSets)
	}
	v.Analyzers = slices.Clone(r.Analyzers)
	v.Problems = slices.Clone(r.Problems)
	v.Findings = slices.Clone(r.Findings)
	v.Finalize()
	v.Findings = slices.DeleteFunc(v.Findings, func(f Finding) bool { return f.Severity < floor })
	v.MinSeverity = floor
	return &v
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
