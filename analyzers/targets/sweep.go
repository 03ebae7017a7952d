package targets

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive/image/ntfsfs"
	"github.com/hivescan/hivescan/report"
)

// Sweep walks the host's volume for copies of critical Windows processes.
var Sweep = &analysis.Analyzer{
	Name: "sweep",
	Doc: `files on the host's volume named like critical Windows processes outside their folders
Walks the host's volume (a disk image's NTFS volume through its MFT, live
and deleted records; a mounted volume through its folders) for files named
like a critical Windows process (smss.exe, csrss.exe, wininit.exe,
winlogon.exe, services.exe, lsass.exe, svchost.exe, explorer.exe ...)
outside the folders Windows keeps them in, and for names one edit away
from them or written with look-alike characters. Each copy is reported
with the prior from the location table (the share of such copies found
malicious in that class of folder), its size beside the genuine copy's,
its hashes and NTFS times; several copies at once are critical. Windows'
own stores of file copies (WinSxS, servicing and update caches,
Windows.old ...) are skipped, and executables in folders where no program
belongs (System32\config, Fonts, Tasks, the Recycle Bin, Users\Public,
the root of ProgramData) are reported at low. Runs only when the evidence
holds the volume; --no-sweep turns it off.`,
	NeedsVolume: true,
	Attack:      []string{"T1036.005", "T1036.003", "T1036"},
	Run:         runSweep,
}

// maxSweepFiles bounds the files looked at; maxHits the files reported
// per rule.
const (
	maxSweepFiles = 10_000_000
	maxHits       = 500
)

// sweepExts are the extensions judged: critical names are .exe, and the
// odd-place check takes every PE kind.
var sweepExts = map[string]bool{".exe": true, ".dll": true, ".scr": true, ".com": true, ".sys": true, ".cpl": true, ".ocx": true}

// volFile is one file met on the volume.
type volFile struct {
	rel     string // slash path from the drive root
	size    int64
	deleted bool
	rec     *ntfsfs.Record // nil off NTFS
}

// hit is a file the sweep reports.
type hit struct {
	file   volFile
	win    string // Windows path
	rule   string
	reason winpath.Reason
	risk   float64
	canon  string // critical name it copies, for fake-system-process
	place  place  // for odd-place
}

func runSweep(p *analysis.Pass) error {
	vol := p.Set.Volume
	env := p.Env(nil)
	drive := driveOf(env)
	var hits []hit
	seen := 0
	err := walkVolume(p.Context(), vol.FS, vol.Root, func(f volFile, dir []string) error {
		seen++
		if seen > maxSweepFiles {
			return fmt.Errorf("stopped after %d files", maxSweepFiles)
		}
		if isStore(dir) {
			return nil // Windows' own copies (places.tsv)
		}
		ext := strings.ToLower(path.Ext(f.rel))
		if !sweepExts[ext] {
			return nil
		}
		win := winPathOf(drive, f.rel)
		if ext == ".exe" || ext == ".com" || ext == ".scr" {
			a := winpath.AssessPath(win, env)
			for _, r := range a.Reasons {
				if !strings.HasPrefix(r.Rule, "masquerade.") {
					continue
				}
				h := hit{file: f, win: win, reason: r, risk: a.Risk}
				if r.Rule == "masquerade.location" {
					h.rule = "fake-system-process"
					h.canon, _ = winpath.CriticalName(path.Base(f.rel))
				} else {
					h.rule = "lookalike-name"
				}
				hits = append(hits, h)
				return nil
			}
		}
		if pl, ok := oddPlace(dir); ok {
			hits = append(hits, hit{file: f, win: win, rule: "odd-place", place: pl})
		}
		return nil
	})
	if err != nil {
		p.Problem(fmt.Errorf("volume sweep of %s: %w", vol.Display(vol.Root), err))
	}
	v := newVolume(vol, drive)
	p.Report(sweepFindings(p.Context(), v, env, hits, vol.Display(vol.Root))...)
	return nil
}

// sweepFindings turns hits into findings: several live copies of critical
// names at once are critical, one is high, a deleted one a step lower.
func sweepFindings(ctx context.Context, v *volume, env winpath.Env, hits []hit, volName string) []report.Finding {
	sort.Slice(hits, func(i, j int) bool { return hits[i].win < hits[j].win })
	liveFakes := 0
	for _, h := range hits {
		if h.rule == "fake-system-process" && !h.file.deleted {
			liveFakes++
		}
	}
	perRule := map[string]int{}
	var out []report.Finding
	for _, h := range hits {
		perRule[h.rule]++
		if perRule[h.rule] > maxHits {
			continue
		}
		t := report.Target{Path: h.win, Exists: true, Size: h.file.size}
		if h.file.deleted {
			t.Exists, t.Deleted = false, true
			if h.file.rec != nil {
				t.Times, t.Timestomped = recordTimes(h.file.rec), timestomped(h.file.rec)
			}
		} else if d, ok := v.describe(ctx, h.win); ok {
			t = d
		}
		f := report.Finding{Rule: h.rule, HiveKind: KindVolume, Hive: volName, Key: h.win, Risk: h.risk, Targets: []report.Target{t}}
		name := path.Base(h.file.rel)
		switch h.rule {
		case "fake-system-process":
			f.Severity, f.Attack = report.High, []string{"T1036.005"}
			if liveFakes > 1 {
				f.Severity = report.Critical
			}
			f.Title = name + " outside its Windows folder, on the volume"
			f.Detail = h.reason.Text + genuineSize(ctx, v, env, h.canon, t) + priorText(h.risk)
			if liveFakes > 1 {
				f.Detail += fmt.Sprintf(" The volume holds %d such copies of critical process names outside their folders: several at once is how droppers hedge.", liveFakes)
			}
		case "lookalike-name":
			f.Severity, f.Attack = report.Medium, h.reason.Attack
			f.Title = name + " is named like a Windows process, on the volume"
			f.Detail = h.reason.Text
		case "odd-place":
			f.Severity, f.Attack = report.Low, []string{"T1036"}
			f.Title = "program file " + name + " where no program belongs, on the volume"
			f.Detail = "A " + strings.ToLower(path.Ext(name)) + " file sits in " + h.win[:strings.LastIndexByte(h.win, '\\')] +
				", a folder where Windows keeps no programs (" + h.place.source + "). Droppers use such folders because nobody looks there. Collect the file and check what starts it."
		}
		if h.file.deleted {
			f.Deleted = true
			f.Severity--
			f.Detail += " The file was deleted (its MFT record is free, its data may be overwritten): recover it from the record's runs if they are intact."
		}
		if t.Timestomped {
			f.Detail += " Its $STANDARD_INFORMATION creation time is earlier than its $FILE_NAME one: its times were set back."
		}
		out = append(out, f)
	}
	for rule, n := range perRule {
		if n > maxHits {
			out = append(out, report.Finding{Rule: rule, Severity: report.Medium, HiveKind: KindVolume, Hive: volName, Key: `(more)`,
				Title:  fmt.Sprintf("%d more %s files on the volume, not listed", n-maxHits, rule),
				Detail: fmt.Sprintf("The sweep lists at most %d files per rule; %d more matched. Scan the volume with a file-system tool for the rest.", maxHits, n-maxHits)})
		}
	}
	return out
}

// genuineSize compares a copy's size with the genuine file's on the same
// volume.
func genuineSize(ctx context.Context, v *volume, env winpath.Env, canon string, t report.Target) string {
	if canon == "" || !t.Exists && !t.Deleted {
		return ""
	}
	root := winpath.SystemRootDir(env)
	for _, dir := range []string{root + `\System32\`, root + `\`} {
		g, ok := v.describe(ctx, dir+canon)
		if !ok || !g.Exists {
			continue
		}
		if g.SHA256 != "" && g.SHA256 == t.SHA256 {
			return fmt.Sprintf(" It is byte for byte the volume's own %s (%s): a copy of the genuine file, which still says someone put it there.", canon, g.Path)
		}
		return fmt.Sprintf(" Its size is %d bytes; the volume's own %s is %d bytes.", t.Size, g.Path, g.Size)
	}
	return ""
}

func priorText(risk float64) string {
	if risk <= 0 {
		return ""
	}
	return fmt.Sprintf(" In the location table of the source material, %.0f%% of such copies in this class of folder were malicious.", risk*100)
}

// walkVolume calls fn for every file below root, with its folder's folded
// elements relative to root. Stores are skipped whole where the walk can.
func walkVolume(ctx context.Context, fsys fs.FS, root string, fn func(f volFile, dir []string) error) error {
	if handled, err := walkMFT(ctx, fsys, root, fn); handled {
		return err
	}
	prefix := strings.TrimSuffix(root, "/") + "/"
	if root == "." || root == "" {
		prefix = ""
		root = "."
	}
	return fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return nil // an unreadable folder: the rest still counts (reported below)
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		rel := strings.TrimPrefix(p, prefix)
		if d.IsDir() {
			if p != root && isStore(splitDir(rel)) {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		f := volFile{rel: rel}
		if info, err := d.Info(); err == nil {
			f.size = info.Size()
			f.rec, _ = info.Sys().(*ntfsfs.Record)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fn(f, splitDir(path.Dir(rel)))
	})
}
