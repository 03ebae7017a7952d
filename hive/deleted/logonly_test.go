package deleted

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/hive/txlog"
)

const softwareName = `\SystemRoot\System32\Config\SOFTWARE`

func buildBytes(t *testing.T, root *hivetest.Key) []byte {
	t.Helper()
	b, err := hivetest.Build(root, hivetest.Options{FileName: softwareName})
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes
}

// valueText returns the text of the value name at path in h.
func valueText(t *testing.T, h *hive.Hive, path, name string) string {
	t.Helper()
	k, err := h.Key(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := k.Value(name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := v.Text()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// twoFlushes returns the hive file after two flushes, from `after` as the
// primary holds it to `before` and back to `after`, and a log holding both
// entries: what `before` held that `after` lacks exists only in the log.
// dirty leaves the primary with the second flush unfinished, as when the
// machine stopped before it; otherwise the primary is clean and the log
// keeps the entries from before (remnants).
func twoFlushes(t *testing.T, before, after *hivetest.Key, dirty bool) (*hive.Hive, []txlog.Log) {
	t.Helper()
	a, b := buildBytes(t, before), buildBytes(t, after)
	primary := slices.Clone(b)
	if dirty {
		hivetest.MarkDirty(primary, 10)
	}
	log := hivetest.NewLog(b, 10,
		hivetest.LogEntry{Seq: 10, HbinsSize: hivetest.HbinsSize(a), Pages: hivetest.ChangedPages(b, a)},
		hivetest.LogEntry{Seq: 11, HbinsSize: hivetest.HbinsSize(b), Pages: hivetest.ChangedPages(a, b)},
	)
	logs := []txlog.Log{{Name: "SOFTWARE.LOG1", Data: log}}
	data := primary
	if dirty {
		res, err := txlog.Recover(primary, logs)
		if err != nil || len(res.Applied) != 1 || res.Applied[0].Entries != 2 {
			t.Fatalf("recovery: %+v, %v", res, err)
		}
		if !bytes.Equal(res.Data[4096:4096+hivetest.HbinsSize(b)], b[4096:]) {
			t.Fatal("recovered hive bins differ from the second flush's")
		}
		data = res.Data
	}
	h, err := hive.Parse(data, "SOFTWARE")
	if err != nil {
		t.Fatal(err)
	}
	return h, logs
}

func sz(s string) []byte { return hivetest.SZ("", s).Data }

func TestLogRecordsWrittenThenRemoved(t *testing.T) {
	for _, dirty := range []bool{true, false} {
		name := map[bool]string{true: "dirty primary, log applied", false: "clean primary, log remnants"}[dirty]
		t.Run(name, func(t *testing.T) {
			onedrive := hivetest.SZ("OneDrive", `"C:\Users\a\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background`)
			evil := hivetest.SZ("Updater", `C:\Users\Public\updater.exe`)
			h, logs := twoFlushes(t, softwareWithRun(onedrive, evil), softwareWithRun(onedrive), dirty)
			rec, st, err := LogRecords(context.Background(), h, logs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if st.Entries != 2 || st.Stale == 0 || st.Values != 1 || st.Keys != 0 || st.SameAsHive == 0 {
				t.Fatalf("stats %+v", st)
			}
			v := rec.Values[0]
			if v.Name != "Updater" || v.KeyPath != `\`+runPath || v.Placement != PlacedCertain || v.Source != SourceLog || v.Confidence != Intact {
				t.Fatalf("value %+v", v)
			}
			if !bytes.Equal(v.Data, sz(`C:\Users\Public\updater.exe`)) {
				t.Errorf("data %q", v.Data)
			}
			if !strings.Contains(v.Log, "SOFTWARE.LOG1, entry of sequence number 10") {
				t.Errorf("log %q", v.Log)
			}
			// The deleted-record scan of the hive cannot see it: the
			// second flush's hive never held it.
			all, views, err := AnalyzeViews(context.Background(), h, logs...)
			if err != nil {
				t.Fatal(err)
			}
			var fromHive int
			for _, v := range all.Values {
				if v.Source != SourceLog {
					fromHive++
				}
			}
			if fromHive != 0 || views.Intact == nil || views.Earlier != nil || views.Log.Values != 1 {
				t.Fatalf("hive records %d, views %+v", fromHive, views)
			}
			if s := valueText(t, views.Intact, runPath, "Updater"); s != `C:\Users\Public\updater.exe` {
				t.Errorf("view data %q", s)
			}
		})
	}
}

// A value whose data a later flush changed: its earlier data is in the
// earlier view, in its place.
func TestLogRecordsEarlierData(t *testing.T) {
	h, logs := twoFlushes(t,
		softwareWithRun(hivetest.SZ("Updater", `powershell.exe -w hidden -enc SQBFAFgA`)),
		softwareWithRun(hivetest.SZ("Updater", `"C:\Program Files\Vendor\update.exe"`)), true)
	_, views, err := AnalyzeViews(context.Background(), h, logs...)
	if err != nil {
		t.Fatal(err)
	}
	if views.Earlier == nil || views.Stats.Earlier != 1 || views.Intact != nil {
		t.Fatalf("views %+v", views)
	}
	if s := valueText(t, views.Earlier, runPath, "Updater"); s != `powershell.exe -w hidden -enc SQBFAFgA` {
		t.Errorf("earlier data %q", s)
	}
}

// A key created and removed between flushes, with its values: placed at
// its path as the log's stage had it.
func TestLogRecordsKeyOnlyInLog(t *testing.T) {
	svc := func(extra ...*hivetest.Key) *hivetest.Key {
		return &hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{{Name: "ControlSet001", Subkeys: []*hivetest.Key{{Name: "Services", Subkeys: append([]*hivetest.Key{
			{Name: "Tcpip", Values: []hivetest.Value{hivetest.ExpandSZ("ImagePath", `System32\drivers\tcpip.sys`)}},
		}, extra...)}}}}}
	}
	evil := &hivetest.Key{Name: "updsvc", Values: []hivetest.Value{hivetest.ExpandSZ("ImagePath", `C:\ProgramData\upd\svc.exe`), hivetest.DWORD("Start", 2)}}
	h, logs := twoFlushes(t, svc(evil), svc(), true)
	rec, st, err := LogRecords(context.Background(), h, logs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Keys != 1 || st.Values != 2 || st.Unplaced != 0 {
		t.Fatalf("stats %+v, records %+v", st, rec)
	}
	if k := rec.Keys[0]; k.Name != "updsvc" || k.ParentPath != `ControlSet001\Services` || !k.ParentKnown || k.Source != SourceLog {
		t.Errorf("key %+v", k)
	}
	for _, v := range rec.Values {
		if v.KeyPath != `\ControlSet001\Services\updsvc` {
			t.Errorf("value %s placed at %q", v.Name, v.KeyPath)
		}
	}
	_, views, err := AnalyzeViews(context.Background(), h, logs...)
	if err != nil {
		t.Fatal(err)
	}
	if s := valueText(t, views.Intact, `ControlSet001\Services\updsvc`, "ImagePath"); s != `C:\ProgramData\upd\svc.exe` {
		t.Errorf("ImagePath %q", s)
	}
}

// Logs that hold nothing the hive lacks, and logs of another hive, give
// nothing; the foreign one says why.
func TestLogRecordsNothingToFind(t *testing.T) {
	root := softwareWithRun(hivetest.SZ("OneDrive", `OneDrive.exe`))
	b := buildBytes(t, root)
	h, err := hive.Parse(b, "SOFTWARE")
	if err != nil {
		t.Fatal(err)
	}
	same := hivetest.NewLog(b, 5, hivetest.LogEntry{Seq: 5, HbinsSize: hivetest.HbinsSize(b), Pages: hivetest.ChangedPages(nil, b)})
	other, err := hivetest.Build(softwareWithRun(hivetest.SZ("X", "y.exe")), hivetest.Options{FileName: `\SystemRoot\System32\Config\SYSTEM`})
	if err != nil {
		t.Fatal(err)
	}
	foreign := hivetest.NewLog(other.Bytes, 5, hivetest.LogEntry{Seq: 5, HbinsSize: hivetest.HbinsSize(other.Bytes), Pages: hivetest.ChangedPages(nil, other.Bytes)})
	rec, st, err := LogRecords(context.Background(), h, []txlog.Log{{Name: "SOFTWARE.LOG1", Data: same}, {Name: "SOFTWARE.LOG2", Data: foreign}}, nil)
	if err != nil || rec != nil {
		t.Fatalf("records %+v, %v", rec, err)
	}
	if st.Entries != 1 || st.Stale != 0 || len(st.Skipped) != 1 || !strings.Contains(st.Skipped[0].Reason, "foreign") {
		t.Errorf("stats %+v", st)
	}
}

// FuzzLogRecords feeds mutated logs of a real flush pair: whatever the log
// holds, the search returns or fails without a panic, and every record it
// returns is marked as the log's.
func FuzzLogRecords(f *testing.F) {
	t := &testing.T{}
	h, logs := twoFlushes(t, softwareWithRun(hivetest.SZ("A", "a.exe"), hivetest.SZ("B", `C:\b.exe`)), softwareWithRun(hivetest.SZ("A", "a.exe")), false)
	f.Add(logs[0].Data)
	f.Add(logs[0].Data[:1024])
	f.Fuzz(func(t *testing.T, log []byte) {
		rec, _, err := LogRecords(context.Background(), h, []txlog.Log{{Name: "L", Data: log}}, nil)
		if err != nil || rec == nil {
			return
		}
		for _, v := range rec.Values {
			if v.Source != SourceLog || v.Log == "" {
				t.Fatalf("value %+v", v)
			}
		}
	})
}

// The overlay reads as a flat copy of the hive with the same writes would,
// whatever the writes and spans (page-aligned or not, across pages, past
// the hive's end).
func FuzzOverlay(f *testing.F) {
	f.Add([]byte{3, 0, 1, 2, 9, 9, 9, 200, 17, 0, 250}, uint16(5000), uint16(100))
	f.Add([]byte{0, 0, 16, 1}, uint16(4090), uint16(9000))
	f.Fuzz(func(t *testing.T, ops []byte, at, n uint16) {
		base := make([]byte, 3*overlayPage+100)
		for i := range base {
			base[i] = byte(i * 7)
		}
		size := len(base) + 2*overlayPage
		flat := append(bytes.Clone(base), make([]byte, size-len(base))...)
		o := &overlay{base: bytes.Clone(base), size: size, pages: map[int][]byte{}}
		for len(ops) >= 4 {
			off := (int(ops[0])<<8 | int(ops[1])) % size
			l := min(int(ops[2])*37, size-off)
			data := make([]byte, l)
			for i := range data {
				data[i] = ops[3] + byte(i)
				if ops[3]%3 == 0 {
					data[i] = flat[off+i] // rewrites what is there
				}
			}
			copy(flat[off:], data)
			o.write(off, data)
			ops = ops[4:]
			a := int(at) % (size + 1)
			b := min(a+int(n), size)
			if got := o.span(a, b); !bytes.Equal(got, flat[a:b]) {
				t.Fatalf("span(%d, %d) differs from the flat copy", a, b)
			}
		}
		if !bytes.Equal(o.base, base) {
			t.Fatal("a write changed base")
		}
		for a := 0; a < size; a += 1000 {
			b := min(a+1500, size)
			if !bytes.Equal(o.span(a, b), flat[a:b]) {
				t.Fatalf("span(%d, %d) differs from the flat copy", a, b)
			}
		}
	})
}
