package report

import (
	"fmt"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFormatFor(t *testing.T) {
	tests := []struct {
		name, path string
		want       Writer
		wantErr    bool
	}{
		{"", "", &tableWriter{}, false},
		{"", "-", &tableWriter{}, false},
		{"", "out.json", &jsonWriter{}, false},
		{"", "OUT.JSON", &jsonWriter{}, false},
		{"", "dir.d/out.jsonl", &jsonlWriter{}, false},
		{"", "out.ndjson", &jsonlWriter{}, false},
		{"", "out.csv", &csvWriter{}, false},
		{"", "out.txt", &tableWriter{}, false},
		{"", "scan.SARIF", &sarifWriter{}, false},
		{"sarif", "", &sarifWriter{}, false},
		{"", "case.body", &bodyfileWriter{}, false},
		{"", "report.html", &htmlWriter{}, false},
		{"", "REPORT.HTM", &htmlWriter{}, false},
		{"", "case.tln", &tlnWriter{}, false},
		{"", "case.timesketch.jsonl", &timesketchWriter{}, false},
		{"", ".jsonl", &tableWriter{}, false},
		{"Timesketch", "", &timesketchWriter{}, false},
		{"", "out.log", &tableWriter{}, false},
		{"", "json", &tableWriter{}, false},
		{"json", "", &jsonWriter{}, false},
		{"CSV", "", &csvWriter{}, false},
		{"jsonl", "out.csv", &jsonlWriter{}, false}, // the name wins over the extension
		{"table", "out.json", &tableWriter{}, false},
		{"xml", "out.json", nil, true},
	}
	for _, tt := range tests {
		got, err := FormatFor(tt.name, tt.path, Options{})
		if (err != nil) != tt.wantErr {
			t.Errorf("FormatFor(%q, %q) error = %v, want error %v", tt.name, tt.path, err, tt.wantErr)
			continue
		}
		if fmt.Sprintf("%T", got) != fmt.Sprintf("%T", tt.want) {
			t.Errorf("FormatFor(%q, %q) = %T, want %T", tt.name, tt.path, got, tt.want)
		}
	}
}

func TestFormatForPassesOptions(t *testing.T) {
	opts := Options{MinSeverity: High, Color: true}
	w, err := FormatFor("table", "", opts)
	if err != nil {
		t.Fatal(err)
	}
	if tw, ok := w.(*tableWriter); !ok || !cmp.Equal(tw.opts, opts) {
		t.Errorf("FormatFor(table) = %#v, want a table writer with %+v", w, opts)
	}
}

func TestFormatsDocumented(t *testing.T) {
	for _, name := range Formats() {
		if FormatDoc(name) == "" {
			t.Errorf("format %q has no doc", name)
		}
	}
	if FormatDoc("xml") != "" {
		t.Error("FormatDoc of an unknown format is not empty")
	}
}

func ExampleFormatFor() {
	fmt.Println(Formats())
	r := &Report{ToolVersion: "1.0.0", Findings: []Finding{{
		Analyzer: "run-keys", Rule: "user-writable-path", Severity: High,
		Title: "Run value starts a program from a user-writable folder",
		Host:  "WS01", HiveKind: "NTUSER", User: "alice",
		Key:   `Software\Microsoft\Windows\CurrentVersion\Run`,
		Value: ValueName("Updater"), Data: `C:\Users\alice\AppData\Roaming\u.exe`,
	}}}
	r.Finalize()
	w, err := FormatFor("", "findings.csv", Options{MinSeverity: Medium})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Write(os.Stdout, r); err != nil {
		fmt.Println(err)
	}
	// Output:
	// [table json jsonl csv sarif html bodyfile tln timesketch]
	// record,severity,host,analyzer,rule,title,hive_kind,hive,hive_sha256,user,registry_path,key,scope,value,data,last_write_utc,last_write,control_set,control_set_role,attack,risk,deleted,detail,detail_full,fingerprint,targets,target_sha256
	// finding,high,WS01,run-keys,user-writable-path,Run value starts a program from a user-writable folder,NTUSER,,,alice,HKU\alice\Software\Microsoft\Windows\CurrentVersion\Run,Software\Microsoft\Windows\CurrentVersion\Run,value,Updater,C:\Users\alice\AppData\Roaming\u.exe,,,,,,,false,,,2062b968f0483698,,
}
