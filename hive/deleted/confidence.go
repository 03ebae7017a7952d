package deleted

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/hivescan/hivescan/internal/wintext"
)

// Confidence says how much of a recovered record survived.
type Confidence string

const (
	// Intact: the record and its data read as Windows wrote them.
	Intact Confidence = "intact"
	// Partial: part of the record was overwritten; what Data holds is the
	// surviving part (for a string, from the first character that was not
	// overwritten), and Damage says what was lost.
	Partial Confidence = "partial"
	// Fragment: the record is a remnant: its data is cut, lies in a cell
	// another record now uses, or does not decode; only its name can be
	// trusted.
	Fragment Confidence = "fragment"
)

// Worse returns the lower of two confidences.
func (c Confidence) Worse(o Confidence) Confidence {
	rank := map[Confidence]int{Intact: 0, "": 0, Partial: 1, Fragment: 2}
	if rank[o] > rank[c] {
		return o
	}
	if c == "" {
		return Intact
	}
	return c
}

const (
	regSZ       = 1
	regExpandSZ = 2
	regMultiSZ  = 7
)

// judgeString checks string data (REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ) of
// a recovered value. A string whose first code units are not text (NULs,
// control characters, non-characters, lone surrogates) followed by text was
// overwritten at its start: Windows reuses the first bytes of a freed cell
// (the free-list link of NT 4 to 2000, a new cell's header after a split),
// so the string is returned from its first surviving character. An odd
// number of '%' with text before the first one means an environment
// variable reference lost its opening: decoding starts mid-string.
// Damage inside the string makes it a fragment.
func judgeString(typ uint32, data []byte) (kept []byte, c Confidence, damage []string) {
	if typ != regSZ && typ != regExpandSZ && typ != regMultiSZ || len(data) < 2 {
		return data, Intact, nil
	}
	u := wintext.Units(data)
	end := len(u)
	for end > 0 && u[end-1] == 0 {
		end-- // terminators
	}
	if end == 0 {
		return data, Intact, nil
	}
	start := 0
	for start < end && !textUnit(u, start) {
		start++
	}
	c = Intact
	if start > 0 {
		if start == end {
			return data, Fragment, []string{"the string data holds no text (overwritten)"}
		}
		c = Partial
		damage = append(damage, fmt.Sprintf("its first %d bytes were overwritten when the cell was reused; the data is read from the first surviving character", 2*start))
	}
	bad := 0
	for i := start; i < end; i++ {
		if !textUnit(u, i) && !(typ == regMultiSZ && u[i] == 0) {
			bad++
		}
	}
	if bad > 0 {
		c = Fragment
		damage = append(damage, fmt.Sprintf("%d code units inside the string are not text (invalid UTF-16 or overwritten bytes)", bad))
	}
	if start == 0 && typ != regMultiSZ && cutReference(wintext.UnitsString(u[:end])) {
		c = c.Worse(Partial)
		damage = append(damage, "it begins inside an environment variable reference (an odd number of '%'): decoding starts mid-string, its start was overwritten")
	}
	return data[2*start:], c, damage
}

// textUnit reports whether code unit i of u is part of readable text.
func textUnit(u []uint16, i int) bool {
	c := u[i]
	switch {
	case c >= 0xD800 && c < 0xDC00:
		return i+1 < len(u) && u[i+1] >= 0xDC00 && u[i+1] < 0xE000
	case c >= 0xDC00 && c < 0xE000:
		return i > 0 && u[i-1] >= 0xD800 && u[i-1] < 0xDC00
	case c == 0xFFFE || c == 0xFFFF || c == 0xFFFD:
		return false
	case c == '\t' || c == '\r' || c == '\n':
		return true
	}
	return unicode.IsPrint(rune(c)) || unicode.IsSpace(rune(c))
}

// cutReference reports whether s starts inside a %VAR% reference: its
// first '%' closes a name that begins at the start of s.
func cutReference(s string) bool {
	if strings.Count(s, "%")%2 == 0 {
		return false
	}
	i := strings.IndexByte(s, '%')
	if i <= 0 {
		return false
	}
	for _, r := range s[:i] {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '(' || r == ')') {
			return false
		}
	}
	return true
}
