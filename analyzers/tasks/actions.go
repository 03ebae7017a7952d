package tasks

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/internal/wintext"
)

// ActionKind is the record type of one action in a task's Actions value.
type ActionKind uint16

// The action record types Task Scheduler 2.0 writes (the taskschd
// TASK_ACTION_TYPE values map to them: exec, COM handler, send e-mail, show
// message).
const (
	KindExec        ActionKind = 0x6666
	KindComHandler  ActionKind = 0x7777
	KindSendEmail   ActionKind = 0x8888
	KindShowMessage ActionKind = 0x9999
)

func (k ActionKind) String() string {
	switch k {
	case KindExec:
		return "exec"
	case KindComHandler:
		return "COM handler"
	case KindSendEmail:
		return "send e-mail"
	case KindShowMessage:
		return "show message"
	}
	return fmt.Sprintf("0x%04x", uint16(k))
}

// Actions is a decoded TaskCache\Tasks\{GUID} Actions value.
type Actions struct {
	// Version is the format version word (1 to 3 seen; Windows 8 and later
	// write 3).
	Version uint16
	// Context is the principal the actions run as (the task XML's
	// Actions Context attribute, e.g. "Author", "LocalSystem"), "" when the
	// blob carries none.
	Context string
	// Actions are the records in stored order.
	Actions []Action
}

// Action is one action record. Only the fields of its Kind are set.
type Action struct {
	Kind ActionKind
	ID   string // the action's id attribute, often ""

	// exec
	Command    string // the program, as written (variables unexpanded)
	Arguments  string
	WorkingDir string
	Flags      uint16 // version 3 only

	// COM handler
	CLSID string // "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}", upper case
	Data  string

	// send e-mail (deprecated since Windows 8, still stored)
	Email *Email

	// show message (deprecated since Windows 8, still stored)
	Caption, Message string
}

// Email is the payload of a send-e-mail action.
type Email struct {
	From, To, Cc, Bcc, ReplyTo, Server, Subject, Body string
	Attachments                                       []string
	Headers                                           [][2]string
}

// FormatError reports an Actions, Triggers or DynamicInfo value that does
// not decode, with the byte offset where decoding stopped.
type FormatError struct {
	Value  string // "Actions", "DynamicInfo"
	Offset int
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("%s value: offset %d: %s", e.Value, e.Offset, e.Msg)
}

// maxActions bounds the records decoded from one value: Task Scheduler
// accepts at most 32 actions per task.
const maxActions = 64

// ParseActions decodes an Actions value. A value that stops decoding part
// way returns the actions read before the damage and a *FormatError; no
// length read from b makes it allocate more than len(b) bytes per string.
//
// Layout (little-endian; str is a uint32 byte count and that many bytes of
// UTF-16LE): version uint16; in version 3 (Windows 10 and later) the
// context str, in other versions a context str only when the next word is
// not a record type (Windows 8.1 writes version 1 without one); then
// records of type uint16, id str and per type: exec command, arguments and
// working directory str plus a flags uint16 (always in version 3, in other
// versions when two bytes are left before the end or the next record); COM
// handler a 16-byte
// CLSID and data str; e-mail from, to, cc, bcc, reply-to, server, subject
// and body str, a uint32 count of attachment str, a uint32 count of header
// name/value str pairs; message caption and text str.
func ParseActions(b []byte) (Actions, error) {
	r := reader{b: b, value: "Actions"}
	var a Actions
	v, err := r.u16()
	if err != nil {
		return a, err
	}
	a.Version = v
	if v == 3 || (r.left() >= 2 && !isKind(r.peek16())) {
		if a.Context, err = r.str(); err != nil {
			return a, err
		}
	}
	for r.left() > 0 {
		if len(a.Actions) == maxActions {
			return a, r.fail("more than %d actions", maxActions)
		}
		act, err := r.action(a.Version)
		if err != nil {
			return a, err
		}
		a.Actions = append(a.Actions, act)
	}
	return a, nil
}

func isKind(w uint16) bool {
	switch ActionKind(w) {
	case KindExec, KindComHandler, KindSendEmail, KindShowMessage:
		return true
	}
	return false
}

func (r *reader) action(version uint16) (Action, error) {
	start := r.off
	k, err := r.u16()
	if err != nil {
		return Action{}, err
	}
	act := Action{Kind: ActionKind(k)}
	if !isKind(k) {
		r.off = start
		return act, r.fail("unknown action type 0x%04x", k)
	}
	if act.ID, err = r.str(); err != nil {
		return act, err
	}
	switch act.Kind {
	case KindExec:
		err = r.strs(&act.Command, &act.Arguments, &act.WorkingDir)
		if err == nil && r.execFlags(version) {
			act.Flags, err = r.u16()
		}
	case KindComHandler:
		var raw []byte
		if raw, err = r.bytes(16); err == nil {
			act.CLSID = formatGUID(raw)
			act.Data, err = r.str()
		}
	case KindSendEmail:
		act.Email, err = r.email()
	case KindShowMessage:
		err = r.strs(&act.Caption, &act.Message)
	}
	return act, err
}

// execFlags reports whether an exec record's flags word follows: always in
// version 3; in older versions only when two bytes are left before the end
// or before the next record.
func (r *reader) execFlags(version uint16) bool {
	if version == 3 {
		return true
	}
	switch {
	case r.left() == 2:
		return !isKind(r.peek16())
	case r.left() >= 4:
		return !isKind(r.peek16()) && isKind(binary.LittleEndian.Uint16(r.b[r.off+2:]))
	}
	return false
}

func (r *reader) email() (*Email, error) {
	e := &Email{}
	if err := r.strs(&e.From, &e.To, &e.Cc, &e.Bcc, &e.ReplyTo, &e.Server, &e.Subject, &e.Body); err != nil {
		return e, err
	}
	n, err := r.count(4)
	if err != nil {
		return e, err
	}
	for range n {
		s, err := r.str()
		if err != nil {
			return e, err
		}
		e.Attachments = append(e.Attachments, s)
	}
	if n, err = r.count(8); err != nil {
		return e, err
	}
	for range n {
		var kv [2]string
		if err := r.strs(&kv[0], &kv[1]); err != nil {
			return e, err
		}
		e.Headers = append(e.Headers, kv)
	}
	return e, nil
}

// reader decodes little-endian fields from b, failing with a FormatError
// instead of reading past its end.
type reader struct {
	b     []byte
	off   int
	value string
}

func (r *reader) left() int      { return len(r.b) - r.off }
func (r *reader) peek16() uint16 { return binary.LittleEndian.Uint16(r.b[r.off:]) }

func (r *reader) fail(format string, args ...any) error {
	return &FormatError{Value: r.value, Offset: r.off, Msg: fmt.Sprintf(format, args...)}
}

func (r *reader) bytes(n int) ([]byte, error) {
	if n < 0 || n > r.left() {
		return nil, r.fail("%d bytes wanted, %d left", n, r.left())
	}
	b := r.b[r.off : r.off+n]
	r.off += n
	return b, nil
}

func (r *reader) u16() (uint16, error) {
	b, err := r.bytes(2)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint16(b), nil
}

func (r *reader) u32() (uint32, error) {
	b, err := r.bytes(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (r *reader) u64() (uint64, error) {
	b, err := r.bytes(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// count reads a uint32 item count whose items take at least min bytes
// each, refusing one the rest of the value cannot hold.
func (r *reader) count(min int) (int, error) {
	at := r.off
	n, err := r.u32()
	if err != nil {
		return 0, err
	}
	if uint64(n)*uint64(min) > uint64(r.left()) {
		r.off = at
		return 0, r.fail("count %d does not fit in the %d bytes left", n, r.left()-4)
	}
	return int(n), nil
}

// str reads a uint32 byte count and that many bytes of UTF-16LE, dropping
// trailing NULs.
func (r *reader) str() (string, error) {
	at := r.off
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	if uint64(n) > uint64(r.left()) {
		r.off = at
		return "", r.fail("string of %d bytes, %d left", n, r.left()-4)
	}
	if n%2 != 0 {
		r.off = at
		return "", r.fail("string of odd length %d", n)
	}
	b, _ := r.bytes(int(n)) // n fits: checked above
	return decodeUTF16(b), nil
}

func (r *reader) strs(dst ...*string) error {
	for _, d := range dst {
		s, err := r.str()
		if err != nil {
			return err
		}
		*d = s
	}
	return nil
}

func decodeUTF16(b []byte) string { return strings.TrimRight(wintext.UTF16(b), "\x00") }

// formatGUID formats 16 bytes in Windows' mixed-endian GUID layout.
func formatGUID(b []byte) string {
	return strings.ToUpper(fmt.Sprintf("{%08x-%04x-%04x-%x-%x}",
		binary.LittleEndian.Uint32(b[0:4]), binary.LittleEndian.Uint16(b[4:6]), binary.LittleEndian.Uint16(b[6:8]), b[8:10], b[10:16]))
}
