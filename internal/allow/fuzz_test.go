package allow

import (
	"os"
	"testing"
	"time"

	"github.com/hivescan/hivescan/report"
)

// FuzzParse: no file makes Parse or a parsed entry's matching panic, and
// every entry Parse returns has a reason and a matcher.
func FuzzParse(f *testing.F) {
	if doc, err := os.ReadFile("../../docs/allowlist.md"); err == nil {
		f.Add(doc) // not YAML as a whole: an error, not a panic
	}
	f.Add([]byte("allow:\n  - rule: runkey.*\n    key: 'Software\\*\\Run'\n    value: One[a-z]rive\n    data: 're:(?i).*\\.exe'\n    host: '*'\n    reason: r\n    expires: 2027-01-01\n"))
	f.Add([]byte("allow:\n  - data: '[!x]'\n    reason: r\n  - rule: x\n"))
	f.Add([]byte("allow: &a [*a]\n"))
	findings := []report.Finding{
		{Rule: "runkey.entry", Host: "PC", Key: `\Software\Microsoft\Windows\CurrentVersion\Run`, Value: report.ValueName("OneDrive"), Data: "C:\\x.exe"},
		{Rule: "lsa.package", Host: "PC", Key: `\Lsa`, Value: report.ValueName(""), Data: []string{"a", "b"}},
		{Rule: "services.x", Host: "PC", Key: `\ControlSet001\Services\x`, Data: uint32(7)},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("f.yaml", data)
		if err != nil {
			return
		}
		for _, e := range l.Entries {
			if e.Reason == "" || e.rule == nil && e.key == nil && e.value == nil && e.data == nil && e.host == nil {
				t.Fatalf("entry without reason or matcher: %+v", e)
			}
		}
		r := &report.Report{Findings: append([]report.Finding(nil), findings...)}
		l.Apply(r, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), true)
	})
}
