package hive

import (
	"context"
	"errors"
	"io/fs"
)

// WalkFunc is called by Walk for each key, parents before children.
//
// When a key's subkeys cannot all be read, or the key closes a cycle, or it
// lies deeper than MaxDepth, fn is called a second time for that key with a
// non-nil err (the key is still passed). Returning fs.SkipDir skips the
// key's subkeys; fs.SkipAll stops the walk without error; any other error
// stops the walk and is returned.
type WalkFunc func(k *Key, err error) error

// Walk visits the key at path and every key below it, depth first, in stored
// order. It never visits a key cell twice (a subkey list pointing back at an
// ancestor is reported as ErrCycle, not followed), descends at most MaxDepth
// levels, and stops with ctx.Err() when ctx is done.
func (h *Hive) Walk(ctx context.Context, path string, fn WalkFunc) error {
	start, err := h.Key(path)
	if err != nil {
		return err
	}
	w := walker{ctx: ctx, fn: fn, seen: map[uint32]bool{start.off: true}}
	err = w.walk(start, 0)
	if errors.Is(err, fs.SkipAll) || errors.Is(err, fs.SkipDir) {
		return nil
	}
	return err
}

type walker struct {
	ctx   context.Context
	fn    WalkFunc
	seen  map[uint32]bool
	count int
}

func (w *walker) walk(k *Key, depth int) error {
	w.count++
	if w.count&1023 == 0 {
		if err := w.ctx.Err(); err != nil {
			return err
		}
	}
	if err := w.fn(k, nil); err != nil {
		return err
	}
	if k.nSub == 0 {
		return nil
	}
	if depth >= MaxDepth {
		return skipDir(w.fn(k, ErrTooDeep))
	}
	subs, err := k.Subkeys()
	if err != nil {
		if err := w.fn(k, err); err != nil {
			return skipDir(err)
		}
	}
	for _, s := range subs {
		if w.seen[s.off] {
			if err := w.fn(k, &CycleError{Path: k.path, Offset: s.off}); err != nil {
				return skipDir(err)
			}
			continue
		}
		w.seen[s.off] = true
		if err := w.walk(s, depth+1); err != nil {
			if errors.Is(err, fs.SkipDir) {
				continue
			}
			return err
		}
	}
	return nil
}

// skipDir turns a SkipDir from a second call into "stop descending here".
func skipDir(err error) error {
	if errors.Is(err, fs.SkipDir) {
		return nil
	}
	return err
}

// CycleError says that a subkey list names a key cell already visited.
type CycleError struct {
	Path   string // the key whose subkey list points back
	Offset uint32 // the cell offset named again
}

func (e *CycleError) Error() string {
	return "subkey list of " + e.Path + " names an already visited key cell (cycle)"
}

// Unwrap lets errors.Is(err, ErrCycle) match.
func (e *CycleError) Unwrap() error { return ErrCycle }
