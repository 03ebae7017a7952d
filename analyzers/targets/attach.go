// Package targets follows findings to the files they start and sweeps the
// host's volume for fake system processes, when the evidence holds the
// volume (hive.Set.Volume: a disk image, a mounted volume, a full copy).
//
// Attach, run after every analyzer, looks up on the volume the file each
// finding names (the program of a command line, the payload a launcher
// runs, the DLL of a DLL list) and records its facts in Finding.Targets:
// exists or missing, size, hashes, NTFS times, streams, PE facts. A file
// whose version resource says it is a critical Windows process or a
// Windows tool under another name is a finding of its own
// (targets/original-name). Sweep is the analyzer that walks the volume.
//
// Nothing is executed or written; every read is bounded (package target).
package targets

import (
	"context"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// maxPerFinding bounds the files looked up for one finding.
const maxPerFinding = 8

// fileExts are the extensions of files an entry can start or load: a data
// string is taken for a file only when it is written with a folder or with
// one of these.
var fileExts = map[string]bool{
	".exe": true, ".dll": true, ".sys": true, ".scr": true, ".cpl": true, ".ocx": true, ".com": true,
	".drv": true, ".efi": true, ".bat": true, ".cmd": true, ".ps1": true, ".vbs": true, ".vbe": true,
	".js": true, ".jse": true, ".wsf": true, ".hta": true, ".msi": true, ".sdb": true, ".lnk": true,
	".jar": true, ".ax": true, ".acm": true, ".tsp": true, ".xll": true, ".wll": true,
}

// Attach fills the Targets of findings with
// the files they name, as the volume holds them, and returns the findings
// the files themselves give (targets/original-name) and what could not be
// looked at. It does nothing when set has no volume.
func Attach(ctx context.Context, host *analysis.Host, set *hive.Set, findings []report.Finding) ([]report.Finding, []report.Problem) {
	if set.Volume == nil {
		return nil, nil
	}
	sysEnv := host.Env(nil)
	v := newVolume(set.Volume, driveOf(sysEnv))
	byHive := map[string]*hive.Entry{}
	for _, e := range set.Entries {
		if _, ok := byHive[e.Path]; !ok {
			byHive[e.Path] = e
		}
	}
	var out []report.Finding
	seen := map[string]bool{} // original-name findings, by file
	for i := range findings {
		f := &findings[i]
		if f.HiveKind == KindVolume || len(f.Targets) > 0 {
			continue
		}
		env := host.Env(byHive[f.Hive])
		for _, p := range namedFiles(f, env) {
			if len(f.Targets) >= maxPerFinding {
				break
			}
			t, ok := v.describe(ctx, p)
			if !ok {
				break
			}
			f.Targets = append(f.Targets, t)
			if nf, ok := originalName(*f, t); ok && !seen[strings.ToLower(t.Path)] {
				seen[strings.ToLower(t.Path)] = true
				nf.Host = set.Host
				out = append(out, nf)
			}
		}
	}
	var problems []report.Problem
	if v.skipped > 0 {
		problems = append(problems, report.Problem{Host: set.Host, Path: set.Root, Analyzer: "targets",
			Message: fmt.Sprintf("%d files named by findings were not looked up on the volume: more than %d distinct files", v.skipped, maxLookups)})
	}
	return out, problems
}

// driveOf returns the system drive ("C:") of env.
func driveOf(env winpath.Env) string {
	root := winpath.SystemRootDir(env)
	if len(root) >= 2 && root[1] == ':' {
		return strings.ToUpper(root[:2])
	}
	return "C:"
}

// namedFiles returns the Windows paths of the files a finding's data names,
// resolved as the analyzers resolve them, without duplicates.
func namedFiles(f *report.Finding, env winpath.Env) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p winpath.Path, raw string) {
		if p.Full == "" || p.UNC || p.GlobalRoot || p.Stream != "" && p.Base == "" {
			return
		}
		if !strings.ContainsAny(raw, `\/`) && !fileExts[p.Ext] {
			return
		}
		if !strings.ContainsAny(raw, `\/`) && !strings.Contains(strings.ToLower(raw), strings.ToLower(p.Base)) {
			return // a bare word the resolver gave ".exe": not written as a file
		}
		full := p.Full
		if wow64(f.Key) {
			full = sysWOW64(full, p.SystemRoot)
		}
		if len(full) < 3 || full[1] != ':' {
			return
		}
		if k := strings.ToLower(full); !seen[k] {
			seen[k] = true
			out = append(out, full)
		}
	}
	for _, s := range f.DataStrings() {
		if len(s) > 4096 || strings.TrimSpace(s) == "" {
			continue
		}
		a := winpath.Assess(s, env)
		add(a.Path, firstToken(s))
		if a.Payload.Full != "" {
			add(a.Payload, a.Payload.Raw)
		}
	}
	return out
}

// firstToken is the program part of a command line as written (quoted or
// up to the first space), for the "written as a file" test.
func firstToken(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, `"`) {
		if i := strings.IndexByte(s[1:], '"'); i >= 0 {
			return s[1 : i+1]
		}
	}
	if i := strings.IndexAny(s, " \t,"); i >= 0 {
		return s[:i]
	}
	return s
}

// wow64 reports a key under Wow6432Node, whose System32 paths a 32-bit
// process sees as SysWOW64.
func wow64(key string) bool { return strings.Contains(strings.ToLower(key), `wow6432node`) }

// sysWOW64 maps a path in root\System32 to root\SysWOW64.
func sysWOW64(full, root string) string {
	prefix := root + `\System32\`
	if len(full) > len(prefix) && strings.EqualFold(full[:len(prefix)], prefix) {
		return root + `\SysWOW64\` + full[len(prefix):]
	}
	return full
}
