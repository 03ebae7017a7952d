package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTimelineGolden(t *testing.T) {
	for _, format := range []string{"bodyfile", "tln", "timesketch"} {
		t.Run(format, func(t *testing.T) {
			checkGolden(t, format+".golden", writeFormat(t, format, Options{}, fixtureWide()))
		})
	}
}

func TestBodyfileLine(t *testing.T) {
	when := time.Date(2024, 3, 15, 21, 26, 53, 589793200, time.UTC)
	tests := []struct {
		name string
		when time.Time
		want string
	}{
		{`HKLM\SYSTEM\ControlSet001\Control`, when, "0|HKLM\\SYSTEM\\ControlSet001\\Control|0|0|0|0|0|0|1710538013|0|0\n"},
		{"a|b%c\nd\u202ee", when, "0|a%7Cb%25c%0Ad%E2%80%AEe|0|0|0|0|0|0|1710538013|0|0\n"},
		{"ünï", when, "0|ünï|0|0|0|0|0|0|1710538013|0|0\n"},
		{"bad\xff", when, "0|bad%FF|0|0|0|0|0|0|1710538013|0|0\n"},
		{"old", time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC), ""},
	}
	for _, tt := range tests {
		if got := BodyfileLine(tt.name, tt.when); got != tt.want {
			t.Errorf("BodyfileLine(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// mactime (The Sleuth Kit) reads the body file and lists every key of the
// findings that have a last write time, at that time.
func TestBodyfileMactime(t *testing.T) {
	mactime, err := exec.LookPath("mactime")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("mactime (sleuthkit) is not installed; CI must run this test")
		}
		t.Skip("mactime (sleuthkit) not installed")
	}
	r := fixtureWide()
	r.Findings = append(r.Findings, Finding{Analyzer: "a", Rule: "pipe", Host: "WS01", HiveKind: "SOFTWARE",
		Key: `Classes\a|b%41c`, LastWrite: time.Date(2022, 2, 2, 2, 2, 2, 0, time.UTC)})
	body := writeFormat(t, "bodyfile", Options{}, r)
	path := filepath.Join(t.TempDir(), "findings.body")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	// The range leaves out the body format's unused times (0).
	cmd := exec.Command(mactime, "-b", path, "-y", "-d", "1970-01-02")
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mactime: %v\n%s", err, out)
	}
	// -d: CSV of Date,Size,Type,Mode,UID,GID,Meta,File Name.
	records, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("mactime -d output is not CSV: %v\n%s", err, out)
	}
	var got []string
	for _, rec := range records[1:] {
		if len(rec) != 8 || rec[2] != "m..." {
			t.Errorf("mactime line %q: want 8 fields, type m...", rec)
			continue
		}
		got = append(got, rec[0][:19]+" "+rec[7])
	}
	var want []string
	for _, ev := range timelineEvents(view(r, Options{})) {
		name := ev.f.Host + ":" + ev.key
		if ev.f.Deleted {
			name += " (deleted)"
		}
		want = append(want, ev.when.UTC().Format("2006-01-02T15:04:05")+" "+name)
	}
	slices.Sort(want)
	want = slices.Compact(want)
	slices.Sort(got)
	if len(want) < 4 || !slices.Equal(got, want) {
		t.Errorf("mactime lists\n  %s\nwant\n  %s\nmactime output:\n%s", strings.Join(got, "\n  "), strings.Join(want, "\n  "), out)
	}
}

func TestTimesketchFields(t *testing.T) {
	out := writeFormat(t, "timesketch", Options{}, fixtureWide())
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	var withTime int
	for _, f := range view(fixtureWide(), Options{}).Findings {
		switch {
		case len(f.ControlSets) > 0:
			withTime += len(f.ControlSets)
		case !f.LastWrite.IsZero():
			withTime++
		}
	}
	if len(lines) != withTime {
		t.Fatalf("%d events, want %d (one per key last write)", len(lines), withTime)
	}
	prev := ""
	for _, l := range lines {
		var ev map[string]any
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("not JSON: %v: %s", err, l)
		}
		for _, k := range []string{"message", "datetime", "timestamp_desc", "timestamp", "fingerprint", "severity", "host", "key"} {
			if _, ok := ev[k]; !ok {
				t.Errorf("event lacks %q: %s", k, l)
			}
		}
		dt, err := time.Parse(time.RFC3339Nano, ev["datetime"].(string))
		if err != nil || dt.UnixMicro() != int64(ev["timestamp"].(float64)) || ev["datetime"] != ev["last_write"] {
			t.Errorf("datetime %v, timestamp %v, last_write %v disagree", ev["datetime"], ev["timestamp"], ev["last_write"])
		}
		if prev > ev["datetime"].(string) {
			t.Errorf("events out of time order: %s after %s", ev["datetime"], prev)
		}
		prev = ev["datetime"].(string)
	}
}
