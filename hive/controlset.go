package hive

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// The roles a control set can hold, from SYSTEM\Select. Offline there is no
// CurrentControlSet: Select says which ControlSet00N it would have been.
const (
	RoleCurrent       = "current"
	RoleDefault       = "default"
	RoleLastKnownGood = "last_known_good"
	RoleFailed        = "failed"
)

// ControlSet is one ControlSet00N of a SYSTEM hive.
type ControlSet struct {
	Number int      // N of ControlSet00N
	Name   string   // "ControlSet001"
	Roles  []string // from Select: RoleCurrent, RoleDefault, RoleLastKnownGood, RoleFailed; empty when none
	Key    *Key
}

// IsCurrent reports whether Select names this set as the current one.
func (c ControlSet) IsCurrent() bool {
	for _, r := range c.Roles {
		if r == RoleCurrent {
			return true
		}
	}
	return false
}

// ControlSetName formats a Select number as its key name: 1 -> ControlSet001,
// 10 -> ControlSet010.
func ControlSetName(n int) string { return fmt.Sprintf("ControlSet%03d", n) }

// Select holds the DWORDs of SYSTEM\Select (0 when absent).
type Select struct {
	Current, Default, LastKnownGood, Failed int
}

// Select reads SYSTEM\Select. The error wraps fs.ErrNotExist when the key is
// absent (the hive is not a SYSTEM hive) and matches ErrDamaged when the root
// key's subkey list is too damaged to find it. A value that is absent, or
// 1000 or more, stays 0; one that cannot be read stays 0 and is named in the
// error, returned with the values that could be read.
func (h *Hive) Select() (Select, error) {
	k, err := h.Key("Select")
	if err != nil {
		return Select{}, err
	}
	var s Select
	var errs []error
	for _, f := range []struct {
		name string
		dst  *int
	}{{"Current", &s.Current}, {"Default", &s.Default}, {"LastKnownGood", &s.LastKnownGood}, {"Failed", &s.Failed}} {
		v, err := k.Value(f.name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n, err := v.Uint64()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: value %q: %w", k.path, f.name, err))
			continue
		}
		if n < 1000 {
			*f.dst = int(n)
		}
	}
	return s, errors.Join(errs...)
}

// ControlSets returns every ControlSet00N under the root of a SYSTEM hive,
// in numeric order, with the roles Select gives them.
func (h *Hive) ControlSets() ([]ControlSet, error) {
	root, err := h.Root()
	if err != nil {
		return nil, err
	}
	subs, err := root.Subkeys()
	sel, selErr := h.Select()
	if selErr != nil && !errors.Is(selErr, fs.ErrNotExist) && !errors.Is(err, ErrDamaged) {
		// Roles Select cannot give are missing, and the error says why; a
		// damaged root list is already err.
		err = errors.Join(err, selErr)
	}
	var out []ControlSet
	for _, s := range subs {
		n, ok := controlSetNumber(s.name)
		if !ok {
			continue
		}
		cs := ControlSet{Number: n, Name: ControlSetName(n), Key: s}
		for _, r := range []struct {
			n    int
			role string
		}{{sel.Current, RoleCurrent}, {sel.Default, RoleDefault}, {sel.LastKnownGood, RoleLastKnownGood}, {sel.Failed, RoleFailed}} {
			if r.n == n {
				cs.Roles = append(cs.Roles, r.role)
			}
		}
		out = append(out, cs)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, err
}

func controlSetNumber(name string) (int, bool) {
	if len(name) != 13 || !strings.EqualFold(name[:10], "ControlSet") {
		return 0, false
	}
	n, err := strconv.Atoi(name[10:])
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
