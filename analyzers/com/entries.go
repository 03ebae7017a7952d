package com

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/hive"
)

// form says how a location writes the CLSIDs it loads.
type form int

const (
	subkeyNames    form = iota // each subkey is named after a CLSID
	subkeyDefaults             // each subkey's default value is a CLSID (else its name)
	valueNames                 // each value is named after a CLSID
	valueData                  // each value's data is a CLSID
)

// location is a key whose CLSIDs a Windows program loads by itself.
type location struct {
	Label    string
	Path     string // below SOFTWARE (and NTUSER Software when User), or below a Classes root when Classes
	Form     form
	Classes  bool
	User     bool // also read from each user's hive
	LoadedBy string
	Source   string
}

const (
	explorerKey = `Microsoft\Windows\CurrentVersion\Explorer\`
	autoruns    = "https://learn.microsoft.com/sysinternals/downloads/autoruns (Explorer, Internet Explorer and Codecs tabs)"
)

// locations are the COM autostarts: what explorer and Internet Explorer
// create at start or on every right-click, without anyone asking.
var locations = []location{
	{"ShellServiceObjects", explorerKey + `ShellServiceObjects`, subkeyNames, false, false, "explorer at logon", autoruns},
	{"ShellIconOverlayIdentifiers", explorerKey + `ShellIconOverlayIdentifiers`, subkeyDefaults, false, true, "explorer, to draw icon overlays in every folder view", "https://learn.microsoft.com/windows/win32/shell/how-to-implement-icon-overlay-handlers; " + autoruns},
	{"Browser Helper Objects", explorerKey + `Browser Helper Objects`, subkeyNames, false, false, "Internet Explorer (and explorer before Windows 7) at start", "https://learn.microsoft.com/previous-versions/windows/internet-explorer/ie-developer/platform-apis/bb250436(v=vs.85); " + autoruns},
	{"SharedTaskScheduler", explorerKey + `SharedTaskScheduler`, valueNames, false, false, "explorer at logon", autoruns},
	{"ShellExecuteHooks", explorerKey + `ShellExecuteHooks`, valueNames, false, true, "every ShellExecute call (explorer, and programs that start files)", "https://learn.microsoft.com/windows/win32/api/shlobj_core/nn-shlobj_core-ishellexecutehooka; " + autoruns},
	{"ShellServiceObjectDelayLoad", `Microsoft\Windows\CurrentVersion\ShellServiceObjectDelayLoad`, valueData, false, true, "explorer at logon", autoruns},
	{"ContextMenuHandlers (*)", `*\shellex\ContextMenuHandlers`, subkeyDefaults, true, true, "explorer, on every right-click of a file", "https://learn.microsoft.com/windows/win32/shell/context-menu-handlers; " + autoruns},
	{"ContextMenuHandlers (AllFilesystemObjects)", `AllFilesystemObjects\shellex\ContextMenuHandlers`, subkeyDefaults, true, true, "explorer, on every right-click of a file or folder", "https://learn.microsoft.com/windows/win32/shell/context-menu-handlers; " + autoruns},
	{"ContextMenuHandlers (Directory)", `Directory\shellex\ContextMenuHandlers`, subkeyDefaults, true, true, "explorer, on every right-click of a folder", "https://learn.microsoft.com/windows/win32/shell/context-menu-handlers; " + autoruns},
	{"ContextMenuHandlers (Directory background)", `Directory\Background\shellex\ContextMenuHandlers`, subkeyDefaults, true, true, "explorer, on every right-click of a folder's background", "https://learn.microsoft.com/windows/win32/shell/context-menu-handlers; " + autoruns},
	{"ContextMenuHandlers (Folder)", `Folder\shellex\ContextMenuHandlers`, subkeyDefaults, true, true, "explorer, on every right-click of a folder", "https://learn.microsoft.com/windows/win32/shell/context-menu-handlers; " + autoruns},
	{"ContextMenuHandlers (Drive)", `Drive\shellex\ContextMenuHandlers`, subkeyDefaults, true, true, "explorer, on every right-click of a drive", "https://learn.microsoft.com/windows/win32/shell/context-menu-handlers; " + autoruns},
	// Internet Explorer's own autostarts (Autoruns' Internet Explorer tab).
	{"Internet Explorer Toolbar", ieKey + `Toolbar`, valueNames, false, true, "Internet Explorer at start", ieSource},
	{"Internet Explorer Toolbar (WebBrowser)", ieKey + `Toolbar\WebBrowser`, valueNames, false, true, "Internet Explorer at start", ieSource},
	{"Internet Explorer Toolbar (ShellBrowser)", ieKey + `Toolbar\ShellBrowser`, valueNames, false, true, "Internet Explorer and explorer windows at start", ieSource},
	{"Internet Explorer Explorer Bars", ieKey + `Explorer Bars`, subkeyNames, false, true, "Internet Explorer, for its side bars", ieSource},
	{"URLSearchHooks", ieKey + `URLSearchHooks`, valueNames, false, true, "Internet Explorer, on every address typed that is not a URL", "https://learn.microsoft.com/previous-versions/windows/internet-explorer/ie-developer/platform-apis/cc136554(v=vs.85); " + autoruns},
	// Codecs (Autoruns' Codecs tab): created by every program that plays
	// media or decodes images, explorer included (thumbnails, previews).
	{"DirectShow filter", `CLSID\{083863F1-70DE-11d0-BD40-00A0C911CE86}\Instance`, subkeyNames, true, false, "every program that plays media through DirectShow", codecSource},
	{"WIC decoder", `CLSID\{7ED96837-96F0-4812-B211-F13C24117ED3}\Instance`, subkeyNames, true, false, "every program that decodes images through WIC (explorer's thumbnails and previews)", codecSource},
	{"WIC encoder", `CLSID\{AC757296-3522-4E11-9862-C17BE5A1767E}\Instance`, subkeyNames, true, false, "every program that saves images through WIC", codecSource},
	{"Classes Filter", `Filter`, subkeyNames, true, false, "programs that play media through the older filter registrations", codecSource},
}

const (
	ieKey       = `Microsoft\Internet Explorer\`
	ieSource    = "https://learn.microsoft.com/previous-versions/windows/internet-explorer/ie-developer/platform-apis/aa753582(v=vs.85) (toolbars and Explorer Bars); " + autoruns
	codecSource = "https://learn.microsoft.com/sysinternals/downloads/autoruns (Codecs tab: Instance keys of the DirectShow filter category and of CATID_WICBitmapDecoders/Encoders, Classes\\Filter); https://learn.microsoft.com/windows/win32/wic/-wic-about-windows-imaging-codec"
)

// entry is one CLSID a location names.
type entry struct {
	loc   *location
	e     *hive.Entry
	u     *user       // the user whose hive holds it; nil for the machine's
	key   *hive.Key   // the location's key, or the entry's subkey
	val   *hive.Value // the value naming the CLSID; nil when a subkey name does
	clsid string
	name  string // the entry's own name (a subkey or value name)
	wow   bool
}

// readEntries lists every CLSID the host's COM autostart locations name.
func readEntries(p *analysis.Pass, c *classes) ([]entry, error) {
	var out []entry
	var errs []error
	visit := func(loc *location, e *hive.Entry, u *user, base *hive.Key, path string, wow bool) {
		k, ok, err := analysis.OptionalKey(base, path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s\\%s: %w", e.Path, strings.TrimPrefix(base.Path()+`\`+path, `\`), err))
		}
		if !ok {
			return
		}
		es, err := entriesOf(loc, e, u, k, wow)
		out = append(out, es...)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s\\%s: %w", e.Path, strings.TrimPrefix(k.Path(), `\`), err))
		}
	}
	for i := range locations {
		loc := &locations[i]
		if loc.Classes {
			for _, r := range c.machine {
				visit(loc, r.e, nil, r.key, loc.Path, false)
			}
			for _, u := range c.users {
				for _, r := range u.classes {
					visit(loc, r.e, u, r.key, loc.Path, false)
				}
			}
			continue
		}
		for _, e := range p.Set.ByKind(hive.KindSoftware) {
			root, err := e.Root()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
				continue
			}
			visit(loc, e, nil, root, loc.Path, false)
			visit(loc, e, nil, root, `Wow6432Node\`+loc.Path, true)
		}
		if !loc.User {
			continue
		}
		for _, u := range c.users {
			if u.ntuser == nil {
				continue
			}
			root, err := u.ntuser.Root()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", u.ntuser.Path, err))
				continue
			}
			visit(loc, u.ntuser, u, root, `Software\`+loc.Path, false)
			visit(loc, u.ntuser, u, root, `Software\Wow6432Node\`+loc.Path, true)
		}
	}
	return out, errors.Join(errs...)
}

// entriesOf reads the CLSIDs of one location key k.
func entriesOf(loc *location, e *hive.Entry, u *user, k *hive.Key, wow bool) ([]entry, error) {
	var out []entry
	var errs []error
	add := func(key *hive.Key, v *hive.Value, clsid, name string) {
		out = append(out, entry{loc: loc, e: e, u: u, key: key, val: v, clsid: clsid, name: name, wow: wow})
	}
	switch loc.Form {
	case subkeyNames, subkeyDefaults:
		subs, err := k.Subkeys()
		errs = append(errs, err)
		for _, s := range subs {
			if loc.Form == subkeyNames {
				if isCLSID(s.Name()) {
					add(s, nil, s.Name(), s.Name())
				}
				continue
			}
			v, d, err := analysis.Text(s, "")
			errs = append(errs, err)
			switch {
			case isCLSID(d):
				add(s, v, d, s.Name())
			case isCLSID(s.Name()):
				add(s, nil, s.Name(), s.Name())
			}
		}
	case valueNames, valueData:
		vals, err := k.Values()
		errs = append(errs, err)
		for _, v := range vals {
			if loc.Form == valueNames {
				if isCLSID(v.Name()) {
					add(k, v, v.Name(), v.Name())
				}
				continue
			}
			d, ok, err := analysis.ValueText(v)
			errs = append(errs, err)
			if d = strings.TrimSpace(strings.TrimRight(d, "\x00")); ok && isCLSID(d) {
				add(k, v, d, v.Name())
			}
		}
	}
	return out, errors.Join(errs...)
}

// resolve finds the registration Windows uses for clsid on behalf of user u
// (nil: the machine's only): the user's classes first, then the machine's,
// in the entry's view first.
func (c *classes) resolve(u *user, clsid string, wow bool) (registration, bool, error) {
	var errs []error
	var dirs [][]*clsidDir
	if u != nil {
		dirs = append(dirs, u.dirs)
	}
	dirs = append(dirs, c.machineDirs)
	for _, ds := range dirs {
		d, k, err := lookup(ds, clsid, wow)
		errs = append(errs, err)
		if d != nil {
			r, err := readRegistration(d, k)
			return r, true, errors.Join(append(errs, err)...)
		}
	}
	return registration{}, false, errors.Join(errs...)
}
