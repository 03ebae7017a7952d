package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestBaseline(t *testing.T) {
	r := fixture()
	r.Finalize()
	if len(r.Findings) < 3 {
		t.Fatalf("fixture has %d findings", len(r.Findings))
	}
	known := r.Findings[0].Fingerprint
	for _, format := range []string{"json", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			w, err := FormatFor(format, "", Options{})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := w.Write(&buf, r); err != nil {
				t.Fatal(err)
			}
			b, err := ReadBaseline(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) == 0 || !b[known] {
				t.Fatalf("baseline from %s lacks %s: %v", format, known, b)
			}
			again := fixture()
			n := again.ApplyBaseline(b)
			again.Finalize()
			if n == 0 || len(again.Findings) != 0 || again.Summary.Baselined != n {
				t.Errorf("applying a report's own baseline: removed %d, left %d, summary %d", n, len(again.Findings), again.Summary.Baselined)
			}
		})
	}
	partial := fixture()
	total := len(partial.Findings)
	if n := partial.ApplyBaseline(Baseline{known: true}); n != 1 || len(partial.Findings) != total-1 {
		t.Errorf("one fingerprint removed %d of %d", n, total)
	}
	if _, err := ReadBaseline(strings.NewReader("severity,host\nhigh,x\n")); err == nil {
		t.Error("CSV accepted as a baseline")
	}
}
