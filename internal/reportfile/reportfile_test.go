package reportfile

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/report"
)

const line = `{"analyzer":"services","rule":"service.image","severity":"high","title":"t","host":"h","hive":"p","hive_kind":"SYSTEM","key":"\\k","value":"v","data":18446744073709551615,"last_write":"2019-06-01T10:20:30.1234567Z","detail":"d","deleted":false,"fingerprint":"0123456789abcdef"}`

func TestReadLines(t *testing.T) {
	in := line + "\n\n" + `{"type":"finding",` + line[1:] + "\n" +
		`{"type":"problem","host":"h","message":"m"}` + "\n" + `{"type":"summary"}` + "\n"
	p, err := Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if p.Whole || len(p.Report.Findings) != 2 || len(p.Report.Problems) != 1 || p.Other != 1 {
		t.Fatalf("whole %v, %d findings, %d problems, %d other", p.Whole, len(p.Report.Findings), len(p.Report.Problems), p.Other)
	}
	// Written again, a finding is what was read, numbers and times included.
	b, err := json.Marshal(p.Report.Findings[1])
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != line {
		t.Errorf("round trip:\n%s\nwant\n%s", b, line)
	}
}

func TestReadDocument(t *testing.T) {
	f, err := decodeFinding([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	r := &report.Report{Hosts: []report.Host{{Name: "h"}}, Findings: []report.Finding{f}}
	r.Finalize()
	w, err := report.FormatFor("json", "", report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	p, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Whole || len(p.Report.Hosts) != 1 || len(p.Report.Findings) != 1 {
		t.Fatalf("%+v", p)
	}
	if d, ok := p.Report.Findings[0].Data.(json.Number); !ok || d.String() != "18446744073709551615" {
		t.Errorf("data %#v", p.Report.Findings[0].Data)
	}
}

func TestReadBad(t *testing.T) {
	for _, in := range []string{"not json\n", `{"severity":"high"}` + "\n", `{"type":"finding","analyzer":1}` + "\n", `{"schema_version":`} {
		if _, err := Read(strings.NewReader(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(line + "\n"))
	f.Add([]byte(`{"schema_version":"1","findings":[` + line + `]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		Read(bytes.NewReader(b))
	})
}
