package evidence

import (
	"io/fs"
	"path"
	"strings"

	"github.com/hivescan/hivescan/hive"
)

// wholeVolume returns the host's drive when the evidence holds it whole
// rather than a collection of its hives: the host folder has a Windows (or
// WINNT) folder whose System32 holds ntdll.dll, which every Windows has and
// no triage collection copies. RegBack copies and other labelled hosts get
// none: their live host already has the drive.
func wholeVolume(src Source, h *Host) *hive.Volume {
	if h.Label != "" {
		return nil
	}
	for _, win := range []string{"windows", "winnt"} {
		dir, ok := childFold(src.FS, h.Root, win, true)
		if !ok {
			continue
		}
		sys, ok := childFold(src.FS, dir, "system32", true)
		if !ok {
			continue
		}
		if _, ok := childFold(src.FS, sys, "ntdll.dll", false); ok {
			return &hive.Volume{FS: src.FS, Root: h.Root, Display: src.display}
		}
	}
	return nil
}

// childFold finds the entry of dir named name ignoring letter case.
func childFold(fsys fs.FS, dir, name string, wantDir bool) (string, bool) {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return "", false // not there or not listable: not a whole volume
	}
	for _, e := range ents {
		if strings.EqualFold(e.Name(), name) && e.IsDir() == wantDir {
			return path.Join(dir, e.Name()), true
		}
	}
	return "", false
}
