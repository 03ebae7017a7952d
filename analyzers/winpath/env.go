package winpath

import (
	"reflect"
	"strings"
	"sync"
)

// Env is the environment a path is expanded in: the host's own variables when
// the analyzer knows them, Windows defaults otherwise.
//
// Lookups ignore letter case. A variable is taken from User, then System,
// then the defaults below, so a host that moved ProgramFiles to D: is judged
// by its own layout:
//
//	SystemDrive C:          SystemRoot, windir  C:\Windows
//	ProgramFiles, ProgramW6432            C:\Program Files
//	ProgramFiles(x86)                     C:\Program Files (x86)
//	CommonProgramFiles (and (x86), W6432) ...\Common Files
//	ProgramData, ALLUSERSPROFILE          C:\ProgramData
//	PUBLIC                                C:\Users\Public
//	USERPROFILE                           C:\Users\<UserName>
//	APPDATA, LOCALAPPDATA                 %USERPROFILE%\AppData\Roaming, ...\Local
//	TEMP, TMP                             %LOCALAPPDATA%\Temp
//	HOMEDRIVE, HOMEPATH, USERNAME, ComSpec
//
// With XP set, profiles live under C:\Documents and Settings, ALLUSERSPROFILE
// is "...\All Users" and APPDATA, LOCALAPPDATA and TEMP use "Application Data"
// and "Local Settings". When UserName is empty, the placeholder "<user>" (a
// character Windows forbids in names) stands in, so that a per-user path is
// still recognised as one.
type Env struct {
	System   map[string]string // Session Manager\Environment (SYSTEM hive); may hold SystemRoot
	User     map[string]string // the user's Environment key (NTUSER.DAT)
	UserName string            // profile folder name, e.g. "alice"
	Profile  string            // profile folder when known (ProfileList), overrides the default
	XP       bool              // Windows XP / 2003 layout (Documents and Settings)
	// Genuine maps lower-case file names to the folders (relative to the
	// Windows folder, lower case: "system32") where this Windows version
	// ships a file of that name that resembles a critical process name
	// (NT 4's spoolss.exe is one edit from spoolsv.exe). Name checks accept
	// such a file there.
	Genuine map[string][]string
	// Carved says the text was recovered from reused cells and may have lost
	// its start: checks that judge a program by its file name or folder
	// (masquerade, look-alike, location) are skipped, as a truncated path
	// names neither reliably; checks of what the text runs remain.
	Carved bool

	// memo keeps the layout of this environment (see Memo).
	memo *layoutMemo
}

// Memo returns e with a cache for the folder layout the assessor derives
// from it (a dozen expansions per assessment otherwise). Copies share the
// cache; one whose fields were changed afterwards is recomputed, not served
// the stale layout. The environment's maps must not be changed in place
// once memoised.
func (e Env) Memo() Env {
	e.memo = &layoutMemo{}
	return e
}

type layoutMemo struct {
	mu  sync.Mutex
	key envIdentity
	l   *layout

	// assessed keeps the verdicts of Assess ("c" + command line) and
	// AssessPath ("p" + path) for the environment akey: a host's control
	// sets repeat most service images, and its hives most paths.
	akey     envIdentity
	assessed map[string]Assessment
}

// maxMemoAssessments bounds the verdicts one environment keeps.
const maxMemoAssessments = 8192

// recall returns the verdict memoised for key under env.
func (m *layoutMemo) recall(key string, env Env) (Assessment, bool) {
	if m == nil {
		return Assessment{}, false
	}
	id := identityOf(env)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.akey != id {
		return Assessment{}, false
	}
	a, ok := m.assessed[key]
	return a.clone(), ok
}

// keep memoises a verdict for key under env.
func (m *layoutMemo) keep(key string, env Env, a Assessment) {
	if m == nil {
		return
	}
	id := identityOf(env)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.akey != id || m.assessed == nil || len(m.assessed) >= maxMemoAssessments {
		m.akey, m.assessed = id, map[string]Assessment{}
	}
	m.assessed[key] = a.clone()
}

// envIdentity is what layoutOf reads from an Env, by identity.
type envIdentity struct {
	system, user, genuine uintptr
	userName, profile     string
	xp, carved            bool
}

func identityOf(e Env) envIdentity {
	return envIdentity{
		system: reflect.ValueOf(e.System).Pointer(), user: reflect.ValueOf(e.User).Pointer(), genuine: reflect.ValueOf(e.Genuine).Pointer(),
		userName: e.UserName, profile: e.Profile, xp: e.XP, carved: e.Carved,
	}
}

// UnknownUser is the profile name used when Env.UserName is empty.
const UnknownUser = "<user>"

// Expansion limits: nested references deeper than maxExpandDepth, and output
// beyond maxExpandOutput bytes (or the input length, if larger), are left as
// written.
const (
	maxExpandDepth  = 8
	maxExpandOutput = 32 << 10
)

func (e Env) defaults() map[string]string {
	user := e.UserName
	if user == "" {
		user = UnknownUser
	}
	d := map[string]string{
		"systemdrive":             `C:`,
		"systemroot":              `%SystemDrive%\Windows`,
		"windir":                  `%SystemRoot%`,
		"programfiles":            `%SystemDrive%\Program Files`,
		"programfiles(x86)":       `%SystemDrive%\Program Files (x86)`,
		"programw6432":            `%SystemDrive%\Program Files`,
		"commonprogramfiles":      `%ProgramFiles%\Common Files`,
		"commonprogramfiles(x86)": `%ProgramFiles(x86)%\Common Files`,
		"commonprogramw6432":      `%ProgramW6432%\Common Files`,
		"programdata":             `%SystemDrive%\ProgramData`,
		"allusersprofile":         `%ProgramData%`,
		"public":                  `%SystemDrive%\Users\Public`,
		"userprofile":             `%SystemDrive%\Users\` + user,
		"appdata":                 `%USERPROFILE%\AppData\Roaming`,
		"localappdata":            `%USERPROFILE%\AppData\Local`,
		"temp":                    `%LOCALAPPDATA%\Temp`,
		"tmp":                     `%LOCALAPPDATA%\Temp`,
		"homedrive":               `%SystemDrive%`,
		"homepath":                `\Users\` + user,
		"username":                user,
		"comspec":                 `%SystemRoot%\system32\cmd.exe`,
	}
	if e.XP {
		d["allusersprofile"] = `%SystemDrive%\Documents and Settings\All Users`
		d["programdata"] = `%ALLUSERSPROFILE%\Application Data`
		d["userprofile"] = `%SystemDrive%\Documents and Settings\` + user
		d["homepath"] = `\Documents and Settings\` + user
		d["appdata"] = `%USERPROFILE%\Application Data`
		d["localappdata"] = `%USERPROFILE%\Local Settings\Application Data`
		d["temp"] = `%USERPROFILE%\Local Settings\Temp`
		d["tmp"] = d["temp"]
		delete(d, "public")
	}
	if e.Profile != "" {
		d["userprofile"] = e.Profile
		if _, rest, ok := strings.Cut(e.Profile, ":"); ok {
			d["homepath"] = rest
		}
	}
	return d
}

// vars returns every known variable keyed by lower-case name.
func (e Env) vars() map[string]string {
	m := e.defaults()
	for _, src := range []map[string]string{e.System, e.User} {
		for k, v := range src {
			m[strings.ToLower(k)] = v
		}
	}
	return m
}

// lookupRaw returns the unexpanded value of the variable name (lower case),
// with the precedence of vars (User, then System, then the defaults) but
// without building a map: Expand runs for every command line of a scan, and
// rebuilding the merged map on each call was most of a scan's CPU.
func (e *Env) lookupRaw(name string) (string, bool) {
	for _, src := range []map[string]string{e.User, e.System} {
		if v, ok := src[name]; ok {
			return v, true
		}
		for k, v := range src {
			if len(k) == len(name) && strings.ToLower(k) == name {
				return v, true
			}
		}
	}
	return e.defaultVar(name)
}

// defaultVar is defaults()[name] without building the map.
func (e *Env) defaultVar(name string) (string, bool) {
	user := e.UserName
	if user == "" {
		user = UnknownUser
	}
	switch name {
	case "userprofile":
		if e.Profile != "" {
			return e.Profile, true
		}
		if e.XP {
			return `%SystemDrive%\Documents and Settings\` + user, true
		}
		return `%SystemDrive%\Users\` + user, true
	case "homepath":
		if e.Profile != "" {
			if _, rest, ok := strings.Cut(e.Profile, ":"); ok {
				return rest, true
			}
		}
		if e.XP {
			return `\Documents and Settings\` + user, true
		}
		return `\Users\` + user, true
	case "username":
		return user, true
	}
	if e.XP {
		v, ok := xpDefaults[name]
		return v, ok
	}
	v, ok := winDefaults[name]
	return v, ok
}

var winDefaults, xpDefaults = staticDefaults(false), staticDefaults(true)

func staticDefaults(xp bool) map[string]string {
	d := Env{XP: xp}.defaults()
	delete(d, "userprofile")
	delete(d, "homepath")
	delete(d, "username")
	return d
}

// Lookup returns the value of the variable name (any letter case), itself
// expanded, and whether the variable is known.
func (e Env) Lookup(name string) (string, bool) {
	v, ok := e.vars()[strings.ToLower(name)]
	if !ok {
		return "", false
	}
	return e.Expand(v), true
}

// Expand replaces %NAME% references in s with their values, ignoring letter
// case. Values are expanded in turn (Windows builds its environment that way
// from REG_EXPAND_SZ values); a variable that refers back to itself, directly
// or through others, and unknown variables stay as written. Output is
// bounded: at most maxExpandDepth levels of nesting and about
// max(len(s), maxExpandOutput) bytes.
func (e Env) Expand(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	x := expander{env: &e, budget: max(len(s), maxExpandOutput)}
	var b strings.Builder
	x.expand(&b, s, 0)
	return b.String()
}

type expander struct {
	env    *Env
	budget int      // bytes of variable values still allowed in the output
	stack  []string // variables being expanded, to stop loops
}

func (x *expander) expand(b *strings.Builder, s string, depth int) {
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i+1:], '%')
		if j < 0 {
			b.WriteString(s[i:])
			return
		}
		j += i + 1
		name := strings.ToLower(s[i+1 : j])
		v, ok := x.env.lookupRaw(name)
		if !ok || name == "" || depth >= maxExpandDepth || x.active(name) || len(v) > x.budget {
			// Not a reference we expand: keep "%name" and let the closing
			// '%' start the next candidate, as Windows does.
			b.WriteString(s[i:j])
			s = s[j:]
			continue
		}
		x.budget -= len(v)
		x.stack = append(x.stack, name)
		x.expand(b, v, depth+1)
		x.stack = x.stack[:len(x.stack)-1]
		s = s[j+1:]
	}
}

func (x *expander) active(name string) bool {
	for _, n := range x.stack {
		if n == name {
			return true
		}
	}
	return false
}

// SystemRootDir returns the expanded Windows folder of env (C:\Windows by
// default), normalised like Path.Full.
func SystemRootDir(env Env) string {
	return normalize(env.Expand(`%SystemRoot%`))
}

// systemRoot is SystemRootDir, from the memoised layout when env has one.
func systemRoot(env Env) string {
	if env.memo == nil {
		return SystemRootDir(env)
	}
	return layoutOf(env).sysRoot
}
