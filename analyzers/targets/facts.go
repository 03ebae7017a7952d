package targets

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/image/ntfsfs"
	"github.com/hivescan/hivescan/hive/target"
	"github.com/hivescan/hivescan/report"
)

// maxLookups bounds the distinct files looked up on one host's volume.
const maxLookups = 5000

// volume looks files up on one host's volume, once per path.
type volume struct {
	vol   *hive.Volume
	res   *target.Resolver
	drive string // "C:", the drive the volume is to the host

	mu      sync.Mutex
	byPath  map[string]report.Target // folded Windows path -> facts
	skipped int                      // lookups refused past maxLookups
}

func newVolume(vol *hive.Volume, drive string) *volume {
	return &volume{vol: vol, res: target.NewResolver(vol.FS, vol.Root), drive: strings.ToUpper(drive), byPath: map[string]report.Target{}}
}

// describe returns the facts of the file at the Windows path winPath
// (normalised, with a drive letter).
func (v *volume) describe(ctx context.Context, winPath string) (report.Target, bool) {
	key := strings.ToLower(winPath)
	v.mu.Lock()
	t, ok := v.byPath[key]
	if !ok && len(v.byPath) >= maxLookups {
		v.skipped++
		v.mu.Unlock()
		return report.Target{}, false
	}
	v.mu.Unlock()
	if ok {
		return t, true
	}
	t = v.lookup(ctx, winPath)
	v.mu.Lock()
	v.byPath[key] = t
	v.mu.Unlock()
	return t, true
}

func (v *volume) lookup(ctx context.Context, winPath string) report.Target {
	t := report.Target{Path: winPath}
	if len(winPath) >= 2 && winPath[1] == ':' && !strings.EqualFold(winPath[:2], v.drive) {
		t.Error = "on drive " + strings.ToUpper(winPath[:2]) + ", not on the volume of the Windows installation (" + v.drive + ")"
		return t
	}
	if err := ctx.Err(); err != nil {
		t.Error = err.Error()
		return t
	}
	name, err := v.res.Find(winPath)
	if errors.Is(err, fs.ErrNotExist) {
		return t
	}
	if err != nil {
		t.Error = err.Error()
		return t
	}
	facts, err := target.Describe(v.vol.FS, name)
	t = fromFacts(winPath, facts, v.vol.Display)
	if err != nil {
		t.Error = err.Error()
	}
	return t
}

// fromFacts converts what package target found.
func fromFacts(winPath string, f target.Facts, display func(string) string) report.Target {
	t := report.Target{Path: winPath, Exists: f.Exists}
	if !f.Exists {
		return t
	}
	t.Found = f.Path
	if display != nil {
		t.Found = display(f.Path)
	}
	t.Size, t.SHA256, t.SHA1, t.MD5, t.HashPartial = f.Size, f.SHA256, f.SHA1, f.MD5, f.Partial
	if rec, ok := f.Sys.(*ntfsfs.Record); ok && rec != nil {
		t.Times = recordTimes(rec)
		t.Timestomped = timestomped(rec)
		t.Streams = streamsOf(rec)
	}
	if pe := f.PE; pe != nil {
		t.PE = &report.PEFacts{Machine: pe.Machine, Subsystem: pe.Subsys, DLL: pe.DLL, LinkTime: report.FormatTime(pe.LinkTime),
			Signature: "not-embedded", OriginalFilename: pe.OriginalFilename, CompanyName: pe.CompanyName,
			FileDescription: pe.FileDescription, ProductName: pe.ProductName, FileVersion: pe.FileVersion, Error: f.PEError}
		if pe.Signed {
			t.PE.Signature = "signed-embedded"
		}
	}
	return t
}

func recordTimes(rec *ntfsfs.Record) *report.FileTimes {
	si, fn := rec.StandardInformation, rec.FileName
	return &report.FileTimes{Modified: si.Modified, Created: si.Created, MFTChanged: si.MFTChanged, Accessed: si.Accessed,
		FNCreated: fn.Created, FNModified: fn.Modified, FNMFTChanged: fn.MFTChanged, FNAccessed: fn.Accessed, MFTRecord: rec.Number}
}

// timestomped reports a $STANDARD_INFORMATION creation time earlier than
// the $FILE_NAME one: Windows sets both when it creates a file and only
// the first through the API (SetFileTime), so a $SI time before $FN's is
// what tools that backdate files leave. Sub-second differences are
// ignored: some copy paths round $SI.
func timestomped(rec *ntfsfs.Record) bool {
	si, fn := rec.StandardInformation.Created, rec.FileName.Created
	if si.IsZero() || fn.IsZero() {
		return false
	}
	return fn.Sub(si).Seconds() >= 1
}

// winPathOf turns a slash path of the volume (relative to its root) into a
// Windows path on drive.
func winPathOf(drive, rel string) string {
	rel = strings.TrimPrefix(path.Clean("/"+rel), "/")
	return drive + `\` + strings.ReplaceAll(rel, "/", `\`)
}
