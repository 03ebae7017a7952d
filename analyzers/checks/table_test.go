package checks_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/analyzers/checks"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// TestEveryTableRow plants each built-in check's location in a builder
// host (a Windows 10 SYSTEM, SOFTWARE and a user) and expects it found at
// its severity or above; each default for Windows 10 planted instead must
// give no finding of that rule.
func TestEveryTableRow(t *testing.T) {
	n := 0
	for _, a := range analyzers.All() {
		f, ok := checks.FileOf(a)
		if !ok {
			continue
		}
		for _, c := range f.Checks {
			n++
			t.Run(c.Rule, func(t *testing.T) { testRow(t, a, c) })
		}
	}
	if n == 0 {
		t.Fatal("no built-in check tables")
	}
}

// testRow plants one check at each of its locations, then each of its
// Windows 10 defaults.
func testRow(t *testing.T, a *analysis.Analyzer, c *checks.Check) {
	planted, err := plantData(c)
	if err != nil {
		t.Fatal(err)
	}
	patterns := checks.PatternsForTest(c)
	if len(patterns) == 0 || len(c.Values) == 0 {
		t.Fatalf("%s: nothing to plant (%d key patterns, %d value patterns)", c.Rule, len(patterns), len(c.Values))
	}
	for _, p := range patterns {
		for _, value := range c.Values {
			name := literal(value)
			if strings.EqualFold(value, "(default)") {
				name = ""
			}
			where := p.Root + strings.Join(p.Segs, `\`)
			fs := runPlanted(t, a, p, name, c.Data, planted)
			got := report.Info
			found := false
			for _, f := range fs {
				if f.Rule == c.Rule {
					found = true
					got = report.Max(got, f.Severity)
					if f.Title == "" || f.Detail == "" || len(f.Attack) == 0 && f.Severity > report.Low {
						t.Errorf("%s: incomplete finding %+v", where, f)
					}
				}
			}
			if want := c.SeverityFor(analysis.Fam10); !found || got < want {
				t.Errorf("%s value %q = %q: found %v at %v, want %s at %v or above (findings: %v)", where, name, planted, found, got, c.Rule, want, rules(fs))
			}
			for _, d := range c.Defaults {
				if len(d.Versions) > 0 && !hasFamily(d.Versions, analysis.Fam10) {
					continue
				}
				for _, f := range runPlanted(t, a, p, name, c.Data, d.Data) {
					if f.Rule == c.Rule {
						t.Errorf("%s value %q = default %q: reported %s (%v): %s", where, name, d.Data, f.Rule, f.Severity, f.Title)
					}
				}
			}
		}
	}
}

func hasFamily(list []analysis.Family, f analysis.Family) bool {
	for _, x := range list {
		if x == f {
			return true
		}
	}
	return false
}

func rules(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+":"+f.Severity.String())
	}
	return out
}

// plantData returns the data the test plants for c: its example, or made-up
// data of its kind that is not a Windows 10 default.
func plantData(c *checks.Check) (string, error) {
	if c.Example != "" {
		return c.Example, nil
	}
	switch c.Data {
	case checks.Command, checks.Commands:
		return `"C:\Program Files\Planted\planted.exe" /run`, nil
	case checks.Path, checks.DLLs:
		return `C:\Program Files\Planted\planted.dll`, nil
	case checks.Text:
		return "planted by the test", nil
	}
	isDefault := func(n uint64) bool {
		for _, d := range c.Defaults {
			if (len(d.Versions) == 0 || hasFamily(d.Versions, analysis.Fam10)) && strings.EqualFold(d.Data, fmt.Sprint(n)) {
				return true
			}
		}
		return false
	}
	candidates := []uint64{1, 2, 0, 0xffffffff}
	if len(c.Match) > 0 {
		candidates = c.Match
	} else if c.Fires == checks.FiresZero {
		candidates = []uint64{0}
	}
	for _, n := range candidates {
		if (n != 0 || c.Fires != checks.FiresNonZero) && !isDefault(n) {
			return fmt.Sprint(n), nil
		}
	}
	return "", fmt.Errorf("%s: cannot make up a number that fires; give it an example", c.Rule)
}

// literal turns a glob segment into a name it matches.
func literal(seg string) string {
	var b strings.Builder
	for i := 0; i < len(seg); i++ {
		switch ch := seg[i]; ch {
		case '*':
			b.WriteString("planted")
		case '?':
			b.WriteByte('x')
		case '[':
			j := strings.IndexByte(seg[i:], ']')
			class := seg[i+1 : i+j]
			class = strings.TrimPrefix(class, "^")
			b.WriteByte(class[0])
			i += j
		case '\\':
			i++
			b.WriteByte(seg[i])
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// runPlanted builds a host with value name = data at pattern p and runs a.
func runPlanted(t *testing.T, a *analysis.Analyzer, p checks.PatternForTest, name string, kind checks.Kind, data string) []report.Finding {
	t.Helper()
	sys, sw, user, def := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1), samples.Software(), samples.NTUser("alice"), samples.Default()
	hives := []samples.Hive{sys, sw, user, def}
	var segs []string
	for _, s := range p.Segs {
		segs = append(segs, literal(s))
	}
	path := strings.Join(segs, `\`)
	var at *hivetest.Key
	switch p.Root {
	case `hklm\software\`:
		at = sw.Root
	case `hklm\system\controlset*\`, `hklm\system\currentcontrolset\`:
		at = samples.At(sys.Root, "ControlSet001")
	case `hklm\system\`:
		at = sys.Root
	case `hkcu\`:
		at = user.Root
	case `hkcu\software\classes\`:
		at, path = user.Root, `Software\Classes\`+path
	case `hku\.default\`:
		at = def.Root
	case `hklm\sam\`, `hklm\security\`:
		kind := strings.ToUpper(strings.TrimSuffix(strings.TrimPrefix(p.Root, `hklm\`), `\`))
		h := samples.Hive{Path: "Windows/System32/config/" + kind, Root: &hivetest.Key{Name: "ROOT", LastWrite: samples.Base}}
		hives = append(hives, h)
		at = h.Root
	default:
		t.Fatalf("no builder hive for root %s", p.Root)
	}
	v := hivetest.SZ(name, data)
	if kind == checks.Number {
		n, err := parseUint(data)
		if err != nil {
			t.Fatal(err)
		}
		v = hivetest.DWORD(name, uint32(n))
	}
	samples.Set(at, path, v)
	return analysistest.Run(t, a, analysistest.HostOf(t, "h", hives...))
}

func parseUint(s string) (uint64, error) {
	var n uint64
	var err error
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		_, err = fmt.Sscanf(h, "%x", &n)
	} else {
		_, err = fmt.Sscanf(s, "%d", &n)
	}
	return n, err
}
