package txlog

import (
	"bytes"
	"testing"
)

func FuzzRecover(f *testing.F) {
	// Small seeds keep mutation and minimisation fast.
	bins4 := uint32(binAlign)
	e1 := testEntry{seq: 10, hbins: bins4, pages: []testPage{{0, page(64, 0xA1)}}}
	e2 := testEntry{seq: 11, hbins: 2 * binAlign, flags: 1, pages: []testPage{{binAlign, page(64, 0xB2)}}}
	primary := testPrimary(10, 1, 0x11)
	badBase := bytes.Clone(primary)
	badBase[offRootCell]++
	f.Add(primary, testNewLog(10, bins4, testName, e1), testNewLog(11, bins4, testName, e2))
	f.Add(primary, testNewLog(11, bins4, testName, e2), testNewLog(10, bins4, testName, e1, e2))
	f.Add(badBase, testNewLog(10, bins4, testName, e1), []byte{})
	f.Add(primary, testOldLog(10, bins4, testName, testPage{512, page(512, 0x55)}), []byte(nil))
	f.Add(badBase, testOldLog(10, bins4, testName, testPage{0, page(512, 0x55)}), testNewLog(9, bins4, testName))
	f.Add(primary[:baseBlockSize], testNewLog(10, bins4, testName, e1)[:700], make([]byte, 1024))
	f.Fuzz(func(t *testing.T, primary, log1, log2 []byte) {
		orig := [][]byte{bytes.Clone(primary), bytes.Clone(log1), bytes.Clone(log2)}
		logs := []Log{{"log1", log1}, {"log2", log2}}
		dirty, _ := NeedsRecovery(primary)
		res, err := Recover(primary, logs)
		for i, b := range [][]byte{primary, log1, log2} {
			if !bytes.Equal(b, orig[i]) {
				t.Fatalf("input %d modified", i)
			}
		}
		if err != nil {
			if dirty {
				t.Fatalf("NeedsRecovery says dirty, Recover fails: %v", err)
			}
			return
		}
		if res.Dirty != dirty {
			t.Fatalf("Result.Dirty %v, NeedsRecovery %v", res.Dirty, dirty)
		}
		total := len(primary) + len(log1) + len(log2)
		if max := (total + binAlign - 1) / binAlign * binAlign; len(res.Data) > max && len(res.Data) > len(primary) {
			t.Fatalf("recovered %d bytes from %d bytes of input", len(res.Data), total)
		}
		seen := map[string]bool{}
		for _, a := range res.Applied {
			seen[a.Name] = true
			if a.Entries < 0 || a.Pages < 0 || (a.Format == FormatNew && (a.Entries == 0 || a.Pages == 0)) {
				t.Fatalf("applied %+v", a)
			}
		}
		for _, s := range res.Skipped {
			seen[s.Name] = true
			if s.Reason == "" {
				t.Fatalf("skipped %s without a reason", s.Name)
			}
		}
		if !seen["log1"] || !seen["log2"] {
			t.Fatalf("a log is neither applied nor skipped: %+v %+v", res.Applied, res.Skipped)
		}
		if res.Changed {
			if d, why := NeedsRecovery(res.Data); d {
				t.Fatalf("recovered hive still dirty: %s", why)
			}
		} else if !bytes.Equal(res.Data, primary) {
			t.Fatal("unchanged result differs from the primary")
		}
	})
}
