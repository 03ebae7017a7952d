package dump

import (
	"bufio"
	"strconv"
	"strings"
	"unicode"

	"github.com/hivescan/hivescan/hive"
)

// textWriter writes a readable listing:
//
//	[\ControlSet001\Control] 2019-06-01T10:20:30.1234567Z
//	  SystemStartOptions (REG_SZ) = " NOEXECUTE=OPTIN"
//	  ! error: ...
//
// Strings are quoted with control and non-printable characters escaped;
// MULTI_SZ is a bracketed list of quoted strings; integers are decimal
// with their hex; other data is lowercase hex. The default value's name
// is shown as (default).
type textWriter struct {
	w *bufio.Writer
}

var _ recordWriter = (*textWriter)(nil)

func (t *textWriter) key(k *hive.Key) error {
	t.w.WriteByte('[')
	t.w.WriteString(escape(k.Path()))
	t.w.WriteString("] ")
	t.w.Write(appendTime(nil, k.LastWrite()))
	_, err := t.w.WriteString("\n")
	return err
}

func (t *textWriter) value(path string, v *hive.Value, data any, _ error) error {
	name := v.Name()
	t.w.WriteString("  ")
	if name == "" {
		t.w.WriteString("(default)")
	} else {
		t.w.WriteString(escape(name))
	}
	t.w.WriteString(" (")
	t.w.WriteString(v.Type().String())
	t.w.WriteString(") = ")
	switch d := data.(type) {
	case string:
		t.w.WriteString(strconv.Quote(d))
	case []string:
		t.w.WriteByte('[')
		for i, s := range d {
			if i > 0 {
				t.w.WriteString(", ")
			}
			t.w.WriteString(strconv.Quote(s))
		}
		t.w.WriteByte(']')
	case uint64:
		t.w.WriteString(strconv.FormatUint(d, 10))
		t.w.WriteString(" (0x")
		t.w.WriteString(strconv.FormatUint(d, 16))
		t.w.WriteByte(')')
	case []byte:
		t.w.Write(appendHex(nil, d))
	}
	_, err := t.w.WriteString("\n")
	return err
}

func (t *textWriter) walkError(path string, err error) error {
	t.w.WriteString("  ! error at ")
	t.w.WriteString(escape(path))
	t.w.WriteString(": ")
	t.w.WriteString(escape(err.Error()))
	_, werr := t.w.WriteString("\n")
	return werr
}

// escape writes control and non-printable characters of a name as \xNN or
// \uNNNN so that one record stays on one line and cannot drive the
// terminal; everything else, backslashes included, is left as it is.
func escape(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsPrint(r) || r == ' ':
			b.WriteRune(r)
		case r < 0x100:
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[r>>4])
			b.WriteByte(hexDigits[r&15])
		default:
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		}
	}
	return b.String()
}
