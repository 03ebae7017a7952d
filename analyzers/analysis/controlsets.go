package analysis

import (
	"errors"
	"fmt"

	"github.com/hivescan/hivescan/hive"
)

// EachControlSet calls fn for every ControlSet00N of every SYSTEM hive of
// the host. Errors from fn are collected; the walk goes on.
func (p *Pass) EachControlSet(fn func(e *hive.Entry, cs hive.ControlSet) error) error {
	var errs []error
	for _, e := range p.Set.ByKind(hive.KindSystem) {
		sets, err := p.ControlSets(e)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: control sets: %w", e.Path, err))
		}
		for _, cs := range sets {
			if err := p.ctx.Err(); err != nil {
				return errors.Join(append(errs, err)...)
			}
			if err := fn(e, cs); err != nil {
				errs = append(errs, fmt.Errorf("%s\\%s: %w", e.Path, cs.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// EachSoftware calls fn with every SOFTWARE hive of the host and its root
// key (a host can hold several, as a RegBack copy beside the live one). A
// root that cannot be read, and errors from fn, are collected; the walk
// goes on.
func (p *Pass) EachSoftware(fn func(e *hive.Entry, root *hive.Key) error) error {
	var errs []error
	for _, e := range p.Set.ByKind(hive.KindSoftware) {
		if err := p.ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		root, err := e.Root()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
			continue
		}
		if err := fn(e, root); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
		}
	}
	return errors.Join(errs...)
}

// sessionManager returns the Session Manager key of a control set; ok is
// false (and err nil) when it is absent.
func sessionManager(cs hive.ControlSet) (*hive.Key, bool, error) {
	return OptionalKey(cs.Key, `Control\Session Manager`)
}
