package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func TestGolden(t *testing.T) {
	tests := []struct {
		golden string
		format string
		opts   Options
		report func() *Report
	}{
		{"table", "table", Options{}, fixture},
		{"table_color_medium", "table", Options{MinSeverity: Medium, Color: true}, fixture},
		{"table_empty", "table", Options{}, func() *Report { return &Report{ToolVersion: "1.2.3"} }},
		{"json", "json", Options{}, fixture},
		{"json_empty", "json", Options{}, func() *Report { return &Report{ToolVersion: "1.2.3"} }},
		{"jsonl", "jsonl", Options{}, fixture},
		{"jsonl_high", "jsonl", Options{MinSeverity: High}, fixture},
		{"csv", "csv", Options{}, fixture},
		{"csv_empty", "csv", Options{}, func() *Report { return &Report{} }},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			w, err := FormatFor(tt.format, "", tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := w.Write(&buf, tt.report()); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.golden+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./report -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s output differs from %s (-want +got):\n%s", tt.format, path, diff)
			}
		})
	}
}
