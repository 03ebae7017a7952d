package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/sync/semaphore"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
)

// bigUserHive builds an NTUSER hive with enough values to span many pages.
func bigUserHive(t *testing.T) []byte {
	t.Helper()
	run := &hivetest.Key{Name: "Run"}
	for i := range 400 {
		run.Values = append(run.Values, hivetest.SZ(fmt.Sprintf("value%03d", i), `C:\Program Files\App\app.exe --with a long argument to fill the page`))
	}
	root := &hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{{Name: "Environment"}, {Name: "Software", Subkeys: []*hivetest.Key{{Name: "Microsoft", Subkeys: []*hivetest.Key{{Name: "Windows", Subkeys: []*hivetest.Key{{Name: "CurrentVersion", Subkeys: []*hivetest.Key{run}}}}}}}}}}
	h, err := hivetest.Build(root, hivetest.Options{FileName: `\??\C:\Users\bob\ntuser.dat`})
	if err != nil {
		t.Fatal(err)
	}
	return h.Bytes
}

func loadDir(t *testing.T, dir string, mapAbove int64) *Loaded {
	t.Helper()
	src := Source{FS: os.DirFS(dir), Root: ".", Name: dir}
	res, err := Discover(context.Background(), src, Options{})
	if err != nil || len(res.Hosts) != 1 {
		t.Fatalf("discover: %v, %+v", err, res)
	}
	return Load(context.Background(), src, res.Hosts[0], LoadOptions{MapAbove: mapAbove})
}

// Hives at least MapAbove bytes long that are operating-system files are
// mapped, read the same and hashed the same; smaller ones, and files of
// other file systems, are read into memory.
func TestLoadMapsLargeFiles(t *testing.T) {
	if !canMap {
		t.Skip("no memory-mapped files on this system")
	}
	b := bigUserHive(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "Users", "bob", "NTUSER.DAT")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o444); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	for _, tc := range []struct {
		name     string
		mapAbove int64
		mapped   int
	}{
		{"never", 0, 0},
		{"above its size", int64(len(b)) + 1, 0},
		{"at its size", int64(len(b)), 1},
		{"every file", 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := loadDir(t, dir, tc.mapAbove)
			defer l.Close()
			if l.Mapped != tc.mapped || len(l.unmap) != tc.mapped {
				t.Fatalf("mapped %d hives, want %d", l.Mapped, tc.mapped)
			}
			if len(l.Files) != 1 || l.Files[0].SHA256 != hex.EncodeToString(sum[:]) || l.Files[0].Err != nil {
				t.Fatalf("files: %+v", l.Files)
			}
			e := l.Set.Users()
			if len(e) != 1 || string(e[0].Hive.Bytes()) != string(b) {
				t.Fatal("the hive's bytes differ from the file's")
			}
			k, err := e[0].Hive.Key(`Software\Microsoft\Windows\CurrentVersion\Run`)
			if err != nil {
				t.Fatal(err)
			}
			if vs, err := k.Values(); err != nil || len(vs) != 400 {
				t.Fatalf("Run: %d values, %v", len(vs), err)
			}
		})
	}
	// A file of another file system is read, whatever MapAbove says.
	src := Source{FS: fstest.MapFS{"NTUSER.DAT": {Data: b}}, Root: ".", Name: "mem"}
	res, err := Discover(context.Background(), src, Options{})
	if err != nil || len(res.Hosts) != 1 {
		t.Fatal(err)
	}
	if l := Load(context.Background(), src, res.Hosts[0], LoadOptions{MapAbove: 1}); l.Mapped != 0 {
		t.Errorf("a MapFS file was mapped")
	}
}

// A mapped hive shortened after it was opened faults when its lost pages are
// read: Guard turns that into ErrFault instead of a crash, and the data
// before the cut still reads.
func TestGuardMappedFileShortened(t *testing.T) {
	if !canMap {
		t.Skip("no memory-mapped files on this system")
	}
	b := bigUserHive(t)
	if len(b) < 3*4096 {
		t.Fatalf("test hive of %d bytes is too small", len(b))
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "NTUSER.DAT")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	l := loadDir(t, dir, 1)
	defer l.Close()
	if l.Mapped != 1 {
		t.Fatalf("mapped %d", l.Mapped)
	}
	data := l.Set.Users()[0].Hive.Bytes()
	if err := os.Truncate(p, 4096); err != nil {
		t.Fatal(err)
	}
	var sum int
	err := Guard(func() {
		sum += int(data[100])
		sum += int(data[len(data)-1])
		sink += byte(sum)
	})
	if !errors.Is(err, ErrFault) {
		t.Fatalf("reading past the cut: %v, want ErrFault", err)
	}
	if err := Guard(func() { sum += int(data[200]) }); err != nil {
		t.Fatalf("reading before the cut: %v", err)
	}
}

// Guard leaves other panics alone, a nil pointer and a read of a released
// mapping among them: only a fault inside a file mapped now is the
// evidence's.
func TestGuardOtherPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func()
	}{
		{"panic", func() { panic("boom") }},
		{"nil pointer", func() {
			var p *[1 << 20]byte
			_ = p[4096]
		}},
		{"use after release", useAfterRelease(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if p := recover(); p == nil {
					t.Fatal("Guard swallowed the panic")
				}
			}()
			err := Guard(tc.fn)
			t.Fatalf("Guard returned %v instead of panicking", err)
		})
	}
}

// useAfterRelease returns a function that reads a mapping after releasing it,
// the bug Loaded.Close warns of.
func useAfterRelease(t *testing.T) func() {
	if !canMap {
		return func() { panic("no mappings on this system") }
	}
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, make([]byte, 3*4096), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, unmap, err := mapFile(f, 3*4096)
	if err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := unmap(); err != nil {
			panic(err)
		}
		sink += b[4096]
	}
}

// sink keeps reads of mapped bytes from being optimised away.
var sink byte

// dirtyUserHive writes a dirty NTUSER.DAT (bigUserHive) and a log beside it
// into a new folder, returning the folder, the hive's path and its bytes.
func dirtyUserHive(t *testing.T) (dir, p string, b []byte) {
	t.Helper()
	b = bigUserHive(t)
	hivetest.MarkDirty(b, 7)
	dir = t.TempDir()
	p = filepath.Join(dir, "NTUSER.DAT")
	for name, data := range map[string][]byte{"NTUSER.DAT": b, "NTUSER.DAT.LOG1": logBytes(t)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, p, b
}

// Log replay of a mapped dirty hive writes into a private writable mapping:
// the primary's bytes and the file stay as they were, and the mapping the
// hive is parsed from is released with the others.
func TestReplayWritesAPrivateCopy(t *testing.T) {
	if !canMap {
		t.Skip("no memory-mapped files on this system")
	}
	dir, p, b := dirtyUserHive(t)
	for _, tc := range []struct {
		name    string
		changed bool
		mapped  int // mappings held until Close: the hive and its replay copy
	}{
		{"logs changed the hive", true, 2},
		{"logs changed nothing", false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := Source{FS: os.DirFS(dir), Root: ".", Name: dir}
			res, err := Discover(context.Background(), src, Options{})
			if err != nil || len(res.Hosts) != 1 || len(res.Hosts[0].Hives) != 1 || len(res.Hosts[0].Hives[0].Logs) != 1 {
				t.Fatalf("discover: %v, %+v", err, summarize(res))
			}
			const at = 4096 + 100
			replay := func(primary, work []byte, logs []NamedData) ([]byte, []string, error) {
				if len(work) != len(primary) || &work[0] == &primary[0] || string(work) != string(primary) {
					t.Fatal("work is not a copy of the primary")
				}
				was := work[at]
				work[at] ^= 0xFF
				if primary[at] != was {
					t.Error("a write to the copy changed the primary")
				}
				work[at] = was
				if !tc.changed {
					return nil, nil, nil
				}
				return work, []string{"applied"}, nil
			}
			l := Load(context.Background(), src, res.Hosts[0], LoadOptions{MapAbove: 1, Replay: replay})
			if len(l.unmap) != tc.mapped || l.Files[0].Err != nil {
				t.Fatalf("%d mappings held, want %d; files %+v", len(l.unmap), tc.mapped, l.Files)
			}
			if got := l.Set.Users()[0].Hive.Bytes(); string(got) != string(b) {
				t.Error("the parsed hive differs")
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if disk, err := os.ReadFile(p); err != nil || string(disk) != string(b) {
				t.Fatalf("the evidence file changed: %v", err)
			}
		})
	}
}

// A dirty hive read into memory is replayed in its own buffer: the replay
// gets the primary itself as work (no second copy of the hive), the hive
// parsed is what it returns, and the file on disk is left as it was.
func TestReplayReadHiveInPlace(t *testing.T) {
	dir, p, b := dirtyUserHive(t)
	src := Source{FS: os.DirFS(dir), Root: ".", Name: dir}
	res, err := Discover(context.Background(), src, Options{})
	if err != nil || len(res.Hosts) != 1 {
		t.Fatalf("discover: %v, %+v", err, summarize(res))
	}
	const at = 4096 + 100
	calls := 0
	replay := func(primary, work []byte, logs []NamedData) ([]byte, []string, error) {
		calls++
		if len(work) != len(primary) || &work[0] != &primary[0] {
			t.Error("the replay of a hive read into memory got a copy, not the primary")
		}
		work[at] ^= 0xFF
		return work, []string{"applied"}, nil
	}
	l := Load(context.Background(), src, res.Hosts[0], LoadOptions{Replay: replay})
	defer l.Close()
	var f File
	for _, lf := range l.Files {
		if lf.Role == "hive" {
			f = lf
		}
	}
	if calls != 1 || l.Mapped != 0 || f.Err != nil {
		t.Fatalf("%d replays, %d mapped, files %+v", calls, l.Mapped, l.Files)
	}
	got := l.Set.Users()[0].Hive.Bytes()
	if len(got) != len(b) || got[at] != b[at]^0xFF || string(got[:at]) != string(b[:at]) {
		t.Error("the parsed hive is not the replay's")
	}
	if disk, err := os.ReadFile(p); err != nil || string(disk) != string(b) {
		t.Fatalf("the evidence file changed: %v", err)
	}
	if sum := sha256.Sum256(b); f.SHA256 != hex.EncodeToString(sum[:]) {
		t.Error("the hash is not the file's")
	}
}

// A fault while a host loads still leaves its mappings in the Loaded, so
// that Close releases them.
func TestFaultDuringLoadKeepsMappings(t *testing.T) {
	if !canMap {
		t.Skip("no memory-mapped files on this system")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "NTUSER.DAT")
	if err := os.WriteFile(p, bigUserHive(t), 0o644); err != nil {
		t.Fatal(err)
	}
	src := Source{FS: os.DirFS(dir), Root: ".", Name: dir}
	res, err := Discover(context.Background(), src, Options{})
	if err != nil || len(res.Hosts) != 1 {
		t.Fatal(err)
	}
	// KindOf runs between hashing and parsing: shorten the file there, so
	// that parsing its root cell faults.
	opts := LoadOptions{MapAbove: 1, KindOf: func(string) hive.Kind {
		if err := os.Truncate(p, 4096); err != nil {
			t.Fatal(err)
		}
		return hive.KindUnknown
	}}
	l := new(Loaded)
	if err := Guard(func() { LoadInto(context.Background(), src, res.Hosts[0], opts, l) }); !errors.Is(err, ErrFault) {
		t.Fatalf("load of a shortened hive: %v, want ErrFault", err)
	}
	if l.Mapped != 1 || len(l.unmap) != 1 {
		t.Fatalf("the Loaded holds %d mappings, want the hive's", len(l.unmap))
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	mappings.Lock()
	left := len(mappings.ranges)
	mappings.Unlock()
	if left != 0 {
		t.Errorf("%d mappings still tracked after Close", left)
	}
}

// Relay hands a fault another goroutine's Guard returned to the Guard of
// the calling goroutine, which returns it as its own; outside a Guard it
// is a panic like any other.
func TestRelay(t *testing.T) {
	fault := fmt.Errorf("%w: at 0x1000", ErrFault)
	if err := Guard(func() { Relay(fault) }); err != fault {
		t.Errorf("Guard returned %v, want the relayed fault", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("Relay outside a Guard did not panic")
		}
	}()
	Relay(fault)
}

// Read on helpers (LoadOptions.Spare), shortened hives fault on whichever
// goroutine reads them: the load ends with the fault on the caller's Guard,
// and the mapping of every hive begun is left in the Loaded for Close.
func TestFaultDuringParallelLoadKeepsMappings(t *testing.T) {
	if !canMap {
		t.Skip("no memory-mapped files on this system")
	}
	dir := t.TempDir()
	b := bigUserHive(t)
	for _, u := range []string{"ann", "bob", "eve"} {
		p := filepath.Join(dir, "Users", u, "NTUSER.DAT")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := Source{FS: os.DirFS(dir), Root: ".", Name: dir, Concurrent: true}
	res, err := Discover(context.Background(), src, Options{})
	if err != nil || len(res.Hosts) != 1 || len(res.Hosts[0].Hives) != 3 {
		t.Fatalf("discover: %v, %+v", err, summarize(res))
	}
	spare := semaphore.NewWeighted(2)
	opts := LoadOptions{MapAbove: 1, Spare: spare, KindOf: func(display string) hive.Kind {
		if err := os.Truncate(filepath.Join(dir, strings.TrimPrefix(display, dir)), 4096); err != nil {
			t.Error(err)
		}
		return hive.KindUnknown
	}}
	l := new(Loaded)
	if err := Guard(func() { LoadInto(context.Background(), src, res.Hosts[0], opts, l) }); !errors.Is(err, ErrFault) {
		t.Fatalf("load of shortened hives: %v, want ErrFault", err)
	}
	// The hives read before the fault reached the caller are mapped; the
	// others were not begun.
	held, counted := len(l.unmap), l.Mapped
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if l.Helpers != 2 || held == 0 || held != counted {
		t.Errorf("%d helpers; the Loaded holds %d mappings, counts %d", l.Helpers, held, counted)
	}
	if !spare.TryAcquire(2) {
		t.Error("the helpers kept their cores")
	}
	mappings.Lock()
	left := len(mappings.ranges)
	mappings.Unlock()
	if left != 0 {
		t.Errorf("%d mappings still tracked after Close", left)
	}
}
