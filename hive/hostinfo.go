package hive

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

// HostInfo is what a host's SYSTEM and SOFTWARE hives say about the
// machine. Fields are empty (or zero) when the hive or value is absent;
// Errs lists the values that were there but could not be read.
type HostInfo struct {
	ComputerName string // SYSTEM: current control set's Control\ComputerName\ComputerName
	ProductName  string // SOFTWARE: Microsoft\Windows NT\CurrentVersion ProductName ("Windows 10 Pro")
	EditionID    string // "Professional", "ServerStandard", ...
	// Version is CurrentVersion ("6.1"; Windows 10 and later keep "6.3"
	// there and carry the real version in CurrentMajorVersionNumber, which
	// Version then reports as "10.0").
	Version        string
	Build          string    // CurrentBuildNumber (or CurrentBuild), e.g. "19045"
	UBR            uint32    // update build revision (0 when absent)
	DisplayVersion string    // DisplayVersion or ReleaseId ("22H2", "1709")
	InstallDate    time.Time // InstallTime (FILETIME) or InstallDate (Unix seconds), UTC
	ShutdownTime   time.Time // SYSTEM: Control\Windows ShutdownTime, UTC
	TimeZone       string    // TimeZoneKeyName, or StandardName before Vista
	Profiles       []Profile // SOFTWARE ProfileList, sorted by SID
	Errs           []error
}

// Profile is one entry of SOFTWARE's ProfileList: a SID and its profile
// folder.
type Profile struct {
	SID    string
	Path   string // ProfileImagePath as written ("%SystemRoot%\ServiceProfiles\LocalService")
	Folder string // its last component ("LocalService")
}

// wellKnownProfiles are the service accounts whose profile folders exist on
// every Windows since Vista, with their fixed SIDs.
var wellKnownProfiles = map[string]string{
	"systemprofile":  "S-1-5-18",
	"localservice":   "S-1-5-19",
	"networkservice": "S-1-5-20",
}

// SIDFor returns the SID of the profile whose folder is named folder (case
// ignored): from the ProfileList when it lists the folder, else for the
// service accounts' well-known SIDs. ok is false when neither tells.
func (i HostInfo) SIDFor(folder string) (sid string, ok bool) {
	for _, p := range i.Profiles {
		if strings.EqualFold(p.Folder, folder) {
			return p.SID, true
		}
	}
	sid, ok = wellKnownProfiles[strings.ToLower(folder)]
	return sid, ok
}

// OS renders the product, version and build for reports:
// "Windows 10 Pro 22H2 (10.0.19045.2965)".
func (i HostInfo) OS() string {
	var parts []string
	if i.ProductName != "" {
		parts = append(parts, i.ProductName)
	}
	if i.DisplayVersion != "" {
		parts = append(parts, i.DisplayVersion)
	}
	v := i.Version
	if _, err := strconv.Atoi(i.Build); err != nil && i.Build != "" {
		// NT 3.x writes a sentence: "1.528.1 () (July 1993)".
		return strings.Join(append(parts, "version "+i.Version+", build "+i.Build), " ")
	}
	if i.Build != "" {
		if v != "" {
			v += "."
		}
		v += i.Build
		if i.UBR != 0 {
			v += fmt.Sprintf(".%d", i.UBR)
		}
	}
	if v != "" {
		parts = append(parts, "("+v+")")
	}
	return strings.Join(parts, " ")
}

// Info reads the host's identity once from its SYSTEM and SOFTWARE hives
// (the first of each kind) and caches it: call it after every entry is
// added.
func (s *Set) Info() HostInfo {
	s.infoOnce.Do(func() { s.info = readHostInfo(s) })
	return s.info
}

func readHostInfo(s *Set) HostInfo {
	var info HostInfo
	r := infoReader{info: &info}
	if sys := s.System(); sys != nil {
		sets, err := sys.ControlSets()
		r.note(err)
		for _, cs := range sets {
			if !cs.IsCurrent() {
				continue
			}
			info.ComputerName = r.text(cs.Key, `Control\ComputerName\ComputerName`, "ComputerName")
			if b := r.bytes(cs.Key, `Control\Windows`, "ShutdownTime"); len(b) == 8 {
				info.ShutdownTime = Filetime(binary.LittleEndian.Uint64(b))
			}
			info.TimeZone = r.text(cs.Key, `Control\TimeZoneInformation`, "TimeZoneKeyName")
			if info.TimeZone == "" {
				info.TimeZone = r.text(cs.Key, `Control\TimeZoneInformation`, "StandardName")
			}
		}
	}
	if sw := s.Software(); sw != nil {
		root, err := sw.Root()
		r.note(err)
		if root != nil {
			const cv = `Microsoft\Windows NT\CurrentVersion`
			info.ProductName = r.text(root, cv, "ProductName")
			info.EditionID = r.text(root, cv, "EditionID")
			info.Version = r.text(root, cv, "CurrentVersion")
			if major, ok := r.uint(root, cv, "CurrentMajorVersionNumber"); ok {
				minor, _ := r.uint(root, cv, "CurrentMinorVersionNumber")
				info.Version = fmt.Sprintf("%d.%d", major, minor)
			}
			info.Build = r.text(root, cv, "CurrentBuildNumber")
			if info.Build == "" {
				info.Build = r.text(root, cv, "CurrentBuild")
			}
			if b, err := strconv.Atoi(info.Build); err == nil && b >= 10240 && info.Version == "6.3" {
				// Windows 10 and 11 keep "6.3" in CurrentVersion for old programs.
				info.Version = "10.0"
			}
			if ubr, ok := r.uint(root, cv, "UBR"); ok {
				info.UBR = uint32(ubr)
			}
			info.DisplayVersion = r.text(root, cv, "DisplayVersion")
			if info.DisplayVersion == "" {
				info.DisplayVersion = r.text(root, cv, "ReleaseId")
			}
			if ft, ok := r.uint(root, cv, "InstallTime"); ok && ft != 0 {
				info.InstallDate = Filetime(ft)
			} else if secs, ok := r.uint(root, cv, "InstallDate"); ok && secs != 0 {
				info.InstallDate = time.Unix(int64(secs), 0).UTC()
			}
			info.Profiles = r.profiles(root, cv+`\ProfileList`)
		}
	}
	return info
}

// infoReader reads optional values: absence leaves a field empty, damage
// is recorded in Errs.
type infoReader struct{ info *HostInfo }

func (r infoReader) note(err error) {
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.info.Errs = append(r.info.Errs, err)
	}
}

func (r infoReader) value(k *Key, path, name string) *Value {
	sub, err := k.Key(path)
	if err != nil {
		r.note(err)
		return nil
	}
	v, err := sub.Value(name)
	if err != nil {
		r.note(err)
		return nil
	}
	return v
}

func (r infoReader) text(k *Key, path, name string) string {
	v := r.value(k, path, name)
	if v == nil {
		return ""
	}
	s, err := v.Text()
	r.note(err)
	return strings.TrimSpace(s)
}

func (r infoReader) bytes(k *Key, path, name string) []byte {
	v := r.value(k, path, name)
	if v == nil {
		return nil
	}
	b, err := v.Bytes()
	r.note(err)
	return b
}

func (r infoReader) uint(k *Key, path, name string) (uint64, bool) {
	v := r.value(k, path, name)
	if v == nil {
		return 0, false
	}
	n, err := v.Uint64()
	if err != nil {
		r.note(err)
		return 0, false
	}
	return n, true
}

func (r infoReader) profiles(root *Key, path string) []Profile {
	list, err := root.Key(path)
	if err != nil {
		r.note(err)
		return nil
	}
	subs, err := list.Subkeys()
	r.note(err)
	var out []Profile
	for _, sk := range subs {
		if !strings.HasPrefix(strings.ToUpper(sk.Name()), "S-1-") {
			continue
		}
		p := Profile{SID: sk.Name(), Path: r.text(sk, "", "ProfileImagePath")}
		if i := strings.LastIndexAny(p.Path, `\/`); i >= 0 {
			p.Folder = p.Path[i+1:]
		} else {
			p.Folder = p.Path
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SID < out[j].SID })
	return out
}
