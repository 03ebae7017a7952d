package hive

import (
	"io/fs"
	"sort"
	"strings"
	"sync"
)

// DeletedUnknownKey is the root subkey under which a view of deleted records
// (Entry.Deleted) holds the deleted values whose key could not be told.
const DeletedUnknownKey = "(deleted values of unknown keys)"

// Labels for hives that are not the live copy of a host.
const (
	LabelRegBack = "RegBack" // a Windows\System32\config\RegBack copy
)

// Entry is one hive of a host with what discovery learnt about it.
type Entry struct {
	*Hive
	Path  string // where it was found, for reports (a file path or an image path)
	User  string // profile name for NTUSER and USRCLASS hives ("" when unknown)
	SID   string // the profile's SID, when the host's ProfileList or the hive itself tells
	Label string // "" for the live hive, LabelRegBack, ...
	Logs  []string
	// LogData holds the bytes of the transaction logs read with the hive,
	// in Logs order, when the scan uses them: the records only a log holds
	// are searched for in them (hive/deleted.LogRecords).
	LogData []LogBytes
	// Deleted marks a view of records recovered from unallocated space
	// (see package hive/deleted). Besides the deleted records it holds
	// their live ancestors and a few live context keys, with their values.
	Deleted bool
	// Live is, for a view (Deleted), the hive its records were recovered
	// from: what the view holds that Live holds too (same key path, same
	// value name in it) is not a deletion.
	Live *Hive
}

// Volume is a host's system drive as the evidence holds it (a disk image's
// NTFS volume, a mounted volume, a full copy of one): the files registry
// entries name are looked up on it. Nothing is ever written to it.
type Volume struct {
	FS fs.FS
	// Root is the slash path in FS of the drive's root folder ("." for a
	// volume of its own).
	Root string
	// Display renders a slash path of FS for reports.
	Display func(p string) string
}

// LogBytes is a transaction log's bytes as read, with its display path.
type LogBytes struct {
	Path string
	Data []byte
}

// Set is the hives of one host (one Windows installation, or one collection
// folder), the unit analyzers run over.
type Set struct {
	Host    string // display name
	Root    string // the folder holding the host, as found
	Entries []*Entry
	// Texts are the host's text files analyzers read beside its hives
	// (the Windows folder's win.ini and system.ini), when the evidence
	// holds them, sorted by path.
	Texts []Text
	// Volume is the drive the host's Windows is installed on, when the
	// evidence holds it whole; nil for a collection of hives.
	Volume *Volume

	infoOnce sync.Once
	info     HostInfo
}

// Add appends an entry, keeping entries sorted by kind, user and path.
func (s *Set) Add(e *Entry) {
	s.Entries = append(s.Entries, e)
	sort.SliceStable(s.Entries, func(i, j int) bool {
		a, b := s.Entries[i], s.Entries[j]
		if a.Kind() != b.Kind() {
			return a.Kind() < b.Kind()
		}
		if a.User != b.User {
			return a.User < b.User
		}
		return a.Path < b.Path
	})
}

// ByKind returns the entries of a kind, in Set order.
func (s *Set) ByKind(k Kind) []*Entry {
	var out []*Entry
	for _, e := range s.Entries {
		if e.Kind() == k {
			out = append(out, e)
		}
	}
	return out
}

// First returns the first entry of a kind, or nil.
func (s *Set) First(k Kind) *Entry {
	for _, e := range s.Entries {
		if e.Kind() == k {
			return e
		}
	}
	return nil
}

// Has reports whether the set holds a hive of kind k.
func (s *Set) Has(k Kind) bool { return s.First(k) != nil }

// System returns the SYSTEM hive, or nil.
func (s *Set) System() *Entry { return s.First(KindSystem) }

// Software returns the SOFTWARE hive, or nil.
func (s *Set) Software() *Entry { return s.First(KindSoftware) }

// Default returns the DEFAULT hive (HKU\.DEFAULT), or nil.
func (s *Set) Default() *Entry { return s.First(KindDefault) }

// Users returns the NTUSER hives, one per profile, sorted by user.
func (s *Set) Users() []*Entry { return s.ByKind(KindNTUser) }

// UserClasses returns the USRCLASS hives, sorted by user.
func (s *Set) UserClasses() []*Entry { return s.ByKind(KindUsrClass) }

// Kinds lists the kinds present, sorted.
func (s *Set) Kinds() []Kind {
	seen := map[Kind]bool{}
	var out []Kind
	for _, e := range s.Entries {
		if !seen[e.Kind()] {
			seen[e.Kind()] = true
			out = append(out, e.Kind())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// ClassesSID returns the SID a UsrClass hive names in its root key
// ("S-1-5-21-..._Classes"); ok is false for any other root name.
func ClassesSID(h *Hive) (sid string, ok bool) {
	root, err := h.Root()
	if err != nil {
		return "", false
	}
	name := root.Name()
	if len(name) > 12 && strings.HasPrefix(strings.ToUpper(name), "S-1-") && strings.HasSuffix(strings.ToLower(name), "_classes") {
		return name[:len(name)-len("_classes")], true
	}
	return "", false
}

// ProfileFromEmbeddedName guesses the profile name from a user hive's
// embedded file name, e.g. `\??\C:\Users\bob\ntuser.dat` -> "bob". The
// embedded name keeps only its last 31 characters, so the result may be
// empty or cut; ok is false when no profile folder is visible.
func ProfileFromEmbeddedName(name string) (string, bool) {
	parts := strings.FieldsFunc(name, func(r rune) bool { return r == '\\' || r == '/' })
	for i := 0; i+2 < len(parts); i++ {
		p := strings.ToLower(parts[i])
		if p == "users" || strings.HasSuffix(p, " and settings") {
			return parts[i+1], true
		}
	}
	return "", false
}

// Text is a small text file of a host's Windows folder, as read (bytes as
// found; Windows writes these files in the ANSI code page or UTF-16).
type Text struct {
	Path string // display path
	Name string // lower-case file name: "win.ini", "system.ini"
	Data []byte
}

// TextsNamed returns the set's text files of a (lower-case) file name.
func (s *Set) TextsNamed(name string) []Text {
	var out []Text
	for _, t := range s.Texts {
		if t.Name == name {
			out = append(out, t)
		}
	}
	return out
}
