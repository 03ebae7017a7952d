package dump

import (
	"bufio"
	"strconv"
	"unicode/utf8"

	"github.com/hivescan/hivescan/hive"
)

// jsonWriter writes one JSON object per line:
//
//	{"type":"key","path":"\\A","last_write":"...","subkeys":3,"values":2}
//	{"type":"value","path":"\\A","name":"N","reg_type":"REG_SZ","size":42,"data":"..."}
//	{"type":"error","path":"\\A","error":"..."}
//
// data is a string for REG_SZ, REG_EXPAND_SZ and REG_LINK, an array of
// strings for REG_MULTI_SZ, a number for REG_DWORD, REG_DWORD_BIG_ENDIAN and
// REG_QWORD, lowercase hex otherwise.
type jsonWriter struct {
	w   *bufio.Writer
	buf []byte
}

var _ recordWriter = (*jsonWriter)(nil)

func (j *jsonWriter) key(k *hive.Key) error {
	b := append(j.buf[:0], `{"type":"key","path":`...)
	b = appendJSONString(b, k.Path())
	b = append(b, `,"last_write":"`...)
	b = appendTime(b, k.LastWrite())
	b = append(b, `","subkeys":`...)
	b = strconv.AppendInt(b, int64(k.NumSubkeys()), 10)
	b = append(b, `,"values":`...)
	b = strconv.AppendInt(b, int64(k.NumValues()), 10)
	b = append(b, "}\n"...)
	j.buf = b
	_, err := j.w.Write(b)
	return err
}

func (j *jsonWriter) value(path string, v *hive.Value, data any, _ error) error {
	b := append(j.buf[:0], `{"type":"value","path":`...)
	b = appendJSONString(b, path)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, v.Name())
	b = append(b, `,"reg_type":`...)
	b = appendJSONString(b, v.Type().String())
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, int64(v.Size()), 10)
	b = append(b, `,"data":`...)
	switch d := data.(type) {
	case string:
		b = appendJSONString(b, d)
	case []string:
		b = append(b, '[')
		for i, s := range d {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		b = append(b, ']')
	case uint64:
		b = strconv.AppendUint(b, d, 10)
	case []byte:
		b = append(b, '"')
		b = appendHex(b, d)
		b = append(b, '"')
	default:
		b = append(b, "null"...)
	}
	b = append(b, "}\n"...)
	j.buf = b
	_, err := j.w.Write(b)
	return err
}

func (j *jsonWriter) walkError(path string, err error) error {
	b := append(j.buf[:0], `{"type":"error","path":`...)
	b = appendJSONString(b, path)
	b = append(b, `,"error":`...)
	b = appendJSONString(b, err.Error())
	b = append(b, "}\n"...)
	j.buf = b
	_, werr := j.w.Write(b)
	return werr
}

// appendJSONString appends s as a JSON string, as encoding/json would
// (HTML characters left as they are); invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&15])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
