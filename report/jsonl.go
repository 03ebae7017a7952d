package report

import (
	"bytes"
	"io"
)

// jsonlWriter writes one record per line, each a JSON object whose "type"
// says what it is: every finding at or above the severity floor
// ({"type":"finding",...}, carrying its host and fingerprint), then every
// problem ({"type":"problem",...}). A stream without problem lines is a
// scan that looked at everything it was given. See SCHEMA.md.
type jsonlWriter struct{ opts Options }

var _ Writer = (*jsonlWriter)(nil)

// The record types of the jsonl format.
const (
	RecordFinding = "finding"
	RecordProblem = "problem"
	// RecordSuppressed is the CSV record of a finding an allowlist entry
	// matched (scan --allow --show-suppressed); jsonl writes such a finding
	// as a "finding" with suppressed true.
	RecordSuppressed = "suppressed"
)

func (jw *jsonlWriter) Write(w io.Writer, r *Report) error {
	v := view(r, jw.opts)
	var line bytes.Buffer
	for _, f := range v.Findings {
		b, err := f.MarshalJSON()
		if err != nil {
			return err
		}
		line.Reset()
		line.WriteString(`{"type":"` + RecordFinding + `",`)
		line.Write(b[1:])
		line.WriteByte('\n')
		if _, err := w.Write(line.Bytes()); err != nil {
			return err
		}
	}
	for _, p := range v.Problems {
		b, err := marshalJSON(problemLine{Type: RecordProblem, Problem: p})
		if err != nil {
			return err
		}
		if _, err := w.Write(append(b, '\n')); err != nil {
			return err
		}
	}
	return nil
}

// problemLine is a problem as one jsonl record.
type problemLine struct {
	Type string `json:"type"`
	Problem
}
