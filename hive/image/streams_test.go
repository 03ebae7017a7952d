package image

import (
	"bufio"
	"bytes"
	"io/fs"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive/image/ntfsfs"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/internal/imagetest"
)

// TestStreamsMatchFls writes files with alternate data streams through
// libntfs-3g and compares the streams FileInfo.Sys lists with sleuthkit's
// fls, which prints them as "path:stream".
func TestStreamsMatchFls(t *testing.T) {
	tr := imagetest.Tree{
		Files: map[string][]byte{"a.exe": []byte("MZ"), "dir/b.txt": []byte("text"), "plain.bin": {1}},
		Streams: map[string]map[string][]byte{
			"a.exe":     {"Zone.Identifier": []byte("[ZoneTransfer]\r\nZoneId=3\r\n"), "payload": bytes.Repeat([]byte{0x90}, 5000)},
			"dir/b.txt": {"x": nil},
		},
	}
	raw := buildNTFS(t, 8<<20, tr)
	fls := corpus.RequireTool(t, "fls")
	out, err := exec.Command(fls, "-r", "-p", "-u", raw).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		_, p, ok := strings.Cut(sc.Text(), "\t")
		if !ok || strings.HasPrefix(p, "$") {
			continue
		}
		if file, stream, ok := strings.Cut(p, ":"); ok && stream != "$DATA" {
			want[file] = append(want[file], stream)
		}
	}
	img, err := Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	vol := img.NTFS()[0].FS
	got := map[string][]string{}
	sizes := map[string]int64{}
	for _, p := range []string{"a.exe", "dir/b.txt", "plain.bin"} {
		fi, err := fs.Stat(vol, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range fi.Sys().(*ntfsfs.Record).Streams {
			got[p] = append(got[p], s.Name)
			sizes[p+":"+s.Name] = s.Size
		}
	}
	for _, m := range []map[string][]string{want, got} {
		for _, v := range m {
			sort.Strings(v)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("streams differ from fls (-fls +ntfsfs):\n%s", diff)
	}
	if sizes["a.exe:payload"] != 5000 || sizes["a.exe:Zone.Identifier"] != 26 || sizes["dir/b.txt:x"] != 0 {
		t.Errorf("stream sizes %v", sizes)
	}
}
