package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Baseline is a set of finding fingerprints already known and accepted, read
// from an earlier report.
type Baseline map[string]bool

// ReadBaseline reads fingerprints from an earlier report in the json format
// (the whole report) or the jsonl format (schema 1: one finding per line;
// schema 2: typed records, of which only findings count). Findings an
// allowlist suppressed (shown with --show-suppressed) are not taken: their
// entry, not the baseline, decides about them, also once it expires.
func ReadBaseline(r io.Reader) (Baseline, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<30))
	if err != nil {
		return nil, err
	}
	b := Baseline{}
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte("{")) {
		var whole struct {
			SchemaVersion string `json:"schema_version"`
			Findings      []struct {
				Fingerprint string `json:"fingerprint"`
				Suppressed  bool   `json:"suppressed"`
			} `json:"findings"`
		}
		if err := json.Unmarshal(trimmed, &whole); err == nil && whole.SchemaVersion != "" {
			for _, f := range whole.Findings {
				if f.Fingerprint != "" && !f.Suppressed {
					b[f.Fingerprint] = true
				}
			}
			return b, nil
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var f struct {
			Type        string `json:"type"`
			Fingerprint string `json:"fingerprint"`
			Suppressed  bool   `json:"suppressed"`
		}
		if err := json.Unmarshal(text, &f); err == nil && f.Type != "" && f.Type != RecordFinding {
			continue // a problem (jsonl schema 2) holds no fingerprint
		}
		if f.Fingerprint == "" {
			return nil, fmt.Errorf("baseline line %d: not a hivescan JSON report or JSONL finding", line)
		}
		if !f.Suppressed {
			b[f.Fingerprint] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return b, nil
}

// ApplyBaseline removes the findings whose fingerprint the baseline holds and
// returns how many it removed; the count goes to Summary.Baselined. It
// fills missing fingerprints first.
func (r *Report) ApplyBaseline(b Baseline) int {
	kept := r.Findings[:0]
	n := 0
	for _, f := range r.Findings {
		if f.Fingerprint == "" {
			f.Fingerprint = Fingerprint(f)
		}
		if b[f.Fingerprint] {
			n++
			continue
		}
		kept = append(kept, f)
	}
	r.Findings = kept
	r.Baselined += n
	return n
}
