// Package report holds what hivescan found and the writers that print it.
//
// A Finding is flat: every output format maps its fields one by one. A Report
// gathers the findings of one run with the hives read, the hosts, which
// analyzers ran and the problems met. Report.Finalize fills in fingerprints,
// sorts every list and computes the summary, so that all formats are
// deterministic; writers finalize a copy themselves and never modify the
// report.
//
// FormatFor picks a Writer by format name or output file extension: table
// (for people; every string from the evidence is escaped, see Options),
// json (the whole report, described in SCHEMA.md), jsonl (one finding per
// line), csv, sarif (SARIF 2.1.0), html (one self-contained page) and the
// timelines bodyfile, tln and timesketch. Times are written with TimeLayout
// everywhere except where a timeline format fixes its own.
//
// The JSON report carries SchemaVersion, which changes whenever a field is
// renamed, removed or changes meaning, or when Fingerprint changes.
//
// The package never logs or prints: writers write to the io.Writer they are
// given and return its errors.
package report
