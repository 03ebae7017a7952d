package ewf

import (
	"bytes"
	"compress/zlib"
	"io"
	"strings"

	"github.com/hivescan/hivescan/internal/wintext"
)

// parseHeader decodes a header (ASCII) or header2 (UTF-16LE) section into
// r.Header. Damaged headers are ignored: they do not affect the media.
func (r *Reader) parseHeader(s *segment, off, n int64, wide bool) {
	if n <= 0 || n > maxHeaderText {
		return
	}
	buf := make([]byte, n)
	if r.readFull(s, buf, off) != nil {
		return
	}
	zr, err := zlib.NewReader(bytes.NewReader(buf))
	if err != nil {
		return
	}
	text, err := io.ReadAll(io.LimitReader(zr, maxHeaderText))
	if err != nil {
		return
	}
	var str string
	if wide {
		text = bytes.TrimPrefix(text, []byte{0xff, 0xfe})
		str = wintext.UTF16(text)
	} else {
		str = string(text)
	}
	lines := strings.Split(strings.ReplaceAll(str, "\r\n", "\n"), "\n")
	if len(lines) < 4 {
		return
	}
	keys := strings.Split(lines[2], "\t")
	vals := strings.Split(lines[3], "\t")
	h := Header{Fields: make(map[string]string, len(keys))}
	for i, k := range keys {
		if i < len(vals) {
			h.Fields[k] = vals[i]
		}
	}
	h.CaseNumber = h.Fields["c"]
	h.EvidenceNumber = h.Fields["n"]
	h.Description = h.Fields["a"]
	h.Examiner = h.Fields["e"]
	h.Notes = h.Fields["t"]
	h.Software = h.Fields["av"]
	h.OS = h.Fields["ov"]
	h.AcquisitionDate = h.Fields["m"]
	h.SystemDate = h.Fields["u"]
	r.Header = h
}
