package hive

import (
	"fmt"
	"strings"
)

// Kind says which hive a file is. It is decided from all the evidence a
// hive offers (see Classification): the keys under its root, the file name
// embedded in its base block, and, when the caller gives it, the name and
// place of the file holding it.
type Kind int

// The hive kinds. Beyond the five machine hives and the two per-user ones,
// Windows keeps hives that no analyzer reads but a report should name.
const (
	KindUnknown Kind = iota
	KindSystem
	KindSoftware
	KindNTUser
	KindDefault // HKU\.DEFAULT, the LocalSystem profile
	KindSAM
	KindSecurity
	KindUsrClass
	KindAmcache
	KindBCD
	KindComponents
	KindDrivers
	KindBBI      // System32\config\BBI (boot-time background intelligence)
	KindELAM     // System32\config\ELAM (early-launch anti-malware signatures)
	KindSettings // an app hive: a packaged app's Settings\settings.dat
	KindSyscache // System Volume Information\Syscache.hve
)

var kindNames = [...]string{"UNKNOWN", "SYSTEM", "SOFTWARE", "NTUSER", "DEFAULT", "SAM",
	"SECURITY", "USRCLASS", "AMCACHE", "BCD", "COMPONENTS", "DRIVERS", "BBI", "ELAM",
	"SETTINGS", "SYSCACHE"}

// String returns the upper-case name ("SYSTEM", "NTUSER", ...).
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// ParseKind accepts a kind name in any letter case.
func ParseKind(s string) (Kind, error) {
	for i, n := range kindNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Kind(i), nil
		}
	}
	return KindUnknown, fmt.Errorf("unknown hive kind %q (known: %s)", s, strings.Join(kindNames[1:], ", "))
}

// Kinds lists every known kind except KindUnknown.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kindNames)-1)
	for i := 1; i < len(kindNames); i++ {
		out = append(out, Kind(i))
	}
	return out
}

// The evidence a Classification names.
const (
	ByContent      = "root keys"     // the keys under the root
	ByEmbeddedName = "embedded name" // the file name in the base block
	ByFileName     = "file name"     // the name of the file holding the hive
	ByLocation     = "location"      // where the file sits (System32\config, Users\x, ...)
	ByOverride     = "override"      // the caller said so (--kind)
)

// Classification is how a hive's kind was decided: the kind, the evidence
// that points to it and the evidence that points elsewhere. A hive whose
// evidence disagrees is classified all the same, and Against says why a
// reader may doubt it.
type Classification struct {
	Kind    Kind
	By      []string // evidence agreeing with Kind, strongest first
	Against []string // e.g. "file name says NTUSER"
}

// String renders the classification for reports: "SOFTWARE (embedded name,
// location)", with disagreeing evidence after a semicolon.
func (c Classification) String() string {
	s := c.Kind.String()
	if len(c.By) > 0 {
		s += " (" + strings.Join(c.By, ", ") + ")"
	}
	if len(c.Against) > 0 {
		s += "; " + strings.Join(c.Against, "; ")
	}
	return s
}

// nameKind maps a hive file name, as Windows names it, to its kind. It
// reads the last path component; case is ignored, and the "_Delta" of
// differencing hives (Windows Sandbox, container layers) is dropped.
func nameKind(name string) Kind {
	base := strings.ToLower(strings.TrimSpace(name))
	if i := strings.LastIndexAny(base, `\/`); i >= 0 {
		base = base[i+1:]
	}
	base = strings.TrimSuffix(base, "_delta")
	switch base {
	case "system":
		return KindSystem
	case "software":
		return KindSoftware
	case "ntuser.dat", "ntuser.man":
		return KindNTUser
	case "default":
		return KindDefault
	case "sam":
		return KindSAM
	case "security":
		return KindSecurity
	case "usrclass.dat":
		return KindUsrClass
	case "amcache.hve":
		return KindAmcache
	case "bcd", "bcd-template":
		return KindBCD
	case "components":
		return KindComponents
	case "drivers":
		return KindDrivers
	case "bbi":
		return KindBBI
	case "elam":
		return KindELAM
	case "settings.dat":
		return KindSettings
	case "syscache.hve":
		return KindSyscache
	}
	return KindUnknown
}

// embeddedKind maps the embedded file name of a base block.
func embeddedKind(name string) Kind { return nameKind(name) }

// locationKind reads a hive's kind from where its file sits: the folder
// names Windows uses for each kind. It returns KindUnknown for a file whose
// place says nothing (a flat collection folder). p may use / or \.
func locationKind(p string) Kind {
	comps := strings.FieldsFunc(strings.ToLower(p), func(r rune) bool { return r == '/' || r == '\\' })
	n := len(comps)
	if n < 2 {
		return KindUnknown
	}
	base, dir := comps[n-1], comps[n-2]
	k := nameKind(base)
	parent := func(i int) string {
		if n-i >= 0 {
			return comps[n-i]
		}
		return ""
	}
	switch {
	case dir == "config" && parent(3) == "system32":
		switch k {
		case KindSystem, KindSoftware, KindDefault, KindSAM, KindSecurity, KindComponents, KindDrivers, KindBBI, KindELAM, KindBCD:
			return k
		}
	case dir == "regback" && parent(3) == "config":
		switch k {
		case KindSystem, KindSoftware, KindDefault, KindSAM, KindSecurity:
			return k
		}
	case dir == "hives" && strings.HasSuffix(base, "_delta"):
		// Container and Sandbox layers: ...\Hives\Software_Delta.
		return k
	case k == KindNTUser && (parent(3) == "users" || parent(3) == "documents and settings" || parent(3) == "serviceprofiles"):
		return k
	case k == KindUsrClass && dir == "windows" && parent(3) == "microsoft":
		// AppData\Local\Microsoft\Windows (Vista+) or Local Settings\Application Data\Microsoft\Windows (XP).
		return k
	case k == KindAmcache && dir == "programs" && parent(3) == "appcompat":
		return k
	case k == KindBCD && dir == "boot":
		return k
	case k == KindSettings && dir == "settings" && parent(4) == "packages":
		return k
	case k == KindSyscache && dir == "system volume information":
		return k
	}
	return KindUnknown
}

// ClassifyUnread classifies a hive whose keys could not be read, from its
// embedded name (in the base block) and its path alone.
func ClassifyUnread(embeddedName, path string) Classification {
	return classify(KindUnknown, embeddedName, path)
}

// classify decides a hive's kind from every piece of evidence: the root
// keys (contentKind), the embedded name, and the file's name and place
// (path, which may be empty). The rules, in order:
//   - an override wins (Options.Kind);
//   - when the location and the embedded name agree, that is the kind, even
//     for a sparse, differencing or damaged hive whose root keys say
//     nothing or something else;
//   - root keys that are conclusive decide; NTUSER and DEFAULT share their
//     layout, so a DEFAULT name (embedded, location or file) makes it DEFAULT;
//   - otherwise the embedded name, then the location, then the file name.
func classify(content Kind, embedded, path string) Classification {
	emb := embeddedKind(embedded)
	loc := locationKind(path)
	file := KindUnknown
	if path != "" {
		file = nameKind(path)
	}
	type piece struct {
		by   string
		kind Kind
	}
	pieces := []piece{{ByContent, content}, {ByEmbeddedName, emb}, {ByLocation, loc}, {ByFileName, file}}
	var k Kind
	switch {
	case emb != KindUnknown && emb == loc:
		k = emb
	case content == KindNTUser && (emb == KindDefault || loc == KindDefault || (emb == KindUnknown && loc == KindUnknown && file == KindDefault)):
		k = KindDefault
	case content != KindUnknown:
		k = content
	case emb != KindUnknown:
		k = emb
	case loc != KindUnknown:
		k = loc
	default:
		k = file
	}
	c := Classification{Kind: k}
	for _, p := range pieces {
		switch {
		case p.kind == KindUnknown:
		case p.kind == k || k == KindDefault && p.kind == KindNTUser && p.by == ByContent:
			// Root keys of a profile hive fit DEFAULT as well as NTUSER.
			c.By = append(c.By, p.by)
		default:
			c.Against = append(c.Against, p.by+" says "+p.kind.String())
		}
	}
	return c
}

// detectKind decides a hive's kind from root-key probes alone; it returns
// KindUnknown when they are inconclusive. emb, the embedded name's kind,
// only separates look-alikes (the Sandbox's SYSTEM delta has no Select).
func detectKind(root *Key, emb Kind) Kind {
	names := map[string]bool{}
	subs, _ := root.Subkeys() // a damaged list leaves the probes inconclusive
	hasControlSet := false
	for _, s := range subs {
		n := strings.ToLower(s.name)
		names[n] = true
		if len(n) == 13 && strings.HasPrefix(n, "controlset") {
			hasControlSet = true
		}
	}
	has := func(n ...string) bool {
		for _, x := range n {
			if !names[strings.ToLower(x)] {
				return false
			}
		}
		return true
	}
	switch {
	case hasControlSet && (has("Select") || has("MountedDevices") || emb == KindSystem):
		// Differencing hives (Windows Sandbox's system_Delta) have control
		// sets but no Select.
		return KindSystem
	case has("SAM") && len(names) <= 2:
		return KindSAM
	case has("Policy") && (has("RXACT") || has("Cache") || has("SAM")):
		return KindSecurity
	case has("Objects", "Description") && len(names) <= 3:
		return KindBCD
	case has("DriverDatabase"):
		return KindDrivers
	case has("CanonicalData") || has("DerivedData") && has("VersionedIndex"):
		return KindComponents
	case has("Root") && len(names) <= 2 && (emb == KindAmcache || rootHasAmcache(root)):
		return KindAmcache
	case has("Microsoft") && (has("Classes") || has("Policies") || has("Clients")) && !has("Control Panel"):
		return KindSoftware
	case has("Software") && (has("Control Panel") || has("Environment") || has("AppEvents") || has("Console") || has("Keyboard Layout")):
		return KindNTUser
	case strings.HasSuffix(strings.ToLower(root.name), "_classes") || (has("CLSID") && !has("Microsoft")) || has("Local Settings") && emb == KindUsrClass:
		return KindUsrClass
	}
	return KindUnknown
}

func rootHasAmcache(root *Key) bool {
	r, err := root.Subkey("Root")
	if err != nil {
		return false
	}
	for _, n := range []string{"File", "Programs", "InventoryApplicationFile", "InventoryDevicePnp"} {
		if _, err := r.Subkey(n); err == nil {
			return true
		}
	}
	return false
}
