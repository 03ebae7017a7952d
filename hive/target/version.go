package target

import (
	"encoding/binary"

	"github.com/hivescan/hivescan/internal/wintext"
)

// maxVersionNodes bounds the nodes visited in one version resource.
const maxVersionNodes = 512

// versionStrings reads the String entries of the StringFileInfo tables of
// a VS_VERSIONINFO blob. The first table that gives a key wins. Damaged
// nodes end the walk; what was read before is kept.
func versionStrings(b []byte) map[string]string {
	out := map[string]string{}
	budget := maxVersionNodes
	walkVersion(b, 0, &budget, out, "")
	return out
}

// walkVersion reads the node at the start of b (wLength, wValueLength,
// wType, szKey, padding, value, padding, children) and its children.
func walkVersion(b []byte, depth int, budget *int, out map[string]string, parent string) {
	if depth > 3 || len(b) < 6 || *budget <= 0 {
		return
	}
	*budget--
	length := int(binary.LittleEndian.Uint16(b))
	valueLen := int(binary.LittleEndian.Uint16(b[2:]))
	typ := binary.LittleEndian.Uint16(b[4:])
	if length < 6 || length > len(b) {
		return
	}
	b = b[:length]
	key, n := utf16z(b[6:])
	pos := align4(6 + n)
	if depth == 3 && parent == "string" {
		// A String: the value is valueLen UTF-16 units (text type) of which
		// the last is usually the terminator.
		if typ == 1 && pos < len(b) {
			v, _ := utf16z(b[pos:min(len(b), pos+valueLen*2)])
			if _, ok := out[key]; !ok && key != "" {
				out[key] = v
			}
		}
		return
	}
	vbytes := valueLen
	if typ == 1 {
		vbytes *= 2
	}
	pos = align4(pos + vbytes)
	kind := ""
	switch {
	case depth == 0:
		kind = "root"
	case depth == 1 && key == "StringFileInfo":
		kind = "table"
	case depth == 2 && parent == "table":
		kind = "string"
	default:
		return // VarFileInfo and anything unknown
	}
	for pos+6 <= len(b) && *budget > 0 {
		cl := int(binary.LittleEndian.Uint16(b[pos:]))
		if cl < 6 || pos+cl > len(b) {
			return
		}
		walkVersion(b[pos:pos+cl], depth+1, budget, out, kind)
		pos = align4(pos + cl)
	}
}

// utf16z decodes a NUL-terminated UTF-16LE string at the start of b and
// returns it with the bytes consumed (terminator included).
func utf16z(b []byte) (string, int) { return wintext.CutUTF16Z(b) }

func align4(n int) int { return (n + 3) &^ 3 }
