package ntfsfs

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// OddName is a name in an NTFS index that Windows cannot open as written,
// met on the way to a file. Names that no io/fs path can hold ("." and ".."
// for anything but the folder's own link, a "/" inside a name, an empty
// name, a NUL) are served under an alias: the name with those bytes written
// as %XX ("..": "%2E%2E", "a/b": "a%2Fb"), plus "~" and the MFT record
// number when a real name in the same folder is already spelled that way.
// Other odd names (reserved device names, a trailing dot or space,
// characters Win32 forbids) keep their name and are only reported.
type OddName struct {
	Path   string // path in this FS up to and including the name (with the alias)
	Parent string // path in this FS of the folder holding it ("." for the root)
	Raw    string // the name as stored in the index
	Record uint64 // MFT record it refers to
	Dir    bool
	Reason string // why Windows cannot open it as written
}

// Aliased reports whether the name is served under an alias.
func (o OddName) Aliased() bool { return path.Base(o.Path) != o.Raw }

// String describes the name for a report: what it is, where, why it hides
// and how hivescan reads it.
func (o OddName) String() string {
	what := "a file"
	if o.Dir {
		what = "a folder"
	}
	where := "the volume root"
	if o.Parent != "." {
		where = strconv.Quote(o.Parent)
	}
	s := fmt.Sprintf("%s named %s (MFT record %d) inside %s: %s; Windows cannot open it by that name and tools that go by names miss it (an anti-forensics trick); read through its index entry",
		what, strconv.Quote(o.Raw), o.Record, where, o.Reason)
	if o.Aliased() {
		s += " under the alias " + path.Base(o.Path)
	}
	return s
}

// oddReason says why Windows cannot open name as written, or "".
func oddReason(name string) string {
	switch {
	case name == "":
		return "an empty name"
	case name == "." || name == "..":
		return "the name of a folder's own or parent link"
	case strings.Contains(name, "/"):
		return "a slash inside the name"
	case strings.ContainsRune(name, 0):
		return "a NUL character inside the name"
	case strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "):
		return "a trailing dot or space, which Windows strips"
	case reservedDevice(name):
		return "a reserved device name"
	case strings.ContainsAny(name, `\:*?"<>|`) || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 }):
		return "characters Windows forbids in names"
	}
	return ""
}

// needsAlias reports whether name cannot be a component of an io/fs path.
func needsAlias(name string) bool {
	return name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00")
}

// alias spells name as a valid path component: every dot of "." and "..",
// and every "/", "%" and NUL elsewhere, as %XX; the empty name as "%".
func alias(name string) string {
	if name == "" {
		return "%"
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '/' || c == '%' || c == 0 || (c == '.' && (name == "." || name == "..")) {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func reservedDevice(name string) bool {
	u := strings.ToUpper(name)
	if i := strings.IndexByte(u, '.'); i >= 0 {
		u = u[:i]
	}
	u = strings.TrimRight(u, " ")
	switch u {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	return len(u) == 4 && (strings.HasPrefix(u, "COM") || strings.HasPrefix(u, "LPT")) && u[3] >= '1' && u[3] <= '9'
}

// Oddities describes, for a report, every odd name on the path by which
// the file was opened (see OddName), the file's own name included.
func (r *Record) Oddities() []string {
	out := make([]string, len(r.OddNames))
	for i, o := range r.OddNames {
		out[i] = o.String()
	}
	return out
}
