//go:build unix

package evidence

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// In a folder scan, a hive reached through a symbolic link that stays in
// the evidence folder is found (and marked as a link); links leaving it,
// FIFOs and folders where a hive belongs are problems. Nothing is opened
// that could block: the walk ends although a FIFO sits at SYSTEM.
func TestDiscoverLinksAndSpecialFiles(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	soft := hiveBytes(t, `emRoot\System32\Config\SOFTWARE`, "Microsoft", "Classes")
	user := hiveBytes(t, `\??\C:\Users\bob\ntuser.dat`, "Software", "Environment")
	write := func(p string, b []byte) {
		t.Helper()
		p = filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, p string) {
		t.Helper()
		p = filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	write("store/SOFTWARE.hive", soft)
	write("store/bob.dat", user)
	cfg := "host/Windows/System32/config/"
	link("../../../../store/SOFTWARE.hive", cfg+"SOFTWARE")
	link("../../../store/bob.dat", "host/Users/bob/NTUSER.DAT")
	if err := os.WriteFile(filepath.Join(outside, "SAM"), soft, 0o644); err != nil {
		t.Fatal(err)
	}
	link(filepath.Join(outside, "SAM"), cfg+"SAM")                           // absolute, outside
	link("../../../../../../"+filepath.Base(outside)+"/SAM", cfg+"SECURITY") // relative, climbing out
	link("nowhere", cfg+"DEFAULT")                                           // dangling, at a hive place
	link("nowhere", "host/Users/bob/Desktop.lnk")                            // dangling, nothing to say
	link("loop2", cfg+"COMPONENTS")
	link("COMPONENTS", cfg+"loop2")
	link("../../store", "host/Users/carol")      // a folder link: not followed, no problem
	link(outside, "host/Documents and Settings") // a folder outside: no problem either
	if err := os.MkdirAll(filepath.Join(root, cfg, "DRIVERS"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "host/Windows/System32/drivers"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, cfg, "SYSTEM"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "host/Users/bob/pipe"), 0o644); err != nil {
		t.Fatal(err)
	}

	done := make(chan *Result, 1)
	go func() {
		res, err := Discover(context.Background(), Source{FS: os.DirFS(root), Root: ".", Name: "ev"}, Options{})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	var res *Result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Discover blocked (opened a FIFO?)")
	}
	if res == nil {
		return
	}
	var found []string
	for _, h := range res.Hosts {
		for _, c := range h.Hives {
			found = append(found, c.Path+" -> "+c.Link)
		}
	}
	want := []string{
		"host/Users/bob/NTUSER.DAT -> store/bob.dat",
		"host/Windows/System32/config/SOFTWARE -> store/SOFTWARE.hive",
		"store/SOFTWARE.hive -> ",
		"store/bob.dat -> ",
	}
	if diff := cmp.Diff(want, sorted(found)); diff != "" {
		t.Errorf("hives (-want +got):\n%s", diff)
	}
	var problems []string
	for _, p := range res.Problems {
		problems = append(problems, p.Path+": "+strings.ReplaceAll(p.Message, outside, "OUT"))
	}
	wantProblems := []string{
		"ev/host/Windows/System32/config/COMPONENTS: symbolic link: more than 40 links in a row (a loop?): not followed",
		"ev/host/Windows/System32/config/DEFAULT: symbolic link to host/Windows/System32/config/nowhere, which does not exist: lstat host/Windows/System32/config/nowhere: no such file or directory",
		"ev/host/Windows/System32/config/DRIVERS: a folder where a hive would be: not a hive",
		"ev/host/Windows/System32/config/SAM: symbolic link to OUT/SAM, outside the evidence folder: not followed (give the target itself, or make the link relative)",
		"ev/host/Windows/System32/config/SECURITY: symbolic link to ../../../../../../" + filepath.Base(outside) + "/SAM, outside the evidence folder: not followed (give the target itself)",
		"ev/host/Windows/System32/config/SYSTEM: a named pipe (FIFO) where a hive would be: not opened",
		"ev/host/Windows/System32/config/loop2: symbolic link: more than 40 links in a row (a loop?): not followed",
	}
	if diff := cmp.Diff(wantProblems, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
