package analysis

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/hivescan/hivescan/hive"
)

// The readers below are the only way analyzers read keys and values. Each
// tells "not there" (found false, err nil) from "could not look" (err
// non-nil: a damaged list or cell, data that does not decode as its type
// says), so that an analyzer reports the second as a problem instead of
// taking it for a clean answer.

// OptionalKey looks up path below k; found is false when a key on the path
// does not exist.
func OptionalKey(k *hive.Key, path string) (sub *hive.Key, found bool, err error) {
	sub, err = k.Key(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return sub, true, nil
}

// OptionalValue looks up value name of k ("" for the default value); found
// is false when k has no such value.
func OptionalValue(k *hive.Key, name string) (v *hive.Value, found bool, err error) {
	v, err = k.Value(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

// Subkeys lists the subkeys of the key at path below k; a missing key is an
// empty list.
func Subkeys(k *hive.Key, path string) ([]*hive.Key, error) {
	sub, ok, err := OptionalKey(k, path)
	if !ok {
		return nil, err
	}
	return sub.Subkeys()
}

// Text reads string value name of k, trimmed of spaces and NULs; a
// REG_MULTI_SZ is joined with spaces. Absence, and a value of a non-string
// type (such as the REG_NONE tombstones of differencing hives), give v nil
// and "" without error.
func Text(k *hive.Key, name string) (v *hive.Value, s string, err error) {
	v, ok, err := OptionalValue(k, name)
	if !ok {
		return nil, "", err
	}
	if !isString(v.Type()) {
		return nil, "", nil
	}
	if v.Type() == hive.RegMultiSZ {
		var ss []string
		ss, err = v.Strings()
		s = strings.Join(ss, " ")
	} else {
		s, err = v.Text()
	}
	if err != nil {
		return v, "", err
	}
	return v, strings.TrimSpace(strings.TrimRight(s, "\x00")), nil
}

// ValueText returns the string data of v as written (REG_SZ, REG_EXPAND_SZ
// unexpanded; REG_MULTI_SZ joined with commas); ok is false for other
// types, err non-nil when the data does not decode.
func ValueText(v *hive.Value) (s string, ok bool, err error) {
	switch v.Type() {
	case hive.RegSZ, hive.RegExpandSZ:
		s, err = v.Text()
	case hive.RegMultiSZ:
		var ss []string
		ss, err = v.Strings()
		s = strings.Join(ss, ",")
	default:
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("value %q: %w", v.Name(), err)
	}
	return s, true, nil
}

// ValueLines returns the non-empty, trimmed strings of a REG_MULTI_SZ,
// REG_SZ or REG_EXPAND_SZ value; err non-nil when the data does not decode
// (the lines read before the damage are returned).
func ValueLines(v *hive.Value) ([]string, error) {
	ss, err := v.Strings()
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	if err != nil {
		err = fmt.Errorf("value %q: %w", v.Name(), err)
	}
	return out, err
}

// Uint reads integer value name of k (REG_DWORD, REG_DWORD_BIG_ENDIAN,
// REG_QWORD). found is false when the value is absent or of another type (a
// number written as a string is not one); an integer whose size does not
// match its type, or an unreadable cell, is an error.
func Uint(k *hive.Key, name string) (n uint64, v *hive.Value, found bool, err error) {
	v, ok, err := OptionalValue(k, name)
	if !ok {
		return 0, nil, false, err
	}
	switch v.Type() {
	case hive.RegDWORD, hive.RegDWORDBigEndian, hive.RegQWORD:
	default:
		return 0, v, false, nil
	}
	n, err = v.Uint64()
	if err != nil {
		return 0, v, false, fmt.Errorf("%s value %q: %w", k.Path(), name, err)
	}
	return n, v, true, nil
}

func isString(t hive.ValueType) bool {
	switch t {
	case hive.RegSZ, hive.RegExpandSZ, hive.RegMultiSZ, hive.RegLink:
		return true
	}
	return false
}
