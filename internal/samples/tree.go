// Package samples describes the sample evidence committed under
// testdata/evidence: Windows hosts whose hives are written by the project's
// own hive builder (hive/hivetest). Tests reuse the same descriptions, and a
// test keeps the committed files equal to what the generator writes.
//
//go:generate go run ./gen -o ../../testdata/evidence
package samples

import (
	"fmt"
	"strings"
	"time"

	"github.com/hivescan/hivescan/hive/hivetest"
)

// At returns the key at a `\`-separated path below k, creating missing keys.
func At(k *hivetest.Key, path string) *hivetest.Key {
	cur := k
	for _, name := range strings.Split(path, `\`) {
		if name == "" {
			continue
		}
		var next *hivetest.Key
		for _, s := range cur.Subkeys {
			if strings.EqualFold(s.Name, name) {
				next = s
				break
			}
		}
		if next == nil {
			next = &hivetest.Key{Name: name, LastWrite: cur.LastWrite}
			cur.Subkeys = append(cur.Subkeys, next)
		}
		cur = next
	}
	return cur
}

// Set puts values on the key at path (creating it), replacing values of the
// same name (case-insensitive).
func Set(k *hivetest.Key, path string, vals ...hivetest.Value) *hivetest.Key {
	key := At(k, path)
	for _, v := range vals {
		replaced := false
		for i := range key.Values {
			if strings.EqualFold(key.Values[i].Name, v.Name) {
				key.Values[i] = v
				replaced = true
				break
			}
		}
		if !replaced {
			key.Values = append(key.Values, v)
		}
	}
	return key
}

// Touch sets the last-write time of the key at path.
func Touch(k *hivetest.Key, path string, t time.Time) {
	At(k, path).LastWrite = t
}

// Hive is one hive file of a sample host.
type Hive struct {
	Path string // slash path below the host folder, e.g. Windows/System32/config/SYSTEM
	Root *hivetest.Key
	Opts hivetest.Options
	// After, when set, changes the built hive the way Windows would later
	// (e.g. deleting a value with FreeValue); Fix is called after it.
	After func(*hivetest.Hive) error
}

// Host is one sample host folder.
type Host struct {
	Name  string // folder name under testdata/evidence
	About string // one line for the README
	Hives []Hive
	// Files are other files of the host's folder (Windows/win.ini ...),
	// by slash path.
	Files map[string]string
}

// Build returns the bytes of every hive of h, by path.
func (h Host) Build() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, hv := range h.Hives {
		b, err := hivetest.Build(hv.Root, hv.Opts)
		if err != nil {
			return nil, err
		}
		if hv.After != nil {
			if err := hv.After(b); err != nil {
				return nil, fmt.Errorf("%s: %w", hv.Path, err)
			}
			b.Fix()
		}
		out[hv.Path] = b.Bytes
	}
	for p, text := range h.Files {
		out[p] = []byte(text)
	}
	return out, nil
}

// Win10WinIni and Win10SystemIni are the Windows folder's win.ini and
// system.ini as Windows 10 ships them.
const (
	Win10WinIni    = "; for 16-bit app support\r\n[fonts]\r\n[extensions]\r\n[mci extensions]\r\n[files]\r\n[Mail]\r\nMAPI=1\r\n"
	Win10SystemIni = "; for 16-bit app support\r\n[386Enh]\r\nwoafont=dosapp.fon\r\nEGA80WOA.FON=EGA80WOA.FON\r\nEGA40WOA.FON=EGA40WOA.FON\r\nCGA80WOA.FON=CGA80WOA.FON\r\nCGA40WOA.FON=CGA40WOA.FON\r\n\r\n[drivers]\r\nwave=mmdrv.dll\r\ntimer=timer.drv\r\n\r\n[mci]\r\n"
)
