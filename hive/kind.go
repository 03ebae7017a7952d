package hive

import (
	"fmt"
	"strings"
)

// Kind says which hive a file is. It is decided from the hive's own content
// (its embedded file name and the keys under its root), never from the name
// of the file holding it.
type Kind int

// The hive kinds.
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
)

var kindNames = [...]string{"UNKNOWN", "SYSTEM", "SOFTWARE", "NTUSER", "DEFAULT", "SAM",
	"SECURITY", "USRCLASS", "AMCACHE", "BCD", "COMPONENTS", "DRIVERS"}

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
		if strings.EqualFold(s, n) {
			return Kind(i), nil
		}
	}
	return KindUnknown, fmt.Errorf("unknown hive kind %q", s)
}

// Kinds lists every known kind except KindUnknown.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kindNames)-1)
	for i := 1; i < len(kindNames); i++ {
		out = append(out, Kind(i))
	}
	return out
}

// embeddedKind maps the last component of the embedded file name.
func embeddedKind(name string) Kind {
	base := strings.ToLower(name)
	if i := strings.LastIndexAny(base, `\/`); i >= 0 {
		base = base[i+1:]
	}
	// Windows Sandbox and containers keep differencing hives named
	// "<hive>_Delta" on top of the host's.
	base = strings.TrimSuffix(base, "_delta")
	switch base {
	case "system":
		return KindSystem
	case "software":
		return KindSoftware
	case "ntuser.dat":
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
	case "bcd":
		return KindBCD
	case "components":
		return KindComponents
	case "drivers":
		return KindDrivers
	}
	return KindUnknown
}

// detectKind decides a hive's kind from root-key probes, using the embedded
// name to separate look-alikes (NTUSER and DEFAULT share their layout).
func detectKind(h *Hive, root *Key) Kind {
	names := map[string]bool{}
	subs, _ := root.Subkeys()
	hasControlSet := false
	for _, s := range subs {
		n := strings.ToLower(s.name)
		names[n] = true
		if len(n) == 13 && strings.HasPrefix(n, "controlset") {
			hasControlSet = true
		}
	}
	emb := embeddedKind(h.Header.FileName)
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
		if emb == KindDefault {
			return KindDefault
		}
		return KindNTUser
	case strings.HasSuffix(strings.ToLower(root.name), "_classes") || (has("CLSID") && !has("Microsoft")) || has("Local Settings") && emb == KindUsrClass:
		return KindUsrClass
	}
	switch emb {
	case KindNTUser, KindDefault, KindUsrClass, KindAmcache, KindBCD, KindComponents, KindDrivers:
		// Probes were inconclusive (e.g. a near-empty profile hive); the
		// embedded name is the hive's own statement of what it is.
		return emb
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
