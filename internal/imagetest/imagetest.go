// Package imagetest builds disk images for tests, on the fly, with the tools
// an examiner would use: mkntfs and libntfs-3g for NTFS volumes, sfdisk and
// sgdisk for partition tables, ewfacquire and qemu-img for containers.
//
// Every builder takes a testing.TB, writes only below t.TempDir() and skips
// the test when a tool is missing, except under CI=true, where it fails
// (corpus.RequireTool). A tool that runs and fails always fails the test.
package imagetest

import (
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hivescan/hivescan/internal/corpus"
)

// Tree is what a test volume holds.
//
// In NTFS trees, %XX (two hex digits) inside a path component stands for
// that byte, so that names Windows refuses but an NTFS index can hold are
// written as such: "Users/%2E%2E/NTUSER.DAT" puts a hive in a folder named
// "..", "Users/a%2Fb" makes a folder whose name holds a slash, "%25" is a
// percent sign.
type Tree struct {
	// Dirs are folders to create even when no file lies in them
	// (slash-separated, from the volume root).
	Dirs []string
	// Files maps slash paths to contents; their folders are created as
	// needed.
	Files map[string][]byte
	// Streams gives files of Files named data streams (alternate data
	// streams): path -> stream name -> contents.
	Streams map[string]map[string][]byte
	// Stomped sets the $STANDARD_INFORMATION times of files of Files to
	// this time, leaving their $FILE_NAME times at creation: what a
	// timestomping tool leaves.
	Stomped map[string]time.Time
	// Deleted are files of Files deleted once everything is written: their
	// MFT records are free, their names still in them.
	Deleted []string
}

// dirs returns every folder of tr, parents before children.
func (tr Tree) dirs() []string {
	set := map[string]bool{}
	add := func(d string) {
		for d != "." && d != "/" && d != "" && !set[d] {
			set[d] = true
			d = path.Dir(d)
		}
	}
	for _, d := range tr.Dirs {
		add(d)
	}
	for f := range tr.Files {
		add(path.Dir(f))
	}
	out := make([]string, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	// A parent is a prefix of its children, so it sorts first.
	sort.Strings(out)
	return out
}

//go:embed testdata/ntfsbuild.c
var ntfsbuildSource []byte

// ntfsbuild compiles the libntfs-3g helper (Debian package ntfs-3g-dev)
// into a temporary folder and returns its path.
func ntfsbuild(t testing.TB) string {
	t.Helper()
	cc := corpus.RequireTool(t, "cc")
	dir := t.TempDir()
	src := filepath.Join(dir, "ntfsbuild.c")
	if err := os.WriteFile(src, ntfsbuildSource, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "ntfsbuild")
	if b, err := exec.Command(cc, "-o", out, src, "-lntfs-3g").CombinedOutput(); err != nil {
		if corpus.CI() {
			t.Fatalf("compiling ntfsbuild (needs ntfs-3g-dev): %v\n%s", err, b)
		}
		t.Skipf("compiling ntfsbuild (needs ntfs-3g-dev): %v\n%s", err, b)
	}
	return out
}

// Run runs the program name (looked up on PATH unless it is an absolute
// path) with stdin as its input. A missing program skips t (fails under
// CI=true); a program that fails fails t with its output.
func Run(t testing.TB, stdin, name string, args ...string) {
	t.Helper()
	tool := name
	if !filepath.IsAbs(name) {
		tool = corpus.RequireTool(t, name)
	}
	cmd := exec.Command(tool, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %q: %v\n%s", filepath.Base(name), args, err, b)
	}
}

// sparseFile creates an empty file of size bytes.
func sparseFile(t testing.TB, p string, size int64) {
	t.Helper()
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, size); err != nil {
		t.Fatal(err)
	}
}

// NTFS formats a volume of size bytes (a multiple of 512, at least 2 MiB)
// with mkntfs, fills it with tr through libntfs-3g and returns the path of
// the raw volume, named vol.raw.
func NTFS(t testing.TB, size int64, tr Tree) string {
	t.Helper()
	tool := ntfsbuild(t)
	dir := t.TempDir()
	vol := filepath.Join(dir, "vol.raw")
	sparseFile(t, vol, size)
	Run(t, "", "mkntfs", "-F", "-Q", "-q", vol)
	var spec strings.Builder
	for _, d := range tr.dirs() {
		fmt.Fprintf(&spec, "d\t%s\n", d)
	}
	names := make([]string, 0, len(tr.Files))
	for n := range tr.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		if strings.ContainsAny(n, "\t\n") {
			t.Fatalf("imagetest: file name %q holds a tab or newline", n)
		}
		host := filepath.Join(dir, fmt.Sprintf("f%d", i))
		if err := os.WriteFile(host, tr.Files[n], 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&spec, "f\t%s\t%s\n", n, host)
	}
	for _, n := range tr.Deleted {
		fmt.Fprintf(&spec, "x\t%s\n", n)
	}
	extra := 0
	for _, n := range names {
		snames := make([]string, 0, len(tr.Streams[n]))
		for sn := range tr.Streams[n] {
			snames = append(snames, sn)
		}
		sort.Strings(snames)
		for _, sn := range snames {
			host := filepath.Join(dir, fmt.Sprintf("s%d", extra))
			extra++
			if err := os.WriteFile(host, tr.Streams[n][sn], 0o644); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&spec, "s\t%s\t%s\t%s\n", n, sn, host)
		}
		if when, ok := tr.Stomped[n]; ok {
			ft := (when.Unix()+11644473600)*10_000_000 + int64(when.Nanosecond()/100) // FILETIME
			fmt.Fprintf(&spec, "t\t%s\t%d\n", n, ft)
		}
	}
	specPath := filepath.Join(dir, "spec")
	if err := os.WriteFile(specPath, []byte(spec.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	Run(t, "", tool, vol, specPath)
	for i := range names {
		os.Remove(filepath.Join(dir, fmt.Sprintf("f%d", i)))
	}
	return vol
}
