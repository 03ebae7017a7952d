package sigma

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/corpus"
)

// naiveMatches is what the index must give: every rule evaluated on every
// event of Events, each match as "rule file | TargetObject | Details".
func naiveMatches(t testing.TB, set *hive.Set, rules []*Rule) []string {
	ctx := context.Background()
	var out []string
	var lastKey *hive.Key
	var lastValue *hive.Value
	var lastMatched []*Rule
	_ = Events(ctx, set, func(ev *Event) error { // read errors: the indexed run sees the same hive
		lowered, asIs := ev.fields(true), ev.fields(false)
		paired := ev.kind()&(deleteKey|deleteValue) != 0 && ev.Key == lastKey && ev.Value == lastValue
		if !paired {
			lastKey, lastValue, lastMatched = ev.Key, ev.Value, nil
		}
		for _, r := range rules {
			if r.sees&ev.kind() == 0 || paired && slices.Contains(lastMatched, r) {
				continue
			}
			fields := lowered
			if r.exactCase {
				fields = asIs
			}
			res, err := r.eval.Matches(ctx, fields)
			if err != nil {
				t.Fatalf("rule %s: %v", r.File, err)
			}
			if res.Match {
				lastMatched = append(lastMatched, r)
				out = append(out, r.File+" | "+ev.EventType+" "+ev.TargetObject+" | "+ev.Details)
			}
		}
		return nil
	})
	return out
}

func indexedMatches(t testing.TB, set *hive.Set, rules []*Rule) []string {
	var out []string
	failed, _ := matches(context.Background(), set, newIndex(rules), func(r *Rule, ev *Event) {
		out = append(out, r.File+" | "+ev.EventType+" "+ev.TargetObject+" | "+ev.Details)
	})
	for r, err := range failed {
		t.Fatalf("rule %s: %v", r.File, err)
	}
	return out
}

// runnable is every embedded rule that can run offline, writer filters
// included.
func runnable(t testing.TB) []*Rule {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var out []*Rule
	for _, r := range rs.Rules {
		if (Options{WriterUnknown: true}).Chosen(r) {
			out = append(out, r)
		}
	}
	return out
}

// TestIndexMatchesNaive checks that the index drops no match: on the
// planted host, on values built to sit at the edges of the fast paths
// (8-bit strings, non-ASCII, multi-strings with empty members, integers of
// odd sizes, control sets) and on the small and mid-sized corpus hives,
// the indexed run finds exactly what every rule on every event finds.
func TestIndexMatchesNaive(t *testing.T) {
	rules := runnable(t)
	check := func(t *testing.T, set *hive.Set) {
		t.Helper()
		want, got := naiveMatches(t, set, rules), indexedMatches(t, set, rules)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("indexed matches differ from every rule on every event (-naive +indexed):\n%s", diff)
		}
	}
	planted := plantedSet(t)
	if n := len(naiveMatches(t, planted, rules)); n < 10 {
		t.Fatalf("planted host: %d naive matches, want at least 10", n)
	}
	check(t, planted)
	check(t, edgeSet(t))

	// Every rule on every event costs about 0.3 ms per event: the hives up
	// to 800 KB (about 30) keep the test near ten seconds on two cores.
	// HIVESCAN_NAIVE_ALL=1 compares every corpus hive (minutes).
	budget := int64(800 << 10)
	switch {
	case os.Getenv("HIVESCAN_NAIVE_ALL") != "":
		budget = 1 << 40
	case testing.Short():
		budget = 300 << 10
	}
	n := 0
	for _, m := range corpus.Manifest(t) {
		switch m.Kind {
		case "SYSTEM", "SOFTWARE", "NTUSER", "DEFAULT", "SAM", "SECURITY", "USRCLASS":
		default:
			continue
		}
		if fi, err := os.Stat(corpus.Path(t, m.Path)); err != nil || fi.Size() > budget {
			continue
		}
		h, err := hive.Open(corpus.Path(t, m.Path))
		if err != nil {
			continue // the hive package's corpus tests say why
		}
		set := &hive.Set{Host: "corpus"}
		set.Add(&hive.Entry{Hive: h, Path: m.Path})
		n++
		t.Run(m.Path, func(t *testing.T) {
			t.Parallel()
			check(t, set)
		})
	}
	if n == 0 {
		t.Fatal("no corpus hive compared")
	}
}

// edgeSet holds values whose Details the fast path writes without
// decoding, each also matched by a rule (Details fragments and
// TargetObject fragments on both sides of the control-set mapping).
func edgeSet(t testing.TB) *hive.Set {
	raw := func(name string, typ hive.ValueType, b []byte) hivetest.Value {
		return hivetest.Value{Name: name, Type: uint32(typ), Data: b}
	}
	latin := []byte(`C:\Windows\Temp\x.exe` + "\x00")         // 8-bit text with its terminator
	odd := []byte(`C:\Users\Public\y.exe`)                    // 8-bit, odd length, no NUL
	multi := utf16z("a", "", `C:\Windows\Temp\m.dll`, "", "") // empty members, trailing empties
	nonASCII := utf16z(`C:\Users\Jérôme\AppData\Roaming\Microsoft.HybridConnectionManager.Listener.exe`)
	runs := k("Run", vals(
		raw("latin", hive.RegSZ, latin), raw("odd", hive.RegSZ, odd), raw("multi", hive.RegMultiSZ, multi),
		raw("nonascii", hive.RegSZ, nonASCII), raw("short", hive.RegDWORD, []byte{1, 0}),
		raw("qword", hive.RegQWORD, []byte{1, 2, 3, 4, 5, 6, 7, 8}), raw("be", hive.RegDWORDBigEndian, []byte{0, 0, 0, 1}),
		raw("link", hive.RegLink, utf16z(`\Registry\Machine\Software\Classes`)),
		raw("empty", hive.RegSZ, nil), raw("bin", hive.RegBinary, []byte("MZ\x90")),
		hivetest.SZ("HybridConnectionManager", "Microsoft.HybridConnectionManager.Listener.exe")))
	sw := builtHive(t, `\SystemRoot\System32\Config\SOFTWARE`,
		// Only its Details can reach the rule that matches it.
		k("Vendor", vals(hivetest.SZ("Path", `D:\Tools\Microsoft.HybridConnectionManager.Listener.exe`))),
		nest([]string{"Microsoft", "Windows", "CurrentVersion"}, runs),
		nest([]string{"WOW6432Node", "Microsoft", "Windows", "CurrentVersion"}, k("RunOnce", vals(hivetest.SZ("x", `powershell -enc AAAA`)))))
	sys := builtHive(t, `\SystemRoot\System32\Config\SYSTEM`,
		k("Select", vals(hivetest.DWORD("Current", 2), hivetest.DWORD("Default", 2))),
		k("ControlSet001", nil, nest([]string{"Services", "HybridConnectionManager"}, k("Parameters", vals(hivetest.DWORD("Start", 2))))),
		k("ControlSet002", nil, nest([]string{"Control", "SecurityProviders"}, k("WDigest", vals(hivetest.DWORD("UseLogonCredential", 1))))),
		k("CurrentControlSet", nil, k("Control", nil, k("MiniNt", nil))))
	set := &hive.Set{Host: "edges"}
	set.Add(&hive.Entry{Hive: sw, Path: "SOFTWARE"})
	set.Add(&hive.Entry{Hive: sys, Path: "SYSTEM"})
	return set
}

func utf16z(list ...string) []byte {
	var b []byte
	for _, s := range list {
		for _, r := range s {
			if r > 0xffff {
				panic(fmt.Sprint("utf16z: ", s))
			}
			b = append(b, byte(r), byte(r>>8))
		}
		b = append(b, 0, 0)
	}
	return b
}

// TestLowerDetails checks the fast Details against strings.ToLower(Details)
// of the decoded data for every type and many byte strings.
func TestLowerDetails(t *testing.T) {
	types := []hive.ValueType{hive.RegNone, hive.RegSZ, hive.RegExpandSZ, hive.RegBinary, hive.RegDWORD, hive.RegDWORDBigEndian, hive.RegLink, hive.RegMultiSZ, hive.RegQWORD, 42}
	inputs := [][]byte{nil, {}, {0}, {0, 0}, {'a'}, {'a', 0}, {'A', 0, 0, 0}, {'A', 'b', 0}, {'A', 'b', 'C'}, {0x41, 0x00, 0xe9, 0x00}, {0x41, 0x00, 0x00, 0x01},
		{1, 2, 3, 4}, {1, 2, 3, 4, 5, 6, 7, 8}, {0xff, 0xff, 0xff, 0xff}, utf16z("a", "", "B", "", ""), utf16z("", "x"), utf16z("", ""), []byte("Tab\there\x00"), {0x3d, 0xd8, 0x00, 0xde}}
	for _, typ := range types {
		for _, b := range inputs {
			want := lowerASCII(nil, Details(typ, hive.DecodeData(typ, b)))
			if got, ok := fastLowerDetails([]byte("keep"), typ, b); ok && string(got) != "keep"+string(want) {
				t.Errorf("%v %x: fast %q, want %q", typ, b, got[4:], want)
			}
		}
	}
}

func FuzzLowerDetails(f *testing.F) {
	f.Add(uint32(1), []byte("A\x00b\x00"))
	f.Add(uint32(7), []byte("a\x00\x00\x00b\x00\x00\x00\x00\x00"))
	f.Add(uint32(4), []byte{1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, typ uint32, b []byte) {
		tp := hive.ValueType(typ % 16)
		want := lowerASCII(nil, Details(tp, hive.DecodeData(tp, b)))
		if got, ok := fastLowerDetails(nil, tp, b); ok && string(got) != string(want) {
			t.Fatalf("%v %x: fast %q, want %q", tp, b, got, want)
		}
	})
}
