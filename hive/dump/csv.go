package dump

import (
	"bufio"
	"encoding/csv"
	"strconv"
	"strings"

	"github.com/hivescan/hivescan/hive"
)

// csvHeader is the fixed header row. Key rows leave name, reg_type, size and
// data empty; value rows leave last_write, subkeys and values empty; error
// rows put the message in data.
var csvHeader = []string{"type", "path", "last_write", "subkeys", "values", "name", "reg_type", "size", "data"}

// csvWriter writes RFC 4180 CSV. Cells that a spreadsheet would run as a
// formula (starting with =, +, -, @, tab or CR) get a leading '. MULTI_SZ
// data is joined with "\n"; binary data is lowercase hex.
type csvWriter struct {
	w   *bufio.Writer
	c   *csv.Writer
	row [9]string
}

var _ recordWriter = (*csvWriter)(nil)

func (c *csvWriter) header() error {
	c.c = csv.NewWriter(c.w)
	return c.c.Write(csvHeader)
}

func (c *csvWriter) write() error {
	for i, s := range c.row {
		c.row[i] = neutralise(s)
	}
	err := c.c.Write(c.row[:])
	if err == nil {
		c.c.Flush()
		err = c.c.Error()
	}
	c.row = [9]string{}
	return err
}

// neutralise defuses spreadsheet formula injection.
func neutralise(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

func (c *csvWriter) key(k *hive.Key) error {
	c.row[0] = "key"
	c.row[1] = k.Path()
	c.row[2] = string(appendTime(nil, k.LastWrite()))
	c.row[3] = strconv.Itoa(k.NumSubkeys())
	c.row[4] = strconv.Itoa(k.NumValues())
	return c.write()
}

func (c *csvWriter) value(path string, v *hive.Value, data any, _ error) error {
	c.row[0] = "value"
	c.row[1] = path
	c.row[5] = v.Name()
	c.row[6] = v.Type().String()
	c.row[7] = strconv.Itoa(v.Size())
	c.row[8] = dataText(data, "\n")
	return c.write()
}

func (c *csvWriter) walkError(path string, err error) error {
	c.row[0] = "error"
	c.row[1] = path
	c.row[8] = err.Error()
	return c.write()
}

// dataText renders decoded data as one string.
func dataText(data any, sep string) string {
	switch d := data.(type) {
	case string:
		return d
	case []string:
		return strings.Join(d, sep)
	case uint64:
		return strconv.FormatUint(d, 10)
	case []byte:
		return string(appendHex(nil, d))
	}
	return ""
}
