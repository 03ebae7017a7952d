package report

import (
	"regexp"
	"testing"
	"time"
)

func TestFingerprint(t *testing.T) {
	base := Finding{
		Analyzer: "run-keys", Rule: "suspicious-path", Severity: High, Title: "t",
		Host: "WS01", Hive: "evidence/WS01/Users/alice/NTUSER.DAT", HiveKind: "NTUSER", User: "alice",
		Key:   `Software\Microsoft\Windows\CurrentVersion\Run`,
		Value: ValueName("Updater"), Data: `C:\Users\alice\AppData\u.exe`,
		LastWrite: time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC), Detail: "d",
	}
	fp := Fingerprint(base)
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(fp) {
		t.Fatalf("Fingerprint = %q, want 16 lower-case hex digits", fp)
	}
	same := []struct {
		name   string
		change func(*Finding)
	}{
		{"other hive path", func(f *Finding) { f.Hive = "/mnt/case42/RegBack/NTUSER.DAT" }},
		{"other host (an image of the same machine, a RegBack copy)", func(f *Finding) { f.Host = "disk.E01 > partition 2 (NTFS)" }},
		{"other last write", func(f *Finding) { f.LastWrite = time.Time{} }},
		{"other severity, title, detail", func(f *Finding) { f.Severity, f.Title, f.Detail = Low, "x", "y" }},
		{"key letter case", func(f *Finding) { f.Key = `SOFTWARE\microsoft\windows\currentversion\run` }},
		{"value letter case", func(f *Finding) { f.Value = ValueName("UPDATER") }},
		{"fingerprint already set", func(f *Finding) { f.Fingerprint = "0000000000000000" }},
	}
	for _, tt := range same {
		f := base
		tt.change(&f)
		if got := Fingerprint(f); got != fp {
			t.Errorf("%s: fingerprint changed from %s to %s", tt.name, fp, got)
		}
	}
	differ := []struct {
		name   string
		change func(*Finding)
	}{
		{"key", func(f *Finding) { f.Key = `Software\Microsoft\Windows\CurrentVersion\RunOnce` }},
		{"value", func(f *Finding) { f.Value = ValueName("Updater2") }},
		{"key-level", func(f *Finding) { f.Value = nil }},
		{"default value", func(f *Finding) { f.Value = ValueName("") }},
		{"data", func(f *Finding) { f.Data = `C:\Windows\u.exe` }},
		{"data type", func(f *Finding) { f.Data = []string{`C:\Users\alice\AppData\u.exe`} }},
		{"analyzer", func(f *Finding) { f.Analyzer = "services" }},
		{"rule", func(f *Finding) { f.Rule = "other" }},
		{"hive kind", func(f *Finding) { f.HiveKind = "USRCLASS" }},
		{"user", func(f *Finding) { f.User = "bob" }},
		{"field boundary", func(f *Finding) { f.Analyzer, f.Rule = "run-keyss", "uspicious-path" }},
	}
	for _, tt := range differ {
		f := base
		tt.change(&f)
		if got := Fingerprint(f); got == fp {
			t.Errorf("%s changed but the fingerprint stayed %s", tt.name, fp)
		}
	}
	// Data read back from JSON (float64, []any) keeps its fingerprint.
	num := base
	num.Data = uint32(2)
	back := base
	back.Data = float64(2)
	if Fingerprint(num) != Fingerprint(back) {
		t.Error("uint32(2) and float64(2) data have different fingerprints")
	}
	multi, multiBack := base, base
	multi.Data = []string{"a", "b"}
	multiBack.Data = []any{"a", "b"}
	if Fingerprint(multi) != Fingerprint(multiBack) {
		t.Error(`[]string and []any data have different fingerprints`)
	}
}

// The fingerprint is part of the baseline contract: it must not change
// between releases unless SCHEMA.md says so.
func TestFingerprintPinned(t *testing.T) {
	f := Finding{Analyzer: "a", Rule: "r", Host: "h", HiveKind: "SYSTEM", Key: `K\L`, Value: ValueName("v"), Data: "d"}
	if got, want := Fingerprint(f), "cbbcff8aa3bc6caa"; got != want {
		t.Errorf("Fingerprint = %s, want %s", got, want)
	}
}
