package sigma

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/hivescan/hivescan/hive"
)

// Event is one registry entry of a hive written as a Sysmon registry event:
// a key as CreateKey (event 12), a value as SetValue (event 13). A deleted
// record recovered from a hive (an Entry that is a view of deleted records)
// is also a DeleteKey event (event 12), right after its CreateKey event,
// when the hive it was recovered from has no live key at its path, and a
// recovered value a DeleteValue event, right after its SetValue event,
// when the live key still exists without it.
type Event struct {
	EventType    string // "CreateKey", "SetValue", "DeleteKey" or "DeleteValue"
	TargetObject string // as Sysmon writes it: HKLM\System\CurrentControlSet\..., HKU\<SID>\...
	Details      string // the value's data as Sysmon formats it, for SetValue; "" otherwise

	Entry      *hive.Entry
	Key        *hive.Key
	Value      *hive.Value      // nil for a key
	ControlSet *hive.ControlSet // the control set the key is under, or nil
}

// fields returns the event as the evaluator reads it, its text lower-cased
// when lower is true (for rules whose values were lower-cased). A key event
// has no Details field, so a rule's "Details: null" matches it and no value
// event.
func (e *Event) fields(lower bool) map[string]any {
	target, details, typ := e.TargetObject, e.Details, e.EventType
	if lower {
		target, details, typ = strings.ToLower(target), strings.ToLower(details), strings.ToLower(typ)
	}
	m := map[string]any{"EventType": typ, "TargetObject": target}
	if e.EventType == "SetValue" {
		m["Details"] = details
		m["EventID"] = 13
	} else {
		m["EventID"] = 12
	}
	return m
}

// eventKind is a set of event types, for what a rule is evaluated on.
type eventKind uint8

const (
	createKey eventKind = 1 << iota
	setValue
	deleteKey
	deleteValue
)

func (e *Event) kind() eventKind {
	switch e.EventType {
	case "CreateKey":
		return createKey
	case "SetValue":
		return setValue
	case "DeleteKey":
		return deleteKey
	}
	return deleteValue
}

// deletedKey reports whether k, a key of a view of deleted records, is a
// deleted key: its entry's live hive has no key at its path.
func deletedKey(e *hive.Entry, k *hive.Key) bool {
	if !e.Deleted || e.Live == nil {
		return false
	}
	_, err := e.Live.Key(k.Path())
	return errors.Is(err, fs.ErrNotExist)
}

// deletedValue reports whether v, a value of a view of deleted records, is
// a value deleted from a key that still lives: its entry's live hive has
// the key but no value of that name in it. The values of a deleted key are
// not deletions of their own: Windows deletes a key with its values in one
// operation, which Sysmon logs as one DeleteKey event (so a task removed
// whole is not "an SD value removed to hide a task").
func deletedValue(e *hive.Entry, k *hive.Key, v *hive.Value) bool {
	if !e.Deleted || e.Live == nil {
		return false
	}
	lk, err := e.Live.Key(k.Path())
	if err != nil {
		return false // a deleted key, or behind a damaged list: no value deletion is claimed
	}
	_, err = lk.Value(v.Name())
	return errors.Is(err, fs.ErrNotExist)
}

// mapped lists the hive kinds that Windows mounts in the registry, which
// are the ones turned into events. AMCACHE, BCD, COMPONENTS and DRIVERS are
// not read: SigmaHQ's registry rules say nothing about them.
var mapped = []hive.Kind{hive.KindSystem, hive.KindSoftware, hive.KindSAM, hive.KindSecurity, hive.KindDefault, hive.KindNTUser, hive.KindUsrClass}

// Events calls fn for every key and value of the mapped hives of set, key
// before its values, hives in Set order. A key or value that cannot be read
// is skipped and counted in the returned error; fn's error stops the walk.
func Events(ctx context.Context, set *hive.Set, fn func(*Event) error) error {
	// The scanner with one rule that sees every event and names no
	// fragment: every event is its candidate.
	every := newIndex([]*Rule{{sees: createKey | setValue | deleteKey | deleteValue}})
	return every.scanner().scan(ctx, set, func(ev *Event, _ []int) error { return fn(ev) })
}

// eachEntry calls fn for each mapped hive of set with the root Sysmon
// names it by, joining the errors of the hives that could not all be read;
// an error fn wraps in stopErr stops at once and is returned unwrapped.
func eachEntry(set *hive.Set, fn func(e *hive.Entry, prefix string) error) error {
	sids := profileSIDs(set)
	var errs []error
	for _, e := range set.Entries {
		prefix, ok := rootName(e, sids)
		if !ok {
			continue
		}
		if err := fn(e, prefix); err != nil {
			if errors.Is(err, errStop) {
				return errors.Unwrap(err)
			}
			errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
		}
	}
	return errors.Join(errs...)
}

// controlSets maps the lower-case names of a SYSTEM hive's control sets to
// them; other hives have none.
func controlSets(e *hive.Entry) map[string]*hive.ControlSet {
	sets := map[string]*hive.ControlSet{}
	if e.Kind() == hive.KindSystem {
		list, _ := e.ControlSets() // a SYSTEM without readable control sets still has its other keys
		for i := range list {
			sets[strings.ToLower(list[i].Name)] = &list[i]
		}
	}
	return sets
}

// walkResult is an entry walk's error: the caller's stop as is, else the
// walk's own error and the keys and values that could not be read.
func walkResult(err error, errs []error) error {
	if err != nil {
		if errors.Is(err, errStop) {
			return err
		}
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d keys or values could not be read (first: %w)", len(errs), errs[0])
	}
	return nil
}

var errStop = errors.New("stopped by the caller")

type stopErr struct{ err error }

func (s stopErr) Error() string        { return s.err.Error() }
func (s stopErr) Is(target error) bool { return target == errStop }
func (s stopErr) Unwrap() error        { return s.err }

// rootName is how Sysmon names the root of an entry's hive.
func rootName(e *hive.Entry, sids map[string]string) (string, bool) {
	switch e.Kind() {
	case hive.KindSystem:
		return `HKLM\System`, true
	case hive.KindSoftware:
		return `HKLM\SOFTWARE`, true
	case hive.KindSAM:
		return `HKLM\SAM`, true
	case hive.KindSecurity:
		return `HKLM\SECURITY`, true
	case hive.KindDefault:
		return `HKU\.DEFAULT`, true
	case hive.KindNTUser:
		return `HKU\` + userRoot(e.User, sids), true
	case hive.KindUsrClass:
		return `HKU\` + userRoot(e.User, sids) + `_Classes`, true
	}
	return "", false
}

// userRoot is the SID of a profile when ProfileList names it, else a
// stand-in that says it is unknown.
func userRoot(user string, sids map[string]string) string {
	if sid, ok := sids[strings.ToLower(user)]; ok {
		return sid
	}
	if user == "" {
		return "(unknown SID)"
	}
	return "(SID of " + user + ")"
}

// profileSIDs maps lower-case profile folder names to their SID from
// SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList. A name held by
// two SIDs is left out, as it cannot tell them apart.
func profileSIDs(set *hive.Set) map[string]string {
	out := map[string]string{}
	sw := set.Software()
	if sw == nil {
		return out
	}
	pl, err := sw.Key(`Microsoft\Windows NT\CurrentVersion\ProfileList`)
	if err != nil {
		return out // no ProfileList: user hives get a stand-in SID
	}
	subs, _ := pl.Subkeys() // what could be read is used; the rest get a stand-in
	dup := map[string]bool{}
	for _, s := range subs {
		v, err := s.Value("ProfileImagePath")
		if err != nil {
			continue
		}
		p, err := v.Text()
		if err != nil {
			continue
		}
		name := strings.ToLower(path.Base(strings.ReplaceAll(p, `\`, "/")))
		if _, seen := out[name]; seen {
			dup[name] = true
		}
		out[name] = s.Name()
	}
	for n := range dup {
		delete(out, n)
	}
	return out
}

// targetObject writes a key path under prefix; a path under a control set
// becomes CurrentControlSet, as on the running system booted from it.
func targetObject(prefix, keyPath string, sets map[string]*hive.ControlSet) (string, *hive.ControlSet) {
	if keyPath == `\` || keyPath == "" {
		return prefix, nil
	}
	if len(sets) > 0 {
		first, rest, _ := strings.Cut(strings.TrimPrefix(keyPath, `\`), `\`)
		if cs, ok := sets[strings.ToLower(first)]; ok {
			if rest == "" {
				return prefix + `\CurrentControlSet`, cs
			}
			return prefix + `\CurrentControlSet\` + rest, cs
		}
	}
	if !strings.HasPrefix(keyPath, `\`) {
		keyPath = `\` + keyPath
	}
	return prefix + keyPath, nil
}

// Details formats decoded value data (hive.Value.Data) as Sysmon writes it
// in event 13: strings as written ("(Empty)" when empty), DWORD (0x%08x),
// QWORD (0x<high>-0x<low>), multi-strings joined with a space, and
// "Binary Data" for everything else.
func Details(t hive.ValueType, d any) string {
	switch x := d.(type) {
	case string:
		if x == "" {
			return "(Empty)"
		}
		return x
	case []string:
		s := strings.Join(x, " ")
		if s == "" {
			return "(Empty)"
		}
		return s
	case uint64:
		if t == hive.RegQWORD {
			return fmt.Sprintf("QWORD (0x%08x-0x%08x)", x>>32, x&0xffffffff)
		}
		return fmt.Sprintf("DWORD (0x%08x)", x)
	}
	return "Binary Data"
}
