package evidence

import (
	"path"
	"sort"
	"strings"

	"github.com/hivescan/hivescan/hive"
)

// place decides which host folder a hive belongs to, the profile it belongs
// to and its label, from where it sits.
func place(p string) (root, user, label string) {
	comps := strings.Split(p, "/")
	lower := make([]string, len(comps))
	for i, c := range comps {
		lower[i] = strings.ToLower(c)
	}
	join := func(n int) string {
		if n == 0 {
			return "."
		}
		return path.Join(comps[:n]...)
	}
	for i := 0; i+3 < len(comps); i++ {
		if (lower[i] == "windows" || lower[i] == "winnt") && lower[i+1] == "system32" && lower[i+2] == "config" {
			if i+4 < len(comps) && lower[i+3] == "regback" {
				return join(i), "", hive.LabelRegBack
			}
			if i+4 < len(comps) && lower[i+3] == "systemprofile" {
				return join(i), comps[i+3], ""
			}
			return join(i), "", ""
		}
		if lower[i] == "windows" && lower[i+1] == "serviceprofiles" && i+3 < len(comps) {
			return join(i), comps[i+2], ""
		}
		if lower[i] == "windows" && lower[i+1] == "appcompat" {
			return join(i), "", ""
		}
	}
	for i := 0; i+2 < len(comps); i++ {
		if lower[i] == "users" || lower[i] == "documents and settings" {
			return join(i), comps[i+1], ""
		}
	}
	return join(len(comps) - 1), "", ""
}

// group builds hosts from placed hives.
func group(src Source, hives []*Candidate) []*Host {
	type hostKey struct{ root, label string }
	byKey := map[hostKey]*Host{}
	for _, c := range hives {
		root, user, label := place(c.Path)
		c.User, c.Label = user, label
		k := hostKey{root, label}
		h := byKey[k]
		if h == nil {
			h = &Host{Root: root, Label: label}
			byKey[k] = h
		}
		h.Hives = append(h.Hives, c)
	}
	// A service or default profile copied into a folder of its own beside
	// a collection (Win11/LocalService/NTUSER.DAT next to Win11/SYSTEM)
	// belongs to that collection's host, not to a host of its own.
	for k, h := range byKey {
		parent := byKey[hostKey{path.Dir(k.root), k.label}]
		if parent == nil || k.root == "." || !isProfileFolder(path.Base(k.root)) || !onlyUserHives(h) {
			continue
		}
		for _, c := range h.Hives {
			c.UserHint = path.Base(k.root)
		}
		parent.Hives = append(parent.Hives, h.Hives...)
		delete(byKey, k)
	}
	// Any other collection folder that sits directly inside a Windows root
	// (for example a flat folder of user hives next to Windows\) stays its
	// own host.
	hosts := make([]*Host, 0, len(byKey))
	for _, h := range byKey {
		sort.Slice(h.Hives, func(i, j int) bool { return h.Hives[i].Path < h.Hives[j].Path })
		h.Name = hostName(src, h.Root)
		if h.Label != "" {
			h.Name += " (" + h.Label + ")"
		}
		hosts = append(hosts, h)
	}
	sort.Slice(hosts, func(i, j int) bool {
		if hosts[i].Name != hosts[j].Name {
			return hosts[i].Name < hosts[j].Name
		}
		return hosts[i].Root < hosts[j].Root
	})
	// Names must be unique: add the root when two differ only by folder case.
	seen := map[string]int{}
	for _, h := range hosts {
		seen[h.Name]++
	}
	for _, h := range hosts {
		if seen[h.Name] > 1 {
			h.Name += " [" + h.Root + "]"
		}
	}
	return hosts
}

// isProfileFolder reports the folder names of the profiles every Windows
// host has besides its users': the service accounts' and the default
// profile's ("Default", "Default User", a collector's "DEFAULT (NTUSER)").
func isProfileFolder(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "localservice", "networkservice", "systemprofile":
		return true
	}
	return strings.HasPrefix(n, "default")
}

// onlyUserHives reports whether every hive of h is named like a profile hive.
func onlyUserHives(h *Host) bool {
	for _, c := range h.Hives {
		switch strings.ToLower(path.Base(c.Path)) {
		case "ntuser.dat", "usrclass.dat", "ntuser.man":
		default:
			return false
		}
	}
	return true
}

// hostName names a host folder: its path relative to the evidence root, with
// a trailing drive-letter folder (KAPE's host/C/...) dropped; the evidence's
// own name when the host is the evidence root.
func hostName(src Source, root string) string {
	rel := root
	if src.Root != "." && src.Root != "" {
		rel = strings.TrimPrefix(strings.TrimPrefix(root, src.Root), "/")
	}
	if rel == "." {
		rel = ""
	}
	comps := strings.Split(rel, "/")
	if n := len(comps); n > 0 && len(comps[n-1]) == 1 && isLetter(comps[n-1][0]) {
		comps = comps[:n-1]
	} else if n > 0 && len(comps[n-1]) == 2 && comps[n-1][1] == ':' {
		comps = comps[:n-1]
	}
	rel = strings.Join(comps, "/")
	if rel == "" {
		base := path.Base(filepathToSlash(src.Name))
		if base == "." || base == "/" || base == "" {
			return "evidence"
		}
		return base
	}
	return rel
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
