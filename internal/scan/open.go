package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/evidence"
)

// OpenHive reads one hive file the way scan does: hashed, with the
// transaction logs beside it (.LOG, .LOG1, .LOG2, any case) applied in
// memory when it is dirty, unless noLogs, and read through a memory mapping
// from DefaultMapAbove bytes (read it under evidence.Guard). The notes say
// what was done. release frees the mapping: nothing read from the entry may
// be used after it; it is never nil.
func OpenHive(ctx context.Context, path string, noLogs bool) (e *hive.Entry, file evidence.File, release func(), err error) {
	release = func() {}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	paths := []string{base}
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			n := strings.ToLower(e.Name())
			for _, ext := range []string{".log", ".log1", ".log2"} {
				if n == strings.ToLower(base)+ext {
					paths = append(paths, e.Name())
				}
			}
		}
	}
	src := evidence.Source{FS: os.DirFS(dir), Root: ".", Name: path, Paths: paths,
		Display: func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }}
	res, err := evidence.Discover(ctx, src, evidence.Options{})
	if err != nil {
		return nil, evidence.File{}, release, err
	}
	if len(res.Hosts) != 1 || len(res.Hosts[0].Hives) != 1 {
		if _, err := os.Stat(path); err != nil {
			return nil, evidence.File{}, release, err
		}
		for _, p := range res.Problems {
			return nil, evidence.File{}, release, errors.New(p.Message)
		}
		head, _ := readHead(path)
		if hive.Identify(head) == hive.LogFile {
			return nil, evidence.File{}, release, fmt.Errorf("%s: %w", path, hive.ErrTransactionLog)
		}
		return nil, evidence.File{}, release, fmt.Errorf("%s: %w", path, hive.ErrNotHive)
	}
	lopts := evidence.LoadOptions{MapAbove: DefaultMapAbove}
	if !noLogs {
		lopts.Replay = replay
	}
	l := evidence.Load(ctx, src, res.Hosts[0], lopts)
	release = func() { _ = l.Close() }
	for _, f := range l.Files {
		if f.Role == "hive" {
			file = f
		}
	}
	if file.Err != nil {
		return nil, file, release, file.Err
	}
	if len(l.Set.Entries) != 1 {
		return nil, file, release, fmt.Errorf("%s: could not be read", path)
	}
	return l.Set.Entries[0], file, release, nil
}
