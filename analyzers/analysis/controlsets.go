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

// sessionManager returns the Session Manager key of a control set; ok is
// false (and err nil) when it is absent.
func sessionManager(cs hive.ControlSet) (*hive.Key, bool, error) {
	return OptionalKey(cs.Key, `Control\Session Manager`)
}
