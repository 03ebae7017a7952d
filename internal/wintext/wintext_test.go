package wintext

import (
	"math"
	"testing"
	"time"
	"unicode/utf8"
)

func le(units ...uint16) []byte {
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func TestUTF16(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     []byte
		all, z string
		cutN   int
	}{
		{"empty", nil, "", "", 0},
		{"ascii", le('a', 'b'), "ab", "ab", 4},
		{"odd length drops the last byte", append(le('a', 'b'), 'c'), "ab", "ab", 4},
		{"one byte", []byte{'a'}, "", "", 0},
		{"terminated", le('a', 0), "a\x00", "a", 4},
		{"embedded NUL", le('a', 0, 'b', 0), "a\x00b\x00", "a", 4},
		{"leading NUL", le(0, 'b'), "\x00b", "", 2},
		{"non-ASCII", le(0x41f, 0x440, 0), "Пр\x00", "Пр", 6},
		{"Latin-1 range", le(0xe9), "é", "é", 2},
		{"surrogate pair", le(0xd83d, 0xde00), "😀", "😀", 4},
		{"unpaired high surrogate", le(0xd83d, 'x'), "\ufffdx", "\ufffdx", 4},
		{"unpaired low surrogate", le(0xde00), "\ufffd", "\ufffd", 2},
		{"high surrogate at the end", le('a', 0xd83d), "a\ufffd", "a\ufffd", 4},
		{"high surrogate before NUL", le(0xd83d, 0, 'b'), "\ufffd\x00b", "\ufffd", 4},
		{"U+FFFF", le(0xffff), "\uffff", "\uffff", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := UTF16(tc.in); got != tc.all {
				t.Errorf("UTF16 = %q, want %q", got, tc.all)
			}
			if got := UTF16Z(tc.in); got != tc.z {
				t.Errorf("UTF16Z = %q, want %q", got, tc.z)
			}
			got, n := CutUTF16Z(tc.in)
			if got != tc.z || n != tc.cutN {
				t.Errorf("CutUTF16Z = %q, %d, want %q, %d", got, n, tc.z, tc.cutN)
			}
			if got := UnitsString(Units(tc.in)); got != tc.all {
				t.Errorf("UnitsString(Units) = %q, want %q", got, tc.all)
			}
			// Big-endian: the same units with their bytes swapped.
			be := make([]byte, len(tc.in))
			for i := 0; i+1 < len(tc.in); i += 2 {
				be[i], be[i+1] = tc.in[i+1], tc.in[i]
			}
			if len(tc.in)%2 == 1 {
				be[len(be)-1] = tc.in[len(tc.in)-1]
			}
			if got := UTF16BEZ(be); got != tc.z {
				t.Errorf("UTF16BEZ = %q, want %q", got, tc.z)
			}
		})
	}
}

func FuzzUTF16(f *testing.F) {
	f.Add(le('a', 0xd83d, 0, 0xde00))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, s := range []string{UTF16(b), UTF16Z(b), UTF16BEZ(b)} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 %q from % x", s, b)
			}
		}
		s, n := CutUTF16Z(b)
		if n > len(b) || n%2 != 0 || s != UTF16Z(b) {
			t.Fatalf("CutUTF16Z(% x) = %q, %d", b, s, n)
		}
	})
}

func TestFiletime(t *testing.T) {
	for _, tc := range []struct {
		name string
		ft   uint64
		want time.Time
	}{
		{"zero is no time", 0, time.Time{}},
		{"one tick after 1601", 1, time.Date(1601, 1, 1, 0, 0, 0, 100, time.UTC)},
		{"1969, one tick before the Unix epoch", filetimeEpoch - 1, time.Date(1969, 12, 31, 23, 59, 59, 999999900, time.UTC)},
		{"1900", 94354848000000000, time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"1969 with a fraction", filetimeEpoch - 10_000_000*86400 + 1234567, time.Date(1969, 12, 31, 0, 0, 0, 123456700, time.UTC)},
		{"Unix epoch", filetimeEpoch, time.Unix(0, 0).UTC()},
		{"2024 with 100 ns", 133486382451234567, time.Date(2024, 1, 2, 3, 4, 5, 123456700, time.UTC)},
		{"max int64", math.MaxInt64, time.Date(30828, 9, 14, 2, 48, 5, 477580700, time.UTC)},
		{"max uint64", math.MaxUint64, time.Date(60056, 5, 28, 5, 36, 10, 955161500, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Filetime(tc.ft)
			if !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("Filetime(%d) = %v (%v), want %v", tc.ft, got, got.Location(), tc.want)
			}
			if tc.ft != 0 && tc.ft <= math.MaxInt64 {
				if back := ToFiletime(got); back != tc.ft {
					t.Errorf("ToFiletime(Filetime(%d)) = %d", tc.ft, back)
				}
			}
		})
	}
}

func TestToFiletime(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    time.Time
		want uint64
	}{
		{"zero Time", time.Time{}, 0},
		{"before 1601", time.Date(1600, 12, 31, 0, 0, 0, 0, time.UTC), 0},
		{"1601", time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{"sub-100 ns truncated", time.Date(1970, 1, 1, 0, 0, 0, 199, time.UTC), filetimeEpoch + 1},
		{"other zone", time.Date(1970, 1, 1, 1, 0, 0, 0, time.FixedZone("x", 3600)), filetimeEpoch},
	} {
		if got := ToFiletime(tc.t); got != tc.want {
			t.Errorf("%s: ToFiletime(%v) = %d, want %d", tc.name, tc.t, got, tc.want)
		}
	}
}
