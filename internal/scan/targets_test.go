package scan_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/imagetest"
	"github.com/hivescan/hivescan/internal/samples"
)

// volumeHost is a Windows volume whose hives start files that the volume
// holds (a fake smss.exe, a renamed cmd.exe) or lacks, and which holds
// further copies of critical names nothing in the registry starts.
func volumeHost(t *testing.T) map[string][]byte {
	t.Helper()
	pe := func(orig string, pad int) string {
		b := imagetest.PE{Strings: map[string]string{"OriginalFilename": orig, "CompanyName": "Microsoft Corporation"}, LinkTime: time.Date(2019, 3, 4, 5, 6, 7, 0, time.UTC)}.Bytes()
		return string(b) + strings.Repeat("\x00", pad)
	}
	sw := samples.Software()
	samples.Set(sw.Root, `Microsoft\Windows\CurrentVersion\Run`,
		hivetest.SZ("Updater", `C:\ProgramData\svc\smss.exe`),
		hivetest.SZ("Gone", `C:\Users\bob\AppData\Roaming\x.exe -q`),
		hivetest.SZ("Notes", `C:\Tools\notes.exe /c whoami`),
		hivetest.SZ("OtherDrive", `D:\tools\agent.exe`),
		hivetest.SZ("Helper", `C:\ProgramData\helper.exe`))
	h := samples.Host{
		Name:  "volume",
		Hives: []samples.Hive{samples.System("VOL-PC", [4]uint32{1, 1, 1, 0}, 1), sw},
		Files: map[string]string{
			"Windows/System32/ntdll.dll":                                pe("ntdll.dll", 0),
			"Windows/System32/smss.exe":                                 pe("smss.exe", 100),
			"Windows/System32/csrss.exe":                                pe("csrss.exe", 10),
			"ProgramData/svc/smss.exe":                                  pe("smss.exe", 300),
			"ProgramData/helper.exe":                                    pe("smss.exe", 50),
			"Tools/notes.exe":                                           pe("Cmd.Exe", 0),
			"Windows/smss.exe":                                          pe("smss.exe", 500),
			"Users/bob/Downloads/csrss.exe":                             pe("csrss.exe", 7),
			"Windows/WinSxS/amd64_microsoft-windows-smss_31bf/smss.exe": pe("smss.exe", 100),
			"Windows/Fonts/fontext.dll":                                 pe("fontext.dll", 0),
			"Windows/System32/scvhost.exe":                              pe("scvhost.exe", 0),
			"Users/bob/AppData/Local/Temp/lsass.exe":                    pe("lsass.exe", 0),
		},
	}
	files, err := h.Build()
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestTargetsAndSweep scans a disk image and the same tree as a mounted
// volume (a folder): the files the Run values name get their facts, a
// renamed cmd.exe is reported, the sweep reports the copies of critical
// names nothing starts (critical: several at once), a look-alike name and
// a DLL in Fonts, skips WinSxS, and the Run value's own fake smss.exe is
// one finding, not two.
func TestTargetsAndSweep(t *testing.T) {
	files := volumeHost(t)
	dir := t.TempDir()
	for p, b := range files {
		if p == "Users/bob/AppData/Local/Temp/lsass.exe" {
			continue // deleted on the image: the folder copy never had it
		}
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vol := imagetest.NTFS(t, volumeSize(files), imagetest.Tree{Files: files,
		Streams: map[string]map[string][]byte{"ProgramData/svc/smss.exe": {"payload": []byte("MZ hidden")}},
		Deleted: []string{"Users/bob/AppData/Local/Temp/lsass.exe"},
		Stomped: map[string]time.Time{"Users/bob/Downloads/csrss.exe": time.Date(2009, 7, 14, 1, 2, 3, 0, time.UTC)},
	})
	disk := imagetest.MBR(t, vol)
	cases := []struct{ name, path string }{{"folder", dir}}
	for _, c := range imagetest.Containers() {
		cases = append(cases, struct{ name, path string }{c.Name, c.Convert(t, disk.Path)})
	}
	var first []string // the raw image's findings, which every container must give
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := scanPaths(t, tc.path)
			if len(r.Problems) > 0 {
				t.Errorf("problems: %+v", r.Problems)
			}
			got := map[string]string{} // rule@key-or-value -> severity and target summary
			for _, f := range r.Findings {
				where := f.Key
				if f.Value != nil {
					where = *f.Value
				}
				var ts []string
				for _, tg := range f.Targets {
					s := tg.Path + "=" + fmt.Sprint(tg.Exists)
					if tg.PE != nil {
						s += "/" + tg.PE.OriginalFilename
					}
					if tg.Timestomped {
						s += "/stomped"
					}
					for _, st := range tg.Streams {
						s += fmt.Sprintf("/stream:%s:%d", st.Name, st.Size)
					}
					if tg.Error != "" {
						s += "/error"
					}
					ts = append(ts, s)
				}
				got[f.Analyzer+"/"+f.Rule+"@"+where] = f.Severity.String() + " " + strings.Join(ts, ",")
				if f.Analyzer == "runkeys" && where == "Updater" && !strings.Contains(f.Detail, "volume sweep found this file too") {
					t.Errorf("the Run value's fake smss.exe is not linked to the sweep: %q", f.Detail)
				}
			}
			want := map[string]string{
				`targets/original-name@Helper`:                               `high C:\ProgramData\helper.exe=true/smss.exe`,
				`targets/original-name@Notes`:                                `high C:\Tools\notes.exe=true/Cmd.Exe`,
				`sweep/fake-system-process@C:\Windows\smss.exe`:              `critical C:\Windows\smss.exe=true/smss.exe`,
				`sweep/fake-system-process@C:\Users\bob\Downloads\csrss.exe`: `critical C:\Users\bob\Downloads\csrss.exe=true/csrss.exe`,
				`sweep/lookalike-name@C:\Windows\System32\scvhost.exe`:       `medium C:\Windows\System32\scvhost.exe=true/scvhost.exe`,
				`sweep/odd-place@C:\Windows\Fonts\fontext.dll`:               `low C:\Windows\Fonts\fontext.dll=true/fontext.dll`,
			}
			if tc.name != "folder" { // NTFS facts: the folder copy has none of them
				want[`sweep/fake-system-process@C:\Users\bob\AppData\Local\Temp\lsass.exe`] = `high C:\Users\bob\AppData\Local\Temp\lsass.exe=false`
				want[`sweep/fake-system-process@C:\Users\bob\Downloads\csrss.exe`] += "/stomped"
				if !strings.Contains(got["runkeys/runkey.entry@Updater"], "/stream:payload:9") {
					t.Errorf("the Run target's alternate data stream is not listed: %q", got["runkeys/runkey.entry@Updater"])
				}
			}
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s: got %q, want %q", k, got[k], w)
				}
			}
			for k, g := range got {
				if strings.HasPrefix(k, "sweep/") && want[k] == "" {
					t.Errorf("unexpected sweep finding %s: %s", k, g)
				}
				if strings.Contains(k, "WinSxS") {
					t.Errorf("a WinSxS copy was judged: %s", k)
				}
			}
			checkRunTargets(t, got)
			if tc.name == "folder" {
				return
			}
			var lines []string
			for k, v := range got {
				lines = append(lines, k+" "+v)
			}
			sort.Strings(lines)
			if first == nil {
				first = lines
			} else if !slices.Equal(first, lines) {
				t.Errorf("%s gives other findings than the raw image:\n%s\nwant:\n%s", tc.name, strings.Join(lines, "\n"), strings.Join(first, "\n"))
			}
		})
	}
}

// checkRunTargets checks the targets of the Run values: found, missing, on
// another drive.
func checkRunTargets(t *testing.T, got map[string]string) {
	t.Helper()
	var keys []string
	for k := range got {
		if strings.HasPrefix(k, "runkeys/") {
			keys = append(keys, k+" "+got[k])
		}
	}
	sort.Strings(keys)
	for _, want := range []string{
		`@Updater critical C:\ProgramData\svc\smss.exe=true/smss.exe`, // and, on NTFS, its stream
		`@Gone `,
		`@OtherDrive `,
	} {
		if !slices.ContainsFunc(keys, func(k string) bool { return strings.Contains(k, want) }) {
			t.Errorf("no Run finding with %q in:\n%s", want, strings.Join(keys, "\n"))
		}
	}
	for _, k := range keys {
		switch {
		case strings.Contains(k, "@Gone ") && !strings.Contains(k, `C:\Users\bob\AppData\Roaming\x.exe=false`):
			t.Errorf("missing target not reported as missing: %s", k)
		case strings.Contains(k, "@OtherDrive ") && !strings.Contains(k, `D:\tools\agent.exe=false/error`):
			t.Errorf("a target on another drive not reported as not looked up: %s", k)
		}
	}
}
