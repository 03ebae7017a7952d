package hive_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/hivescan/hivescan/hive"
)

// This file holds what the conformance test needs to read the peers'
// output and to describe a hive the same way they do.

// peerValue is one value as a peer reports it, reduced to what can be
// compared: the hivexml type class and the decoded data as text.
type peerValue struct {
	Name string
	Type string // hivexml's type word: string, expand, int32, binary, ...
	Data string // decoded: text, decimal integer, strings joined by "\x00", hex bytes

	eightBit bool // hivescan decoded the string as 8-bit text
	badSize  bool // hivescan found an integer of the wrong size
}

// peerKey is one key with its values.
type peerKey struct {
	Path   string
	Values []peerValue
}

// hivexType maps a value type to the word hivexml prints for it.
func hivexType(t hive.ValueType) string {
	switch t {
	case hive.RegNone:
		return "none"
	case hive.RegSZ:
		return "string"
	case hive.RegExpandSZ:
		return "expand"
	case hive.RegBinary:
		return "binary"
	case hive.RegDWORD, hive.RegDWORDBigEndian:
		return "int32"
	case hive.RegLink:
		return "link"
	case hive.RegMultiSZ:
		return "string-list"
	case hive.RegResourceList:
		return "resource-list"
	case hive.RegFullResourceDescriptor:
		return "resource-description"
	case hive.RegResourceRequirementsList:
		return "resource-requirements"
	case hive.RegQWORD:
		return "int64"
	}
	return "unknown"
}

// scanned is what hivescan reads from a hive.
type scanned struct {
	Keys      []peerKey
	NumKeys   int
	NumValues int
	Errs      []error // errors met while walking, in order
}

// scanHive walks the whole hive with hivescan and describes it as the
// peers would.
func scanHive(h *hive.Hive) (*scanned, error) {
	s := &scanned{}
	err := h.Walk(context.Background(), `\`, func(k *hive.Key, err error) error {
		if err != nil {
			s.Errs = append(s.Errs, err)
			return nil
		}
		s.NumKeys++
		pk := peerKey{Path: k.Path()}
		vals, err := k.Values()
		if err != nil {
			s.Errs = append(s.Errs, err)
		}
		s.NumValues += len(vals)
		for _, v := range vals {
			pk.Values = append(pk.Values, describe(v))
		}
		s.Keys = append(s.Keys, pk)
		return nil
	})
	return s, err
}

// describe decodes a value the way the comparison needs it.
func describe(v *hive.Value) peerValue {
	pv := peerValue{Name: v.Name(), Type: hivexType(v.Type())}
	b, err := v.Bytes()
	if err != nil {
		pv.Data = "error: " + err.Error()
		return pv
	}
	switch d := hive.DecodeData(v.Type(), b).(type) {
	case string:
		pv.Data = d
		pv.eightBit = d != plainUTF16(b)
	case []string:
		pv.Data = strings.Join(d, "\x00")
	case uint64:
		if v.Type() == hive.RegQWORD {
			pv.Data = strconv.FormatInt(int64(d), 10)
		} else {
			pv.Data = strconv.FormatInt(int64(int32(uint32(d))), 10)
		}
	case []byte:
		pv.Data = fmt.Sprintf("%x", d)
		pv.badSize = v.Type() == hive.RegDWORD || v.Type() == hive.RegDWORDBigEndian || v.Type() == hive.RegQWORD
	}
	return pv
}

// plainUTF16 decodes b as UTF-16LE up to the first NUL character.
func plainUTF16(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := uint16(b[i]) | uint16(b[i+1])<<8
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// reglookupCounts runs reglookup and counts its key lines and value lines.
// reglookup prints one line per key (type KEY) and one per value; it
// %-escapes commas and control characters, so the type is always the
// second comma-separated field.
func reglookupCounts(tool, path string) (keys, values int, stderr string, err error) {
	out, errb, runErr := runPeer(tool, "-H", "-S", path)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), ",", 3)
		if len(f) < 3 {
			continue
		}
		if f[1] == "KEY" {
			keys++
		} else {
			values++
		}
	}
	if err := sc.Err(); err != nil {
		return keys, values, errb.String(), err
	}
	return keys, values, errb.String(), runErr
}

// hivexmlKeys runs hivexml -k (skip bad entries rather than stop) and
// returns the keys it reports. The root node's own name is not part of any
// path, as in hivescan.
func hivexmlKeys(tool, path string) ([]peerKey, string, error) {
	out, errb, runErr := runPeer(tool, "-k", path)
	keys, err := parseHivexml(sanitizeXML(out))
	if runErr != nil {
		return keys, errb.String(), fmt.Errorf("hivexml: %v: %s", runErr, strings.TrimSpace(errb.String()))
	}
	return keys, errb.String(), err
}

// runPeer runs a peer and returns its standard output and error.
func runPeer(tool string, args ...string) ([]byte, *bytes.Buffer, error) {
	var out, errb bytes.Buffer
	cmd := exec.Command(tool, args...)
	cmd.Stdout = &out
	cmd.Stderr = &errb
	err := cmd.Run()
	return out.Bytes(), &errb, err
}

// ctlBase maps the control characters XML 1.0 cannot carry into the
// private use area so that encoding/xml accepts hivexml's output
// (libxml2 writes them raw or as character references); unmapCtl undoes
// it after parsing.
const ctlBase = 0xE000

func sanitizeXML(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			out.WriteRune(rune(ctlBase + int(c)))
		case c == '&' && i+2 < len(b) && b[i+1] == '#':
			j := bytes.IndexByte(b[i:min(len(b), i+12)], ';')
			if j < 0 {
				out.WriteByte(c)
				continue
			}
			ref := string(b[i+2 : i+j])
			var n uint64
			var err error
			if strings.HasPrefix(ref, "x") {
				n, err = strconv.ParseUint(ref[1:], 16, 32)
			} else {
				n, err = strconv.ParseUint(ref, 10, 32)
			}
			if err == nil && n < 0x20 && n != '\t' && n != '\n' && n != '\r' {
				out.WriteRune(rune(ctlBase + int(n)))
				i += j
				continue
			}
			out.WriteByte(c)
		default:
			out.WriteByte(c)
		}
	}
	return out.Bytes()
}

func unmapCtl(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= ctlBase && r < ctlBase+0x20 }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= ctlBase && r < ctlBase+0x20 {
			return r - ctlBase
		}
		return r
	}, s)
}

func attr(se xml.StartElement, name string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return unmapCtl(a.Value), true
		}
	}
	return "", false
}

// parseHivexml reads hivexml's document: nested <node name=...> elements,
// each with <value type=... key=...|default="1" [encoding="base64"]
// value=...> children; string lists carry <string> children. Output cut
// short by an error yields the keys read so far.
func parseHivexml(doc []byte) ([]peerKey, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	var (
		keys  []peerKey
		stack []string // names below the root
		depth int      // node nesting, the root is 1
		open  []int    // index in keys of each open node
		cur   *peerValue
		list  []string
		inStr bool
		str   strings.Builder
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return keys, nil
		}
		if err != nil {
			return keys, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "node":
				depth++
				name, _ := attr(t, "name")
				path := `\`
				if depth > 1 {
					stack = append(stack, name)
					path = `\` + strings.Join(stack, `\`)
				}
				keys = append(keys, peerKey{Path: path})
				open = append(open, len(keys)-1)
			case "value":
				typ, _ := attr(t, "type")
				name, _ := attr(t, "key")
				v, _ := attr(t, "value")
				enc, _ := attr(t, "encoding")
				cur = &peerValue{Name: name, Type: typ, Data: v}
				if enc == "base64" {
					raw, err := base64.StdEncoding.DecodeString(v)
					if err != nil {
						return keys, fmt.Errorf("value %q: %v", name, err)
					}
					cur.Data = fmt.Sprintf("%x", raw)
				}
				list = nil
			case "string":
				inStr = true
				str.Reset()
			}
		case xml.CharData:
			if inStr {
				str.Write(t)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "node":
				depth--
				if len(stack) > 0 && depth >= 1 {
					stack = stack[:len(stack)-1]
				}
				open = open[:len(open)-1]
			case "string":
				inStr = false
				list = append(list, unmapCtl(str.String()))
			case "value":
				if cur.Type == "string-list" {
					// hivex 1.3.23 reports the empty string that ends
					// the list; it is a terminator, not data.
					for len(list) > 0 && list[len(list)-1] == "" {
						list = list[:len(list)-1]
					}
					cur.Data = strings.Join(list, "\x00")
				}
				if len(open) > 0 {
					k := &keys[open[len(open)-1]]
					k.Values = append(k.Values, *cur)
				}
				cur = nil
			}
		}
	}
}
