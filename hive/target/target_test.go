package target

import (
	"bytes"
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hivescan/hivescan/internal/imagetest"
)

var link = time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)

func TestReadPE(t *testing.T) {
	tests := []struct {
		name string
		in   imagetest.PE
		want PE
	}{
		{"version", imagetest.PE{LinkTime: link, Strings: map[string]string{"OriginalFilename": "smss.exe", "CompanyName": "Microsoft Corporation", "FileDescription": "Windows Session Manager"}},
			PE{Machine: "amd64", Is64: true, Subsys: "windows-gui", LinkTime: link, OriginalFilename: "smss.exe", CompanyName: "Microsoft Corporation", FileDescription: "Windows Session Manager"}},
		{"signed native", imagetest.PE{Subsystem: 1, Signed: true, Machine: 0x14c},
			PE{Machine: "i386", Is64: true, Subsys: "native", Signed: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.in.Bytes()
			got, err := ReadPE(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, *got); d != "" {
				t.Errorf("-want +got\n%s", d)
			}
		})
	}
}

func TestReadPEUnknownMachine(t *testing.T) {
	b := imagetest.PE{Machine: 0x1234, LinkTime: link}.Bytes()
	got, err := ReadPE(bytes.NewReader(b), int64(len(b)))
	if err == nil || got == nil || got.Machine != "0x1234" || !got.LinkTime.Equal(link) {
		t.Errorf("got %+v, %v; want machine 0x1234 with an error", got, err)
	}
}

func TestReadPENotPE(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("MZ"), []byte("hello world, this is plain text and surely not a PE file at all.....")} {
		if _, err := ReadPE(bytes.NewReader(b), int64(len(b))); !errors.Is(err, ErrNotPE) {
			t.Errorf("%q: err %v, want ErrNotPE", b, err)
		}
	}
}

func TestResolverDescribe(t *testing.T) {
	smss := imagetest.PE{Strings: map[string]string{"OriginalFilename": "smss.exe"}}.Bytes()
	fsys := fstest.MapFS{
		"C/Windows/System32/smss.exe": {Data: smss},
		"C/Users/Public/notes.txt":    {Data: []byte("abc")},
	}
	r := NewResolver(fsys, "C")
	got, err := r.Describe(`C:\WINDOWS\system32\SMSS.EXE`)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Exists || got.Path != "C/Windows/System32/smss.exe" || got.PE == nil || got.PE.OriginalFilename != "smss.exe" || got.Size != int64(len(smss)) {
		t.Errorf("smss: %+v", got)
	}
	txt, err := r.Describe(`C:\Users\Public\Notes.TXT`)
	if err != nil {
		t.Fatal(err)
	}
	want := Facts{Path: "C/Users/Public/notes.txt", Exists: true, Size: 3,
		SHA256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		SHA1:   "a9993e364706816aba3e25717850c26c9cd0d89d",
		MD5:    "900150983cd24fb0d6963f7d28e17f72"}
	if d := cmp.Diff(want, txt, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Sys" }, cmp.Ignore())); d != "" {
		t.Errorf("-want +got\n%s", d)
	}
	missing, err := r.Describe(`C:\Windows\System32\evil.exe`)
	if err != nil || missing.Exists {
		t.Errorf("missing: %+v, %v", missing, err)
	}
	if _, err := r.Find(`C:\Windows\..\x`); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("dotdot: %v", err)
	}
}

func FuzzReadPE(f *testing.F) {
	f.Add(imagetest.PE{Strings: map[string]string{"OriginalFilename": "smss.exe"}, Signed: true}.Bytes())
	f.Add(imagetest.PE{}.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		ReadPE(bytes.NewReader(b), int64(len(b)))
	})
}

func TestResolverShortNames(t *testing.T) {
	fsys := fstest.MapFS{
		"Program Files/Vendor/a.exe":       {Data: []byte("a")},
		"Program Files (x86)/Vendor/b.exe": {Data: []byte("b")},
		"Windows/System32/longname.exe":    {Data: []byte("c")},
	}
	r := NewResolver(fsys, ".")
	for in, want := range map[string]string{
		`C:\PROGRA~1\Vendor\a.exe`:         "Program Files/Vendor/a.exe",
		`C:\PROGRA~2\Vendor\b.exe`:         "Program Files (x86)/Vendor/b.exe",
		`C:\Windows\System32\LONGNA~1.EXE`: "Windows/System32/longname.exe",
		`C:\PROGRA~3\Vendor\a.exe`:         "",
		`C:\Windows\System32\LONGNA~1.DLL`: "",
	} {
		got, err := r.Find(in)
		if want == "" {
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Find(%s) = %q, %v; want not found", in, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("Find(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
}
