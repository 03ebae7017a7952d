package hive_test

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/internal/corpus"
)

// primaryKinds are the MANIFEST kinds that name primary hives.
var primaryKinds = map[string]bool{
	"SYSTEM": true, "SOFTWARE": true, "NTUSER": true, "DEFAULT": true, "SAM": true,
	"SECURITY": true, "USRCLASS": true, "AMCACHE": true,
}

// isPrimary reports whether a manifest row is a primary regf hive.
func isPrimary(e corpus.Entry) bool {
	if primaryKinds[e.Kind] {
		return true
	}
	return e.Kind == "other" && strings.HasPrefix(e.Notes, "regf ") && strings.Contains(e.Notes, " primary")
}

// A peerDiff is a documented, reasoned difference between hivescan and a
// peer on one hive. The conformance test fails on any difference not listed
// here and on any listed difference that no longer occurs.
type peerDiff struct {
	Hive string // MANIFEST staged path
	What string // difference category, as produced by compareWithPeers
	Why  string
}

var knownDiffs = []peerDiff{
	{"*", "int-wrong-size", "REG_DWORD/REG_QWORD whose data is not 4/8 bytes (SAM and SECURITY default values carry a type number and no data; some programs store 8-byte DWORDs): hivexml prints -1 or the first bytes as a number, hivescan keeps the raw bytes rather than invent a number"},
	{"*", "string-8bit", "REG_SZ written as 8-bit text ending in a single NUL (push-notification channelId): hivexml decodes the bytes as UTF-16 and prints CJK characters, hivescan recognises 8-bit text"},
	{"msuhanov__yarp/hives_for_tests/BadListHive", "reglookup-keys", "the subkey list of \\3 names the key cell of \\2\\subkey: hivescan and hivexml visit a key cell once (the second reference is reported as ErrCycle), reglookup lists it under both parents"},
	{"msuhanov__yarp/hives_for_tests/BadSubkeyHive", "reglookup-keys", "the subkey list of \\3 names the key cell of \\2\\subkey: hivescan and hivexml visit a key cell once (the second reference is reported as ErrCycle), reglookup lists it under both parents"},
	{"msuhanov__yarp/hives_for_tests/TruncatedPairHive", "key-only-hivescan", "a key name ends in an unpaired UTF-16 surrogate: hivexml -k skips the key (iconv fails), hivescan decodes the name with U+FFFD; reglookup counts agree with hivescan"},
	{"msuhanov__yarp/hives_for_tests/TruncatedPairHive2", "key-only-hivescan", "a key name ends in an unpaired UTF-16 surrogate: hivexml -k skips the key (iconv fails), hivescan decodes the name with U+FFFD; reglookup counts agree with hivescan"},
	{"msuhanov__yarp/hives_for_tests/System_Delta", "key-only-hivescan", "regf 1.6 differencing hive: hivex fails on the REG_NONE value ExistingPageFiles (no data cell) and, with -k, abandons Memory Management without closing its XML element (visit.c jumps past node_end), so every later key nests under it; reglookup counts agree with hivescan"},
	{"msuhanov__yarp/hives_for_tests/System_Delta", "key-only-hivexml", "regf 1.6 differencing hive: hivex fails on the REG_NONE value ExistingPageFiles (no data cell) and, with -k, abandons Memory Management without closing its XML element (visit.c jumps past node_end), so every later key nests under it; reglookup counts agree with hivescan"},
	{"msuhanov__yarp/hives_for_tests/System_Delta", "value-only-hivescan", "regf 1.6 differencing hive: hivex fails on the REG_NONE value ExistingPageFiles (no data cell) and, with -k, abandons Memory Management without closing its XML element (visit.c jumps past node_end), so every later key nests under it; reglookup counts agree with hivescan"},
	{"msuhanov__regf-samples/3.1/SOFTWARE", "hivexml-fails", "NT 3.1 SOFTWARE (regf 1.1): its cells carry an 8-byte header (size and the offset of the previous cell), which reglookup (no root key, exit 71) and hivex (ENOTSUP) do not read; hivescan reads the layout, and TestNT31Layout checks that every allocated key and value cell of the bins is reached"},
	{"msuhanov__regf-samples/3.1/SOFTWARE", "key-only-hivescan", "NT 3.1 SOFTWARE (regf 1.1): its cells carry an 8-byte header (size and the offset of the previous cell), which reglookup (no root key, exit 71) and hivex (ENOTSUP) do not read; hivescan reads the layout, and TestNT31Layout checks that every allocated key and value cell of the bins is reached"},
	{"msuhanov__regf-samples/3.1/SOFTWARE", "reglookup-fails", "NT 3.1 SOFTWARE (regf 1.1): its cells carry an 8-byte header (size and the offset of the previous cell), which reglookup (no root key, exit 71) and hivex (ENOTSUP) do not read; hivescan reads the layout, and TestNT31Layout checks that every allocated key and value cell of the bins is reached"},
	{"msuhanov__regf-samples/3.1/SOFTWARE", "reglookup-keys", "NT 3.1 SOFTWARE (regf 1.1): its cells carry an 8-byte header (size and the offset of the previous cell), which reglookup (no root key, exit 71) and hivex (ENOTSUP) do not read; hivescan reads the layout, and TestNT31Layout checks that every allocated key and value cell of the bins is reached"},
	{"msuhanov__regf-samples/3.1/SOFTWARE", "reglookup-values", "NT 3.1 SOFTWARE (regf 1.1): its cells carry an 8-byte header (size and the offset of the previous cell), which reglookup (no root key, exit 71) and hivex (ENOTSUP) do not read; hivescan reads the layout, and TestNT31Layout checks that every allocated key and value cell of the bins is reached"},
	{"aboutcode-org__scancode-toolkit/tests/packagedcode/data/win_reg/Software_Delta", "key-only-hivescan", "regf 1.6 differencing SOFTWARE (container layer Software_Delta): as System_Delta, hivex fails on a REG_NONE value with no data cell (Installer\\Folders) and, with -k, nests every later key under the abandoned one; reglookup counts agree with hivescan"},
	{"aboutcode-org__scancode-toolkit/tests/packagedcode/data/win_reg/Software_Delta", "key-only-hivexml", "regf 1.6 differencing SOFTWARE (container layer Software_Delta): as System_Delta, hivex fails on a REG_NONE value with no data cell (Installer\\Folders) and, with -k, nests every later key under the abandoned one; reglookup counts agree with hivescan"},
	{"aboutcode-org__scancode-toolkit/tests/packagedcode/data/win_reg/Software_Delta", "value-only-hivescan", "regf 1.6 differencing SOFTWARE (container layer Software_Delta): as System_Delta, hivex fails on a REG_NONE value with no data cell (Installer\\Folders) and, with -k, nests every later key under the abandoned one; reglookup counts agree with hivescan"},
	{"msuhanov__yarp/hives_for_tests/GarbageHive", "hivexml-fails", "invalid base-block checksum: hivex_open refuses the hive (EINVAL); hivescan records the checksum (BaseBlock.ChecksumOK) and reads on; reglookup counts agree with hivescan"},
	{"msuhanov__yarp/hives_for_tests/GarbageHive", "key-only-hivescan", "invalid base-block checksum: hivex_open refuses the hive (EINVAL); hivescan records the checksum (BaseBlock.ChecksumOK) and reads on; reglookup counts agree with hivescan"},
	{"msuhanov__yarp/hives_for_tests/EffectiveSizeHive", "hivexml-fails", "invalid base-block checksum: hivex_open refuses the hive (EINVAL); hivescan records the checksum (BaseBlock.ChecksumOK) and reads on; reglookup counts agree with hivescan"},
	{"msuhanov__yarp/hives_for_tests/EffectiveSizeHive", "key-only-hivescan", "invalid base-block checksum: hivex_open refuses the hive (EINVAL); hivescan records the checksum (BaseBlock.ChecksumOK) and reads on; reglookup counts agree with hivescan"},
	{"msuhanov__yarp/hives_for_tests/BadBaseBlockHive/BadBaseBlockHive", "hivexml-fails", "invalid base-block checksum: hivex_open refuses the hive (EINVAL); hivescan records the checksum (BaseBlock.ChecksumOK) and reads on; reglookup counts agree with hivescan"},
	{"msuhanov__yarp/hives_for_tests/BadBaseBlockHive/BadBaseBlockHive", "key-only-hivescan", "invalid base-block checksum: hivex_open refuses the hive (EINVAL); hivescan records the checksum (BaseBlock.ChecksumOK) and reads on; reglookup counts agree with hivescan"},
	{"EricZimmerman__Registry/Registry.Test/Hives/SAN(OTHER)", "hivexml-fails", "invalid base-block checksum: hivex_open refuses the hive; hivescan reads on; reglookup counts agree with hivescan"},
	{"EricZimmerman__Registry/Registry.Test/Hives/SAN(OTHER)", "key-only-hivescan", "invalid base-block checksum: hivex_open refuses the hive; hivescan reads on; reglookup counts agree with hivescan"},
	{"msuhanov__yarp/hives_for_tests/DeletedDataHiveTruncated", "reglookup-keys", "the base block declares 4 KiB of hive bins but the file holds 256 KiB: reglookup stops at the declared size and sees only the root, hivescan and hivexml also read \\123 from the bins that follow"},
	{"msuhanov__yarp/hives_for_tests/TruncatedNameHive", "key-only-hivescan", "the only subkey declares a name longer than its cell: reglookup and hivex drop the key, hivescan keeps it with the part of the name inside the cell (and reports the cut), so the subtree stays visible"},
	{"msuhanov__yarp/hives_for_tests/TruncatedNameHive", "reglookup-keys", "the only subkey declares a name longer than its cell: reglookup and hivex drop the key, hivescan keeps it with the part of the name inside the cell (and reports the cut), so the subtree stays visible"},
	{"msuhanov__yarp/hives_for_tests/BogusKeyNamesHive", "key-only-hivescan", "a key name contains U+0000: hivex returns names as C strings and cuts them at the NUL, hivescan keeps the whole name"},
	{"msuhanov__yarp/hives_for_tests/BogusKeyNamesHive", "key-only-hivexml", "a key name contains U+0000: hivex returns names as C strings and cuts them at the NUL, hivescan keeps the whole name"},
	{"libguestfs__hivex/images/special", "key-only-hivescan", "a key name contains U+0000: hivex returns names as C strings and cuts them at the NUL, hivescan keeps the whole name"},
	{"libguestfs__hivex/images/special", "key-only-hivexml", "a key name contains U+0000: hivex returns names as C strings and cuts them at the NUL, hivescan keeps the whole name"},
	{"mkorman90__regipy/regipy_tests/data/corrupted_system_hive", "hivexml-fails", "deliberately corrupted SYSTEM hive (bad hbin in the middle): both peers refuse it (hivex ENOTSUP, reglookup exit 71), hivescan reads every key reachable from the root and reports the damaged cells as errors (see TestCorruptedSystemHive)"},
	{"mkorman90__regipy/regipy_tests/data/corrupted_system_hive", "key-only-hivescan", "deliberately corrupted SYSTEM hive (bad hbin in the middle): both peers refuse it (hivex ENOTSUP, reglookup exit 71), hivescan reads every key reachable from the root and reports the damaged cells as errors (see TestCorruptedSystemHive)"},
	{"mkorman90__regipy/regipy_tests/data/corrupted_system_hive", "reglookup-fails", "deliberately corrupted SYSTEM hive (bad hbin in the middle): both peers refuse it (hivex ENOTSUP, reglookup exit 71), hivescan reads every key reachable from the root and reports the damaged cells as errors (see TestCorruptedSystemHive)"},
	{"mkorman90__regipy/regipy_tests/data/corrupted_system_hive", "reglookup-keys", "deliberately corrupted SYSTEM hive (bad hbin in the middle): both peers refuse it (hivex ENOTSUP, reglookup exit 71), hivescan reads every key reachable from the root and reports the damaged cells as errors (see TestCorruptedSystemHive)"},
	{"mkorman90__regipy/regipy_tests/data/corrupted_system_hive", "reglookup-values", "deliberately corrupted SYSTEM hive (bad hbin in the middle): both peers refuse it (hivex ENOTSUP, reglookup exit 71), hivescan reads every key reachable from the root and reports the damaged cells as errors (see TestCorruptedSystemHive)"},
	{"log2timeline__plaso/test_data/regf/corrupt_sub_key_list.hiv", "key-only-hivescan", "one entry of the root subkey list points at a cell of size 0: reglookup stops listing at that entry, hivexml drops every subkey of the root; hivescan reports the entry as an error and reads the other 99 subkeys (see TestCorruptSubKeyList)"},
	{"log2timeline__plaso/test_data/regf/corrupt_sub_key_list.hiv", "reglookup-keys", "one entry of the root subkey list points at a cell of size 0: reglookup stops listing at that entry, hivexml drops every subkey of the root; hivescan reports the entry as an error and reads the other 99 subkeys (see TestCorruptSubKeyList)"},
	{"log2timeline__plaso/test_data/regf/corrupt_sub_key_list.hiv", "reglookup-values", "one entry of the root subkey list points at a cell of size 0: reglookup stops listing at that entry, hivexml drops every subkey of the root; hivescan reports the entry as an error and reads the other 99 subkeys (see TestCorruptSubKeyList)"},
	{"EricZimmerman__Registry/Registry.Test/Hives/SAMBadHBinHeader", "hivexml-fails", "the first hbin header signature is damaged: hivex refuses the hive and reglookup reads no cell past it; hivescan addresses cells by offset and does not need hbin headers (see TestSAMBadHBinHeader)"},
	{"EricZimmerman__Registry/Registry.Test/Hives/SAMBadHBinHeader", "key-only-hivescan", "the first hbin header signature is damaged: hivex refuses the hive and reglookup reads no cell past it; hivescan addresses cells by offset and does not need hbin headers (see TestSAMBadHBinHeader)"},
	{"EricZimmerman__Registry/Registry.Test/Hives/SAMBadHBinHeader", "reglookup-keys", "the first hbin header signature is damaged: hivex refuses the hive and reglookup reads no cell past it; hivescan addresses cells by offset and does not need hbin headers (see TestSAMBadHBinHeader)"},
	{"EricZimmerman__Registry/Registry.Test/Hives/SAMBadHBinHeader", "reglookup-values", "the first hbin header signature is damaged: hivex refuses the hive and reglookup reads no cell past it; hivescan addresses cells by offset and does not need hbin headers (see TestSAMBadHBinHeader)"},
}

// TestConformance compares hivescan with reglookup (key and value counts)
// and hivexml (key paths, value names, types and decoded data) on every
// primary hive of the corpus.
func TestConformance(t *testing.T) {
	reglookup := corpus.RequireTool(t, "reglookup")
	hivexml := corpus.RequireTool(t, "hivexml")
	seen := map[string]bool{}
	general := map[string]bool{} // differences documented for any hive
	for _, d := range knownDiffs {
		if d.Hive == "*" {
			general[d.What] = true
		}
	}
	var mu sync.Mutex
	anyHive := map[string]bool{} // every category met on some hive
	t.Cleanup(func() {
		for c := range general {
			if !anyHive[c] {
				t.Errorf("documented general difference %q no longer occurs on any hive", c)
			}
		}
	})
	for _, e := range corpus.Manifest(t) {
		if !isPrimary(e) {
			continue
		}
		t.Run(e.Path, func(t *testing.T) {
			t.Parallel()
			path := corpus.Path(t, e.Path)
			// The peers run side by side while hivescan reads the hive.
			var (
				rk, rv     int
				rerr, herr error
				hx         []peerKey
				wg         sync.WaitGroup
			)
			wg.Go(func() { rk, rv, _, rerr = reglookupCounts(reglookup, path) })
			wg.Go(func() { hx, _, herr = hivexmlKeys(hivexml, path) })
			h, err := hive.Open(path)
			if err != nil {
				wg.Wait()
				t.Fatalf("hivescan refuses a primary hive: %v", err)
			}
			got, err := scanHive(h)
			wg.Wait()
			if err != nil {
				t.Fatalf("Walk: %v", err)
			}
			diffs := compareWithPeers(got, rk, rv, rerr, hx, herr)
			var cats []string
			for c := range diffs {
				cats = append(cats, c)
			}
			sort.Strings(cats)
			allowed := map[string]bool{}
			for _, d := range knownDiffs {
				if d.Hive == e.Path {
					allowed[d.What] = true
				}
			}
			mu.Lock()
			for c := range diffs {
				anyHive[c] = true
			}
			mu.Unlock()
			for _, c := range cats {
				if !allowed[c] && !general[c] {
					t.Errorf("undocumented difference %q, e.g. %s", c, diffs[c])
				}
			}
			for c := range allowed {
				if _, ok := diffs[c]; !ok {
					t.Errorf("documented difference %q no longer occurs: remove it from knownDiffs", c)
				}
			}
		})
		seen[e.Path] = true
	}
	for _, d := range knownDiffs {
		if d.Hive != "*" && !seen[d.Hive] {
			t.Errorf("knownDiffs names %s, which is not a primary hive of the manifest", d.Hive)
		}
	}
}

// compareWithPeers returns the categories of difference found, each with an
// example.
func compareWithPeers(got *scanned, rk, rv int, rerr error, hx []peerKey, herr error) map[string]string {
	diffs := map[string]string{}
	add := func(cat, format string, args ...any) {
		if _, ok := diffs[cat]; !ok {
			diffs[cat] = fmt.Sprintf(format, args...)
		}
	}
	if rerr != nil {
		add("reglookup-fails", "%v", rerr)
	}
	if rk != got.NumKeys {
		add("reglookup-keys", "reglookup %d keys, hivescan %d", rk, got.NumKeys)
	}
	if rv != got.NumValues {
		add("reglookup-values", "reglookup %d values, hivescan %d", rv, got.NumValues)
	}
	if herr != nil {
		add("hivexml-fails", "%v", herr)
	}
	// Keys are matched by path; a path may occur more than once (duplicate
	// names), then occurrences are matched in order.
	byPath := map[string][]peerKey{}
	for _, k := range hx {
		byPath[k.Path] = append(byPath[k.Path], k)
	}
	for _, k := range got.Keys {
		list := byPath[k.Path]
		if len(list) == 0 {
			add("key-only-hivescan", "%q", k.Path)
			continue
		}
		want := list[0]
		byPath[k.Path] = list[1:]
		compareValues(k, want, add)
	}
	for p, list := range byPath {
		if len(list) > 0 {
			add("key-only-hivexml", "%q", p)
		}
	}
	return diffs
}

func compareValues(got, want peerKey, add func(cat, format string, args ...any)) {
	wv := map[string][]peerValue{}
	for _, v := range want.Values {
		wv[v.Name] = append(wv[v.Name], v)
	}
	for _, v := range got.Values {
		list := wv[v.Name]
		if len(list) == 0 {
			add("value-only-hivescan", "%s value %q (%s)", got.Path, v.Name, v.Type)
			continue
		}
		w := list[0]
		wv[v.Name] = list[1:]
		if w.Type != v.Type {
			add("type:"+v.Type+"/"+w.Type, "%s value %q: hivescan %s, hivexml %s", got.Path, v.Name, v.Type, w.Type)
			continue
		}
		switch {
		case w.Data == v.Data:
		case v.badSize:
			add("int-wrong-size", "%s value %q: hivescan %q, hivexml %q", got.Path, v.Name, clip(v.Data), clip(w.Data))
		case v.eightBit:
			add("string-8bit", "%s value %q: hivescan %q, hivexml %q", got.Path, v.Name, clip(v.Data), clip(w.Data))
		case v.Type == "string-list" && v.Data == dropEmpty(w.Data):
			add("multi-sz-empty-strings", "%s value %q: hivescan %q, hivexml %q", got.Path, v.Name, clip(v.Data), clip(w.Data))
		default:
			add("data:"+v.Type, "%s value %q: hivescan %q, hivexml %q", got.Path, v.Name, clip(v.Data), clip(w.Data))
		}
	}
	for n, list := range wv {
		if len(list) > 0 {
			add("value-only-hivexml", "%s value %q", got.Path, n)
		}
	}
}

// dropEmpty removes the empty strings of a "\x00"-joined list.
func dropEmpty(s string) string {
	var out []string
	for _, x := range strings.Split(s, "\x00") {
		if x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, "\x00")
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
