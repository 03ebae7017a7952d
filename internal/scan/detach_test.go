package scan

import (
	"testing"

	"github.com/hivescan/hivescan/report"
)

// Binary finding data is copied out of the hive's bytes (a mapping about to
// be released); other data is left as it is.
func TestDetach(t *testing.T) {
	hiveBytes := []byte{1, 2, 3, 4}
	fs := []report.Finding{{Data: hiveBytes[1:3]}, {Data: "text"}, {Data: []string{"a"}}, {Data: uint64(7)}, {}}
	detach(fs)
	hiveBytes[1], hiveBytes[2] = 0, 0
	if b, ok := fs[0].Data.([]byte); !ok || len(b) != 2 || b[0] != 2 || b[1] != 3 {
		t.Errorf("binary data follows the hive's bytes: %v", fs[0].Data)
	}
	if fs[1].Data != "text" || fs[2].Data.([]string)[0] != "a" || fs[3].Data != uint64(7) || fs[4].Data != nil {
		t.Errorf("other data changed: %+v", fs[1:])
	}
}
