package winpath

import (
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

// tinyPE returns the first bytes of a PE image: a DOS header whose e_lfanew
// points at "PE\0\0".
func tinyPE() []byte {
	b := make([]byte, 0x80)
	copy(b, "MZ\x90\x00")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x40)
	copy(b[0x40:], "PE\x00\x00")
	return b
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return b
}

func ruleIDs(rs []Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Rule)
	}
	return out
}

func TestScanData(t *testing.T) {
	pe := tinyPE()
	b64 := base64.StdEncoding.EncodeToString(append(pe, []byte(strings.Repeat("payload!", 20))...))
	notPE := append([]byte("MZ"), make([]byte, 0x100)...) // MZ without a PE signature
	tests := []struct {
		name string
		in   []byte
		want []string
	}{
		{"pe", pe, []string{"payload.pe"}},
		{"embedded pe", append([]byte("junk-before-"), pe...), []string{"payload.pe"}},
		{"base64 pe", []byte(b64), []string{"payload.pe-base64"}},
		{"base64 pe in REG_SZ", utf16le(b64 + "\x00"), []string{"payload.pe-base64"}},
		{"hex pe", []byte("4D5A90000300000004000000FFFF0000"), []string{"payload.pe-hex"}},
		{"base64 blob", []byte(strings.Repeat("SGVsbG8sIFdvcmxkIQ", 8)), []string{"encoded.blob"}},
		{"mz without pe", notPE, nil},
		{"plain text", utf16le(`C:\Program Files\App\app.exe`), nil},
		{"hex digest", []byte(strings.Repeat("0123456789abcdef", 8)), nil},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ruleIDs(ScanData(tt.in))); diff != "" {
			t.Errorf("ScanData(%s) (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestScanDataBounded(t *testing.T) {
	// Many "MZ" candidates with an e_lfanew pointing past the end.
	b := []byte(strings.Repeat("MZ\xff\xff", 1<<20))
	if rs := ScanData(b); len(rs) != 0 {
		t.Errorf("ScanData found %v", ruleIDs(rs))
	}
}
