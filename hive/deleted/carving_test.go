package deleted

import (
	"context"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
)

const runPath = `Microsoft\Windows\CurrentVersion\Run`

// carve builds root, lets edit change the built bytes, and returns the
// recovered records (placed) and views.
func carve(t *testing.T, root *hivetest.Key, edit func(b *hivetest.Hive)) (*Records, Views) {
	t.Helper()
	b, err := hivetest.Build(root, hivetest.Options{FileName: `\SystemRoot\System32\Config\SOFTWARE`})
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(b)
	}
	b.Fix()
	h, err := hive.Parse(b.Bytes, "SOFTWARE")
	if err != nil {
		t.Fatal(err)
	}
	rec, views, err := AnalyzeViews(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	return rec, views
}

func softwareWithRun(values ...hivetest.Value) *hivetest.Key {
	run := &hivetest.Key{Name: "Run", Values: values}
	return &hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{
		{Name: "Microsoft", Subkeys: []*hivetest.Key{{Name: "Windows", Subkeys: []*hivetest.Key{{Name: "CurrentVersion", Subkeys: []*hivetest.Key{run}}}}}},
	}}
}

func recovered(t *testing.T, rec *Records, name string) *Value {
	t.Helper()
	for i := range rec.Values {
		if rec.Values[i].Name == name {
			return &rec.Values[i]
		}
	}
	t.Fatalf("value %q not recovered; records: %+v", name, rec.Values)
	return nil
}

// dataCell returns the data cell offset named by the vk cell at vk.
func dataCell(b *hivetest.Hive, vk int) int {
	return int(binary.LittleEndian.Uint32(b.Bytes[4096+vk+4+8:]))
}

func TestCarvingCases(t *testing.T) {
	evil := `C:\Users\Public\svchost.exe`
	tests := []struct {
		name       string
		root       *hivetest.Key
		edit       func(t *testing.T, b *hivetest.Hive)
		value      string
		confidence Confidence
		keyPath    string // "" when it must stay unplaced
		placement  string
		data       string // the surviving text, when checked
		damage     string // a word the damage must hold
	}{
		{
			// The free-list link of old Windows overwrote the first 4 bytes.
			name: "overwritten prefix",
			root: softwareWithRun(hivetest.SZ("OneDrive", "onedrive.exe"), hivetest.ExpandSZ("Svc", `%SystemRoot%\System32\services.exe`)),
			edit: func(t *testing.T, b *hivetest.Hive) {
				vk, _ := b.ValueCell(runPath, "Svc")
				if err := b.FreeValue(runPath, "Svc"); err != nil {
					t.Fatal(err)
				}
				binary.LittleEndian.PutUint32(b.Bytes[4096+dataCell(b, vk)+4:], 0xFFFFFFFF)
			},
			value: "Svc", confidence: Partial, keyPath: `\` + runPath, placement: PlacedCertain,
			data: `ystemRoot%\System32\services.exe`, damage: "overwritten",
		},
		{
			// The data cell was allocated again to another record.
			name: "reused cell",
			root: softwareWithRun(hivetest.SZ("OneDrive", "onedrive.exe"), hivetest.SZ("Evil", evil)),
			edit: func(t *testing.T, b *hivetest.Hive) {
				vk, _ := b.ValueCell(runPath, "Evil")
				if err := b.FreeValue(runPath, "Evil"); err != nil {
					t.Fatal(err)
				}
				d := 4096 + dataCell(b, vk)
				size := int32(binary.LittleEndian.Uint32(b.Bytes[d:]))
				binary.LittleEndian.PutUint32(b.Bytes[d:], uint32(-size))
			},
			value: "Evil", confidence: Fragment, keyPath: `\` + runPath, placement: PlacedCertain, damage: "reused",
		},
		{
			// The key's only value went, and its value list was freed with
			// it: the list cell is free and still names the value, but the
			// key no longer points at it. The value's cell follows the key's
			// cells and the subkey after it is the key's own.
			name: "freed value list",
			root: &hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{{Name: "Policies", Values: []hivetest.Value{hivetest.SZ("Evil", evil)},
				Subkeys: []*hivetest.Key{{Name: "Sub"}}}}},
			edit: func(t *testing.T, b *hivetest.Hive) {
				if err := b.FreeValue("Policies", "Evil"); err != nil {
					t.Fatal(err)
				}
			},
			value: "Evil", confidence: Intact, keyPath: `\Policies`, placement: PlacedLikely, damage: "",
		},
		{
			// A deleted key keeps its value list: its values come back
			// under it.
			name: "deleted key with values",
			root: &hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{{Name: "Services", DeletedSubkeys: []*hivetest.Key{
				{Name: "Gone", Values: []hivetest.Value{hivetest.ExpandSZ("ImagePath", evil), hivetest.DWORD("Start", 2)}}}}}},
			value: "ImagePath", confidence: Intact, keyPath: `\Services\Gone`, placement: PlacedCertain, data: evil,
		},
		{
			// Deleted from the middle of the Run list, with the list cell
			// kept: the neighbourhood and the list's spare slot place it.
			name: "middle of a value list",
			root: softwareWithRun(hivetest.SZ("OneDrive", "onedrive.exe"), hivetest.SZ("Evil", evil), hivetest.SZ("Last", "last.exe")),
			edit: func(t *testing.T, b *hivetest.Hive) {
				if err := b.FreeValue(runPath, "Evil"); err != nil {
					t.Fatal(err)
				}
			},
			value: "Evil", confidence: Intact, keyPath: `\` + runPath, placement: PlacedLikely, data: evil,
		},
		{
			// Between the key cells of two unrelated keys: no owner.
			name: "no owner",
			root: &hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{
				{Name: "A", DeletedValues: []hivetest.Value{hivetest.SZ("Evil", evil)}}, {Name: "B"}}},
			value: "Evil", confidence: Intact,
		},
		{
			// A freed copy equal to the live value is a duplicate: not in
			// any view.
			name: "duplicate of a live value",
			root: &hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{{Name: "K", Values: []hivetest.Value{hivetest.SZ("V", evil)},
				DeletedValues: []hivetest.Value{hivetest.SZ("V", evil)}}}},
			value: "V", confidence: Intact,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, views := carve(t, tc.root, func(b *hivetest.Hive) {
				if tc.edit != nil {
					tc.edit(t, b)
				}
			})
			v := recovered(t, rec, tc.value)
			if v.Confidence != tc.confidence {
				t.Errorf("confidence %q, want %q (damage %q)", v.Confidence, tc.confidence, v.Damage)
			}
			if !strings.EqualFold(v.KeyPath, tc.keyPath) || v.Placement != tc.placement {
				t.Errorf("placed at %q (%s, evidence %q), want %q (%s)", v.KeyPath, v.Placement, v.Evidence, tc.keyPath, tc.placement)
			}
			if tc.placement == PlacedLikely && len(v.Evidence) < 2 {
				t.Errorf("a likely placement needs its evidence: %q", v.Evidence)
			}
			if tc.data != "" && hive.DecodeString(v.Data) != tc.data {
				t.Errorf("data %q, want %q", hive.DecodeString(v.Data), tc.data)
			}
			if tc.damage != "" && !strings.Contains(strings.Join(v.Damage, " "), tc.damage) {
				t.Errorf("damage %q should mention %q", v.Damage, tc.damage)
			}
			// Intact records go to the intact view, the others to the
			// carved one, at their key or in the unknown bucket.
			want, other := views.Intact, views.Carved
			if tc.confidence != Intact {
				want, other = views.Carved, views.Intact
			}
			where := tc.keyPath
			if where == "" {
				where = hive.DeletedUnknownKey
			}
			if tc.name == "duplicate of a live value" {
				if views.Stats.Duplicates != 1 || views.Intact != nil {
					t.Errorf("duplicate placed: stats %+v", views.Stats)
				}
				return
			}
			if want == nil {
				t.Fatalf("no view for %s records; stats %+v", tc.confidence, views.Stats)
			}
			k, err := want.Key(where)
			if err != nil {
				t.Fatalf("view: %v", err)
			}
			if _, err := k.Value(tc.value); err != nil {
				t.Errorf("view has no %s under %s: %v", tc.value, where, err)
			}
			if other != nil {
				if k, err := other.Key(where); err == nil {
					if _, err := k.Value(tc.value); err == nil {
						t.Errorf("%s is in both views", tc.value)
					}
				}
			}
		})
	}
}

func TestJudgeString(t *testing.T) {
	utf := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return append(b, 0, 0)
	}
	tests := []struct {
		name string
		data []byte
		want Confidence
	}{
		{"intact", utf(`%SystemRoot%\system32\services.exe`), Intact},
		{"overwritten by a link", append([]byte{0xff, 0xff, 0xff, 0xff}, utf(`ystemRoot%\system32\services.exe`)...), Partial},
		{"starts inside a reference", utf(`ystemRoot%\system32\services.exe`), Partial},
		{"garbage inside", utf("abc\x01\x02def"), Fragment},
		{"lone surrogate", append(utf("abc")[:6], 0x00, 0xd8, 'x', 0, 0, 0), Fragment},
		{"not text at all", []byte{1, 0, 2, 0, 0, 0}, Fragment},
	}
	for _, tc := range tests {
		if _, got, damage := judgeString(regSZ, tc.data); got != tc.want {
			t.Errorf("%s: %q, want %q (%q)", tc.name, got, tc.want, damage)
		}
	}
	if _, got, _ := judgeString(3, []byte{1, 2, 3}); got != Intact {
		t.Errorf("binary data is not judged as text: %q", got)
	}
}
