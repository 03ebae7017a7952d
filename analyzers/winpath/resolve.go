package winpath

import (
	"strings"
)

// Path is a Windows file path made absolute and normalised.
//
// Full is the path Windows would open, with environment variables expanded,
// namespace prefixes (\??\, \\?\, \\.\) removed, \SystemRoot\ and bare
// "system32\..." mapped to the Windows folder, '/' turned into '\', "." and
// ".." collapsed and the drive letter upper-cased. Letter case is otherwise
// kept as written, and so are 8.3 short names (PROGRA~1): comparisons made by
// this package ignore case and read PROGRA~1 as Program Files.
type Path struct {
	Raw        string // the path as given
	Full       string // normalised absolute path, "" when nothing was given
	Dir        string // Full without its last element
	Base       string // last element without stream; trailing dots and spaces kept
	Ext        string // lower-case extension of Base (".exe"), ignoring trailing dots and spaces
	Stream     string // alternate data stream after "file:" ("hidden", "hidden:$DATA"); "" for the file itself
	UNC        bool   // a network path \\server\share\...
	GlobalRoot bool   // an NT object-manager path: \\?\GLOBALROOT\..., \Device\..., \\?\Volume{...}
	Relative   bool   // written without drive or root: the folder was inferred as Windows would search
	SystemRoot string // the Windows folder the path was resolved against (C:\Windows)
}

// String returns Full.
func (p Path) String() string { return p.Full }

// Resolve expands image in env and normalises it. A bare file name resolves
// to the System32 folder, where Windows searches first (or to the Windows
// folder for the few programs that ship only there, such as explorer.exe),
// and gets ".exe" when it has no extension; other relative paths resolve under the Windows folder,
// as the kernel resolves service image paths. Surrounding quotes are removed.
func Resolve(image string, env Env) Path {
	sysRoot := systemRoot(env)
	p := Path{Raw: image, SystemRoot: sysRoot}
	s := strings.TrimLeft(image, " \t")
	if strings.HasPrefix(s, `"`) {
		s = s[1:]
		if i := strings.IndexByte(s, '"'); i >= 0 {
			s = s[:i]
		}
	}
	s = strings.ReplaceAll(env.Expand(s), "/", `\`)
	if s == "" {
		return p
	}
	root, rest := splitRoot(s, env, &p)
	elems := cleanElems(rest)
	if p.Relative && len(elems) == 1 && root == "" {
		// A bare name: Windows searches System32 first.
		if !strings.Contains(strings.TrimRight(elems[0], " ."), ".") {
			elems[0] += ".exe"
		}
		root = sysRoot
		if !windowsFolderNames[strings.ToLower(elems[0])] {
			elems = append([]string{"System32"}, elems...)
		}
	} else if root == "" {
		root = sysRoot
	}
	if len(elems) > 0 {
		last := elems[len(elems)-1]
		if i := strings.IndexByte(last, ':'); i >= 0 {
			last, p.Stream = last[:i], last[i+1:]
			elems[len(elems)-1] = last
		}
	}
	p.Full = joinPath(root, elems)
	if len(elems) > 0 {
		p.Base = elems[len(elems)-1]
		p.Dir = joinPath(root, elems[:len(elems)-1])
	} else {
		p.Dir = p.Full
	}
	p.Ext = extOf(p.Base)
	return p
}

// windowsFolderNames are programs that ship in the Windows folder and not in
// System32, so a bare name finds them there (the next folder Windows
// searches). Winlogon's Shell value is the bare "explorer.exe".
var windowsFolderNames = map[string]bool{
	"explorer.exe": true, "regedit.exe": true, "hh.exe": true,
	"winhlp32.exe": true, "bfsvc.exe": true, "splwow64.exe": true, "helppane.exe": true,
}

// splitRoot separates the root of an expanded path (a drive "C:", a share
// "\\server\share", an NT prefix) from the rest, and records the kind of path
// in p. An empty root means "relative to the Windows folder".
func splitRoot(s string, env Env, p *Path) (root, rest string) {
	hasPrefix := func(pre string) bool {
		return len(s) >= len(pre) && strings.EqualFold(s[:len(pre)], pre)
	}
	switch {
	case hasPrefix(`\\?\GLOBALROOT\`), hasPrefix(`\\.\GLOBALROOT\`), hasPrefix(`\??\GLOBALROOT\`):
		p.GlobalRoot = true
		return `\\?\GLOBALROOT`, s[len(`\\?\GLOBALROOT\`):]
	case hasPrefix(`\\?\UNC\`), hasPrefix(`\??\UNC\`), hasPrefix(`\\.\UNC\`):
		return uncRoot(s[len(`\\?\UNC\`):], p)
	case hasPrefix(`\\?\`), hasPrefix(`\??\`), hasPrefix(`\\.\`):
		s = s[4:]
		if hasPrefix(`Volume{`) || hasPrefix(`HarddiskVolume`) {
			p.GlobalRoot = true
			return `\\?`, s
		}
		return splitRoot(s, env, p)
	case hasPrefix(`\\`):
		return uncRoot(s[2:], p)
	case hasPrefix(`\Device\`):
		p.GlobalRoot = true
		return `\\?\GLOBALROOT`, s[1:]
	case hasPrefix(`\SystemRoot\`) || strings.EqualFold(s, `\SystemRoot`):
		return SystemRootDir(env), s[len(`\SystemRoot`):]
	case len(s) >= 2 && s[1] == ':' && isLetter(s[0]):
		if len(s) == 2 || s[2] != '\\' {
			p.Relative = true
		}
		return strings.ToUpper(s[:1]) + ":", s[2:]
	case hasPrefix(`\`):
		return driveOf(env), s
	}
	p.Relative = true
	return "", s
}

func uncRoot(s string, p *Path) (root, rest string) {
	p.UNC = true
	parts := strings.SplitN(strings.TrimLeft(s, `\`), `\`, 3)
	switch len(parts) {
	case 1:
		return `\\` + parts[0], ""
	case 2:
		return `\\` + parts[0] + `\` + parts[1], ""
	}
	return `\\` + parts[0] + `\` + parts[1], parts[2]
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// driveOf returns the system drive of env ("C:").
func driveOf(env Env) string {
	d := normalize(env.Expand(`%SystemDrive%`))
	if len(d) >= 2 && d[1] == ':' {
		return d[:2]
	}
	return "C:"
}

// cleanElems splits a backslash path into elements, dropping empty and "."
// elements and applying "..". ".." never climbs above the root.
func cleanElems(s string) []string {
	var out []string
	for _, e := range strings.Split(s, `\`) {
		switch e {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, e)
		}
	}
	return out
}

func joinPath(root string, elems []string) string {
	if len(elems) == 0 {
		if len(root) == 2 && root[1] == ':' {
			return root + `\`
		}
		return root
	}
	return root + `\` + strings.Join(elems, `\`)
}

// normalize cleans an absolute path without env lookups (used for values
// that are already expanded, such as the Windows folder).
func normalize(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "/", `\`)
	if len(s) >= 2 && s[1] == ':' && isLetter(s[0]) {
		return joinPath(strings.ToUpper(s[:1])+":", cleanElems(s[2:]))
	}
	return s
}

// extOf returns the lower-case extension of name, ignoring trailing dots and
// spaces (which Win32 strips when opening a file).
func extOf(name string) string {
	n := strings.TrimRight(name, " .")
	i := strings.LastIndexByte(n, '.')
	if i < 0 {
		return ""
	}
	return strings.ToLower(n[i:])
}
