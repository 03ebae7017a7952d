package archive

import (
	"strings"
)

// CleanName turns a member name as an archive stores it into the slash
// path the archive's file system offers, or reports false when the member
// must not be offered (it climbs out of the archive with "..", or holds a
// NUL).
//
// Collection tools encode Windows paths in member names, and all of them
// come out as the same tree:
//   - every %XX escape (two hex digits) is decoded, so that Velociraptor's
//     "uploads/auto/C%3A/Windows/..." and "C%3A%5CWindows%5C..." become
//     "C:/Windows/...";
//   - backslashes separate folders like slashes;
//   - Velociraptor's "uploads/<accessor>/" prefix is dropped, and so is the
//     device part of "\\.\C:" and "\\?\", leaving "C:/...";
//   - empty and "." components are dropped, as is a leading "/".
//
// KAPE's and CyLR's "C/Windows/..." need nothing: hive discovery treats a
// one-letter folder as a drive.
func CleanName(raw string) (string, bool) {
	if strings.IndexByte(raw, 0) >= 0 {
		return "", false
	}
	s := strings.ReplaceAll(raw, `\`, "/")
	comps := strings.Split(s, "/")
	var out []string
	for i, c := range comps {
		d := unescape(c)
		if i == 0 && d == "uploads" && len(comps) > 2 {
			// Velociraptor: uploads/<accessor>/<path>; skip the accessor too.
			comps[1] = ""
			continue
		}
		if strings.IndexByte(d, 0) >= 0 {
			return "", false
		}
		for _, part := range strings.Split(strings.ReplaceAll(d, `\`, "/"), "/") {
			switch part {
			case "", ".":
				continue
			case "..":
				return "", false
			case "?":
				if len(out) == 0 {
					continue // \\?\C:\...
				}
			}
			out = append(out, part)
		}
	}
	if len(out) == 0 {
		return "", false
	}
	return strings.Join(out, "/"), true
}

// unescape decodes %XX escapes and leaves any other % as it is.
func unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
