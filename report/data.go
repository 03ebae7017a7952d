package report

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// normalizeData returns d as every format writes it: binary data ([]byte)
// becomes a lower-case hex string; other values are returned unchanged.
func normalizeData(d any) any {
	if b, ok := d.([]byte); ok {
		return hex.EncodeToString(b)
	}
	return d
}

// dataStrings renders Finding.Data as text, one string per element of a
// []string (REG_MULTI_SZ) and a single string otherwise. nil gives no strings.
func dataStrings(d any) []string {
	switch v := normalizeData(d).(type) {
	case nil:
		return nil
	case string:
		return []string{v}
	case []string:
		return v
	case []any:
		out := make([]string, len(v))
		for i, e := range v {
			out[i] = strings.Join(dataStrings(e), ";")
		}
		return out
	case float64:
		return []string{strconv.FormatFloat(v, 'f', -1, 64)}
	case float32:
		return []string{strconv.FormatFloat(float64(v), 'f', -1, 32)}
	default:
		return []string{fmt.Sprint(v)}
	}
}
