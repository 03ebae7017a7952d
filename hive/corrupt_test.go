package hive_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/internal/corpus"
)

// Each test below states what hivescan does with one damaged or unusual
// hive of the corpus.

const yarp = "msuhanov__yarp/hives_for_tests/"

func openCorpus(t *testing.T, staged string) *hive.Hive {
	t.Helper()
	h, err := hive.Open(corpus.Path(t, staged))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return h
}

// walkStats walks the whole hive and counts keys, values and errors; every
// error must carry a file offset.
type walkStats struct {
	Keys, Values int
	Errs         []error
}

func walkCount(t *testing.T, h *hive.Hive) walkStats {
	t.Helper()
	var s walkStats
	err := h.Walk(context.Background(), `\`, func(k *hive.Key, err error) error {
		if err != nil {
			s.Errs = append(s.Errs, err)
			return nil
		}
		s.Keys++
		vals, err := k.Values()
		if err != nil {
			s.Errs = append(s.Errs, err)
		}
		s.Values += len(vals)
		for _, v := range vals {
			if _, err := v.Bytes(); err != nil {
				s.Errs = append(s.Errs, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return s
}

func requireOffsets(t *testing.T, errs []error) {
	t.Helper()
	for _, err := range errs {
		var fe *hive.FormatError
		var ce *hive.CycleError
		if !errors.As(err, &fe) && !errors.As(err, &ce) {
			t.Errorf("error without a FormatError or CycleError: %v", err)
		}
	}
}

func TestBadBaseBlockHive(t *testing.T) {
	// Checksum wrong and sequence numbers differing: hivescan says so in
	// Header and reads the hive anyway (hivex refuses it).
	h := openCorpus(t, yarp+"BadBaseBlockHive/BadBaseBlockHive")
	if h.Header.ChecksumOK() || !h.Header.Dirty() {
		t.Errorf("ChecksumOK %v Dirty %v, want false true", h.Header.ChecksumOK(), h.Header.Dirty())
	}
	if s := walkCount(t, h); s.Keys != 5003 || len(s.Errs) != 0 {
		t.Errorf("keys %d errors %v, want 5003 and none", s.Keys, s.Errs)
	}
}

func TestBadListAndBadSubkeyHive(t *testing.T) {
	// \3's subkey list names the nk of \2\subkey: hivescan visits that cell
	// once and reports the second reference as ErrCycle at \3.
	for _, name := range []string{"BadListHive", "BadSubkeyHive"} {
		t.Run(name, func(t *testing.T) {
			s := walkCount(t, openCorpus(t, yarp+name))
			if s.Keys != 6 || len(s.Errs) != 1 || !errors.Is(s.Errs[0], hive.ErrCycle) {
				t.Fatalf("keys %d errors %v, want 6 keys and one ErrCycle", s.Keys, s.Errs)
			}
			var ce *hive.CycleError
			if errors.As(s.Errs[0], &ce); ce.Path != `\3` {
				t.Errorf("cycle reported at %q, want \\3", ce.Path)
			}
		})
	}
}

func TestBadLogHives(t *testing.T) {
	// The primaries next to damaged logs are dirty but whole: hivescan reads
	// them as they are (log replay is hive/txlog's job).
	for _, name := range []string{"BadLogHive1/BadLogHive", "BadLogHive2/BadLogHive", "BadLogHive3/BadLogHive"} {
		t.Run(name, func(t *testing.T) {
			h := openCorpus(t, yarp+name)
			if !h.Header.Dirty() {
				t.Error("not dirty")
			}
			if s := walkCount(t, h); s.Keys < 3 || len(s.Errs) != 0 {
				t.Errorf("keys %d errors %v", s.Keys, s.Errs)
			}
		})
	}
}

func TestTruncatedHives(t *testing.T) {
	// 12 KiB of a 476 KiB hive: Truncated is set, the root and
	// key_with_many_subkeys are read, the missing leaves are one error (with
	// the offsets) on that key; no panic.
	for _, name := range []string{"TruncatedHive", "TruncatedDirtyHive"} {
		t.Run(name, func(t *testing.T) {
			h := openCorpus(t, yarp+name)
			if !h.Truncated {
				t.Error("Truncated not set")
			}
			s := walkCount(t, h)
			if s.Keys != 2 || len(s.Errs) != 1 || !strings.Contains(s.Errs[0].Error(), "outside the hive bins") {
				t.Errorf("keys %d errors %v", s.Keys, s.Errs)
			}
			requireOffsets(t, s.Errs)
		})
	}
	t.Run("TruncatedHiveBin", func(t *testing.T) {
		// A lone 1 KiB piece of a hive bin, no base block: not a hive.
		_, err := hive.Open(corpus.Path(t, yarp+"TruncatedHiveBin"))
		if !errors.Is(err, hive.ErrNotHive) {
			t.Errorf("Open = %v, want ErrNotHive", err)
		}
	})
	t.Run("TruncatedNameHive", func(t *testing.T) {
		// The only subkey declares a name longer than its cell: hivescan
		// keeps the key with the part of the name inside its cell and
		// reports the cut (with its offset); nothing past the cell is read.
		h := openCorpus(t, yarp+"TruncatedNameHive")
		s := walkCount(t, h)
		if s.Keys != 2 || len(s.Errs) != 1 || !strings.Contains(s.Errs[0].Error(), "runs past its cell") {
			t.Errorf("keys %d errors %v", s.Keys, s.Errs)
		}
		requireOffsets(t, s.Errs)
		root, err := h.Root()
		if err != nil {
			t.Fatal(err)
		}
		subs, _ := root.Subkeys()
		if len(subs) != 1 || !strings.HasPrefix(subs[0].Name(), "longname") {
			t.Errorf("subkeys %v", subs)
		}
	})
}

func subkeyNames(t *testing.T, h *hive.Hive, path string) []string {
	t.Helper()
	subs, err := mustKey(t, h, path).Subkeys()
	if err != nil {
		t.Fatalf("Subkeys(%q): %v", path, err)
	}
	var out []string
	for _, s := range subs {
		out = append(out, s.Name())
	}
	return out
}

func TestBogusKeyNamesHive(t *testing.T) {
	// Names holding CR LF and NUL are kept whole (hivex cuts at the NUL).
	h := openCorpus(t, yarp+"BogusKeyNamesHive")
	if diff := cmp.Diff([]string{"testnew\r\nne", "testnu\x00l"}, subkeyNames(t, h, `\`)); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if k := mustKey(t, h, "TESTNU\x00L"); k.Path() != "\\testnu\x00l" {
		t.Errorf("lookup by a name with NUL: %q", k.Path())
	}
}

func TestManySubkeysHive(t *testing.T) {
	h := openCorpus(t, yarp+"ManySubkeysHive")
	names := subkeyNames(t, h, "key_with_many_subkeys")
	if len(names) != 5000 {
		t.Fatalf("%d subkeys, want 5000", len(names))
	}
	if _, err := h.Key(`key_with_many_subkeys\4999`); err != nil {
		t.Error(err)
	}
}

func TestBigDataHive(t *testing.T) {
	// Values over 16,344 bytes are stored as db segments; hivescan joins
	// them to the declared size.
	h := openCorpus(t, yarp+"BigDataHive")
	vals, err := mustKey(t, h, "key_with_bigdata").Values()
	if err != nil || len(vals) != 2 {
		t.Fatalf("values %d, %v", len(vals), err)
	}
	for _, v := range vals {
		b, err := v.Bytes()
		if err != nil || len(b) != v.Size() || v.Size() <= 16344 {
			t.Errorf("%q: %d bytes of %d, %v", v.Name(), len(b), v.Size(), err)
		}
	}
}

func TestUnicodeHive(t *testing.T) {
	h := openCorpus(t, yarp+"UnicodeHive")
	if k := mustKey(t, h, `привет\КЛЮЧ`); k.Path() != `\Привет\Ключ` {
		t.Errorf("Path = %q", k.Path())
	}
}

func TestGarbageHive(t *testing.T) {
	// Trailing bytes after the last bin and a wrong checksum: read as an
	// empty hive, checksum flagged.
	h := openCorpus(t, yarp+"GarbageHive")
	if h.Header.ChecksumOK() {
		t.Error("ChecksumOK on a bad checksum")
	}
	if s := walkCount(t, h); s.Keys != 1 || len(s.Errs) != 0 {
		t.Errorf("keys %d errors %v", s.Keys, s.Errs)
	}
}

func TestCorruptedSystemHive(t *testing.T) {
	// Both peers refuse it. hivescan reads every key it can reach (1,687)
	// and reports each damaged cell with its offset; the hive is still
	// recognised as SYSTEM.
	h := openCorpus(t, "mkorman90__regipy/regipy_tests/data/corrupted_system_hive")
	if h.Kind() != hive.KindSystem {
		t.Errorf("Kind = %v", h.Kind())
	}
	s := walkCount(t, h)
	if s.Keys != 1687 || s.Values != 5625 || len(s.Errs) == 0 {
		t.Errorf("keys %d values %d errors %d, want 1687 5625 and some", s.Keys, s.Values, len(s.Errs))
	}
	requireOffsets(t, s.Errs)
}

func TestSAMBadHBinHeader(t *testing.T) {
	// A zeroed hbin signature: hivescan reads cells by offset and does not
	// need hbin headers, so the SAM is read whole.
	h := openCorpus(t, "EricZimmerman__Registry/Registry.Test/Hives/SAMBadHBinHeader")
	if h.Kind() != hive.KindSAM {
		t.Errorf("Kind = %v", h.Kind())
	}
	if s := walkCount(t, h); s.Keys != 68 || s.Values != 73 || len(s.Errs) != 0 {
		t.Errorf("keys %d values %d errors %v", s.Keys, s.Values, s.Errs)
	}
}

func TestNotAHive(t *testing.T) {
	if _, err := hive.Open(corpus.Path(t, "EricZimmerman__Registry/Registry.Test/Hives/NotAHive")); !errors.Is(err, hive.ErrNotHive) {
		t.Errorf("Open = %v, want ErrNotHive", err)
	}
}

func TestSECURITYNoRoot(t *testing.T) {
	// Named SECURITY but holding Internet Explorer/Software: the kind comes
	// from content, so it is not SECURITY.
	h := openCorpus(t, "EricZimmerman__Registry/Registry.Test/Hives/SECURITYNoRoot")
	if h.Kind() == hive.KindSecurity {
		t.Error("Kind = SECURITY from the file name")
	}
	if diff := cmp.Diff([]string{"Internet Explorer", "Software"}, subkeyNames(t, h, `\`)); diff != "" {
		t.Errorf("root subkeys (-want +got):\n%s", diff)
	}
}

func TestCorruptSubKeyList(t *testing.T) {
	// One of the root's 100 subkey-list entries points at a zeroed cell:
	// hivescan returns the 99 others and one error at that offset.
	h := openCorpus(t, "log2timeline__plaso/test_data/regf/corrupt_sub_key_list.hiv")
	root, err := h.Root()
	if err != nil {
		t.Fatal(err)
	}
	subs, err := root.Subkeys()
	var fe *hive.FormatError
	if len(subs) != 99 || !errors.As(err, &fe) || fe.Offset != 0x5480 {
		t.Errorf("subkeys %d, error %v; want 99 and a FormatError at 0x5480", len(subs), err)
	}
}
