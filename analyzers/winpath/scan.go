package winpath

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"unicode/utf8"

	"github.com/hivescan/hivescan/internal/wintext"
	"github.com/hivescan/hivescan/report"
)

// Limits for scanning command lines and values.
const (
	minBlob     = 100     // shortest run of base64 text reported as a blob
	maxScan     = 1 << 20 // bytes of a value examined by ScanData
	maxPEProbes = 4096    // "MZ" candidates checked for a PE header
	maxURLs     = 16      // URLs collected from one text
)

// excerpt renders at most n characters of s on one line, safe to print: control,
// bidi and invisible characters become <U+XXXX> or spaces.
func excerpt(s string, n int) string {
	var b strings.Builder
	count := 0
	space := false
	for _, r := range s {
		if count >= n {
			b.WriteString("...")
			break
		}
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == ' ':
			if space {
				continue
			}
			space = true
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
			space = false
			b.WriteString("<" + strings.TrimSpace(codePoint(r, "")) + ">")
		default:
			_, bidi := bidiControls[r]
			_, inv := invisibles[r]
			space = false
			if bidi || inv {
				b.WriteString("<" + strings.TrimSpace(codePoint(r, "")) + ">")
			} else {
				b.WriteRune(r)
			}
		}
		count++
	}
	return strings.TrimSpace(b.String())
}

// findURLs returns up to maxURLs http, https and ftp URLs in s.
func findURLs(s string) []string {
	lower := strings.ToLower(s)
	var out []string
	for i := 0; i < len(lower) && len(out) < maxURLs; {
		j := strings.Index(lower[i:], "://")
		if j < 0 {
			break
		}
		j += i
		k := j
		for k > 0 && isSchemeByte(lower[k-1]) {
			k--
		}
		scheme := lower[k:j]
		end := j + 3
		for end < len(s) && !strings.ContainsRune(" \t\"'<>()`;|,", rune(s[end])) {
			end++
		}
		if (scheme == "http" || scheme == "https" || scheme == "ftp") && end > j+3 {
			out = append(out, s[k:end])
		}
		i = end
	}
	return out
}

func isSchemeByte(c byte) bool { return c >= 'a' && c <= 'z' }

// urlHost returns the host of a URL found by findURLs.
func urlHost(u string) string {
	_, rest, _ := strings.Cut(u, "://")
	if i := strings.IndexAny(rest, `/\?#`); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	host, _, _ := strings.Cut(rest, ":")
	return host
}

// networkReasons reports URLs in a command line.
func networkReasons(s string) []Reason {
	urls := findURLs(s)
	if len(urls) == 0 {
		return nil
	}
	for _, u := range urls {
		if isIPHost(urlHost(u)) {
			return []Reason{{Rule: "network.url", Severity: report.High,
				Text:   "The command line contains a URL with a raw IP address (" + excerpt(u, 120) + "); legitimate software names its servers. Look the address up and retrieve what it served.",
				Attack: []string{"T1105"}}}
		}
	}
	return []Reason{{Rule: "network.url", Severity: report.Medium,
		Text:   "The command line contains a URL (" + excerpt(urls[0], 120) + "): the program fetches or opens something remote at startup. Check what the URL serves.",
		Attack: []string{"T1105"}}}
}

// base64Runs returns runs of at least minBlob base64 characters that mix
// upper case, lower case and digits (so hex digests and words do not count).
func base64Runs(s string) []string {
	var out []string
	start := -1
	flush := func(end int) {
		if start >= 0 && end-start >= minBlob && mixedBase64(s[start:end]) {
			out = append(out, s[start:end])
		}
		start = -1
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '+' || c == '/' || c == '=' || (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z') {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return out
}

func mixedBase64(s string) bool {
	var up, lo, dig bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		up = up || (c >= 'A' && c <= 'Z')
		lo = lo || (c >= 'a' && c <= 'z')
		dig = dig || (c >= '0' && c <= '9')
	}
	return up && lo && dig
}

// blobReasons reports long base64 text; a blob that decodes to a PE is a
// stored program.
func blobReasons(s string) []Reason {
	runs := base64Runs(s)
	if len(runs) == 0 {
		return nil
	}
	for _, r := range runs {
		if startsPE(r) {
			return []Reason{peBase64Reason()}
		}
	}
	return []Reason{{Rule: "encoded.blob", Severity: report.Medium,
		Text:   "The data holds a long base64 blob (" + excerpt(runs[0], 60) + ", " + itoa(len(runs[0])) + " characters), a common way to store scripts or payloads in the registry. Decode it and examine the result.",
		Attack: []string{"T1027"}}}
}

// startsPE reports base64 text that decodes to "MZ" followed by a DOS header.
func startsPE(b64 string) bool {
	for _, p := range []string{"TVqQ", "TVpQ", "TVoA", "TVqA"} {
		if strings.Contains(b64, p) {
			i := strings.Index(b64, p)
			chunk := b64[i:min(len(b64), i+64)]
			chunk = chunk[:len(chunk)&^3]
			raw, err := base64.StdEncoding.DecodeString(chunk)
			if err == nil && len(raw) >= 2 && raw[0] == 'M' && raw[1] == 'Z' {
				return true
			}
		}
	}
	return false
}

func peBase64Reason() Reason {
	return Reason{Rule: "payload.pe-base64", Severity: report.Critical,
		Text:   "The data holds a base64-encoded Windows program (it starts with TVq / TVp, the encoding of \"MZ\"): a payload kept in the registry so that no file is written. Decode it, hash it and examine it.",
		Attack: []string{"T1027.011", "T1140"}}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// ScanData looks for programs and encoded payloads stored in a registry
// value's data: a PE image ("MZ" with a valid PE header), a base64- or
// hex-encoded PE, and long base64 blobs, in the raw bytes or in the text they
// hold (UTF-16LE or 8-bit). At most the first maxScan bytes are examined.
// It returns nil when nothing is found.
func ScanData(b []byte) []Reason {
	if len(b) > maxScan {
		b = b[:maxScan]
	}
	var rs []Reason
	if off, ok := findPE(b); ok {
		where := "begins with"
		if off > 0 {
			where = "embeds, at offset " + itoa(off) + ","
		}
		rs = append(rs, Reason{Rule: "payload.pe", Severity: report.Critical,
			Text:   "The value " + where + " a Windows program (MZ header with a valid PE signature): a payload kept in the registry so that no file is written. Export the data, hash it and examine it.",
			Attack: []string{"T1027.011"}})
	}
	text := asText(b)
	if containsFold(text, "4d5a90") {
		rs = append(rs, Reason{Rule: "payload.pe-hex", Severity: report.Critical,
			Text:   "The value holds a hex-encoded Windows program (4D5A90..., the bytes of \"MZ\"): a payload kept in the registry. Decode it and examine it.",
			Attack: []string{"T1027.011", "T1140"}})
	}
	rs = append(rs, blobReasons(text)...)
	sortReasons(rs)
	return rs
}

// findPE returns the offset of the first "MZ" whose e_lfanew points at a
// "PE\0\0" signature inside b.
func findPE(b []byte) (int, bool) {
	probes := 0
	for off := 0; off+0x40 <= len(b) && probes < maxPEProbes; {
		i := bytes.Index(b[off:], []byte("MZ"))
		if i < 0 {
			return 0, false
		}
		off += i
		probes++
		if off+0x40 <= len(b) {
			lfanew := int(binary.LittleEndian.Uint32(b[off+0x3c:]))
			if lfanew >= 0x40 && lfanew < 1<<20 && off+lfanew+4 <= len(b) &&
				bytes.Equal(b[off+lfanew:off+lfanew+4], []byte("PE\x00\x00")) {
				return off, true
			}
		}
		off++
	}
	return 0, false
}

// asText returns b as text: decoded from UTF-16LE when most odd bytes are
// zero, as bytes otherwise.
func asText(b []byte) string {
	if len(b) >= 4 {
		zeros := 0
		for i := 1; i < len(b); i += 2 {
			if b[i] == 0 {
				zeros++
			}
		}
		if zeros*4 >= len(b) { // at least half of the odd bytes
			return wintext.UTF16(b)
		}
	}
	return string(b)
}
