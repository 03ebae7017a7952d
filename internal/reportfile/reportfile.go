// Package reportfile reads back what hivescan scan wrote: a JSON report
// (--format json) or JSON lines (--format jsonl). For "hivescan merge" and
// "hivescan stack".
//
// JSON lines of schema 1 hold one finding per line; schema 2 types each
// record ({"type":"finding",...}, {"type":"problem",...}). A line without a
// type is a finding; lines of other types are counted, not read. Numbers in
// finding data are kept as written (json.Number), so that a finding read
// and written again is byte-identical.
package reportfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/hivescan/hivescan/report"
)

// Limits on what is read.
const (
	maxDocument = 4 << 30  // bytes of a JSON report
	maxLine     = 64 << 20 // bytes of one JSON line
)

// Part is one report file read back.
type Part struct {
	Path string
	// Whole is true for a JSON report: Report holds its hosts, inputs,
	// images, analyzer runs and summary. For JSON lines only Findings and
	// Problems are known.
	Whole  bool
	Report *report.Report
	// Other counts JSON lines of record types this reader does not know.
	Other int
}

// ReadFile reads the report file at path.
func ReadFile(path string) (*Part, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p.Path = path
	return p, nil
}

// Read reads a JSON report or JSON lines from r.
func Read(r io.Reader) (*Part, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	head, err := br.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if isDocument(head) {
		return readDocument(br)
	}
	return readLines(br)
}

// isDocument tells a JSON report (one object whose first member is
// schema_version, possibly indented) from JSON lines.
func isDocument(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n")
	if !bytes.HasPrefix(t, []byte("{")) {
		return false
	}
	t = bytes.TrimLeft(t[1:], " \t\r\n")
	return bytes.HasPrefix(t, []byte(`"schema_version"`))
}

func readDocument(r io.Reader) (*Part, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxDocument+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxDocument {
		return nil, fmt.Errorf("JSON report larger than %d bytes", maxDocument)
	}
	var rep report.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("JSON report: %w", err)
	}
	// Read the findings again keeping numbers as written.
	var raw struct {
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("JSON report: %w", err)
	}
	rep.Findings = rep.Findings[:0]
	for i, b := range raw.Findings {
		f, err := decodeFinding(b)
		if err != nil {
			return nil, fmt.Errorf("finding %d: %w", i+1, err)
		}
		rep.Findings = append(rep.Findings, f)
	}
	return &Part{Whole: true, Report: &rep}, nil
}

func readLines(r io.Reader) (*Part, error) {
	p := &Part{Report: &report.Report{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), maxLine)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var rec struct {
			Type *string `json:"type"`
		}
		if err := json.Unmarshal(line, &rec); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		switch {
		case rec.Type == nil || *rec.Type == "finding":
			f, err := decodeFinding(line)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			p.Report.Findings = append(p.Report.Findings, f)
		case *rec.Type == "problem":
			var pr report.Problem
			if err := json.Unmarshal(line, &pr); err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			p.Report.Problems = append(p.Report.Problems, pr)
		default:
			p.Other++
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	return p, nil
}

// decodeFinding reads one finding object, numbers kept as json.Number.
func decodeFinding(b []byte) (report.Finding, error) {
	var f report.Finding
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		return f, err
	}
	if f.Analyzer == "" || f.Fingerprint == "" {
		return f, errors.New("not a hivescan finding (no analyzer or fingerprint)")
	}
	return f, nil
}
