package ewf

import (
	"fmt"
	"path/filepath"
)

// maxSegmentNumber is the last segment name the EWF naming scheme allows
// (.E99 is followed by .EAA ... .ZZZ).
const maxSegmentNumber = 99 + ('Z'-'E'+1)*26*26

// SegmentName returns the name of segment n (1-based) of the image whose
// first segment is first: .E01 ... .E99, .EAA ... .EZZ, .FAA ..., keeping
// the first segment's letter case. ok is false when first has no EWF
// segment extension or n is out of range.
func SegmentName(first string, n int) (name string, ok bool) {
	ext := filepath.Ext(first)
	if len(ext) != 4 || n < 1 || n > maxSegmentNumber {
		return "", false
	}
	c := ext[1]
	lower := c >= 'a' && c <= 'z'
	if !lower && (c < 'A' || c > 'Z') {
		return "", false
	}
	stem := first[:len(first)-3]
	if n <= 99 {
		return fmt.Sprintf("%s%c%02d", stem, c, n), true
	}
	k := n - 100
	a := byte('A')
	if lower {
		a = 'a'
	}
	first3 := c + byte(k/(26*26))
	if first3 > a+25 {
		return "", false
	}
	return fmt.Sprintf("%s%c%c%c", stem, first3, a+byte(k/26%26), a+byte(k%26)), true
}
