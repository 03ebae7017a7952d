package report

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// timelineEvent is one key last-write time of a finding. A finding merged
// across control sets gives one event per control set.
type timelineEvent struct {
	when time.Time
	f    Finding
	key  string // registry path of the key (HKLM\SYSTEM\ControlSet001\...)
	set  string // control set of this event's key, "" outside one
}

// timelineEvents returns the events of v's findings, oldest first (ties in
// report order); findings without a last write time give none.
func timelineEvents(v *Report) []timelineEvent {
	sids := userSIDs(v)
	var evs []timelineEvent
	for _, f := range v.Findings {
		sid := sids[[2]string{f.Host, f.User}]
		if len(f.ControlSets) == 0 {
			if !f.LastWrite.IsZero() {
				evs = append(evs, timelineEvent{f.LastWrite, f, registryPath(f, sid), f.ControlSet})
			}
			continue
		}
		for _, cs := range f.ControlSets {
			if cs.LastWrite.IsZero() {
				continue
			}
			g := f
			g.Key, g.ControlSet, g.ControlSetRole, g.LastWrite = cs.Key, cs.Name, cs.Roles, cs.LastWrite
			evs = append(evs, timelineEvent{cs.LastWrite, g, registryPath(g, sid), cs.Name})
		}
	}
	slices.SortStableFunc(evs, func(a, b timelineEvent) int { return a.when.Compare(b.when) })
	return evs
}

// bodyfileWriter writes the Sleuth Kit body format (TSK 3.0+) that mactime
// reads: one line per distinct host, key and second of last write, the key's
// registry path as the name (prefixed with the host and a colon; " (deleted)"
// appended for recovered keys), the last write as mtime in whole seconds and
// every other field 0. mactime shows the zero times as 0000-00-00 unless
// given a date range (mactime -b FILE -d -y 1970-01-02).
type bodyfileWriter struct{ opts Options }

var _ Writer = (*bodyfileWriter)(nil)

func (bw *bodyfileWriter) Write(w io.Writer, r *Report) error {
	v := view(r, bw.opts)
	out := bufio.NewWriter(w)
	seen := map[string]bool{}
	for _, ev := range timelineEvents(v) {
		name := ev.f.Host + ":" + ev.key
		if ev.f.Deleted {
			name += " (deleted)"
		}
		id := name + "\x00" + strconv.FormatInt(ev.when.Unix(), 10)
		if seen[id] {
			continue
		}
		seen[id] = true
		if line := BodyfileLine(name, ev.when); line != "" {
			out.WriteString(line)
		}
	}
	return out.Flush()
}

// BodyfileLine returns one line of the Sleuth Kit body format (ending in a
// newline) for name modified at mtime: MD5, inode, mode, UID, GID, size and
// the other times are 0, mtime is in whole seconds since 1970. Characters
// that would break the line ('|', '%', control and format characters) are
// percent-encoded, which mactime decodes. It returns "" for a time before
// 1970, which the format cannot hold.
func BodyfileLine(name string, mtime time.Time) string {
	secs := mtime.Unix()
	if secs <= 0 {
		return ""
	}
	return "0|" + bodyfileEscape(name) + "|0|0|0|0|0|0|" + strconv.FormatInt(secs, 10) + "|0|0\n"
}

func bodyfileEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c == '|' || c == '%' || c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if size == 1 && c >= 0x80 || unsafeRune(r) {
			for _, x := range []byte(s[i : i+size]) {
				fmt.Fprintf(&b, "%%%02X", x)
			}
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// tlnWriter writes the five-field TLN format (Time|Source|System|User|
// Description) of Harlan Carvey's timeline tools: one line per event, time
// in whole seconds since 1970, source REG, the host, the user (SID when
// known) and a description holding the severity, rule, title and registry
// path. Fields are escaped as the table format escapes them, with '|' as
// \x7c.
type tlnWriter struct{ opts Options }

var _ Writer = (*tlnWriter)(nil)

func (tw *tlnWriter) Write(w io.Writer, r *Report) error {
	v := view(r, tw.opts)
	sids := userSIDs(v)
	out := bufio.NewWriter(w)
	field := func(s string) string { return strings.ReplaceAll(escapeText(s), "|", `\x7c`) }
	for _, ev := range timelineEvents(v) {
		secs := ev.when.Unix()
		if secs <= 0 {
			continue
		}
		where := ev.key
		if ev.f.Value != nil {
			where += `\` + cmp.Or(*ev.f.Value, "(default)")
		}
		desc := fmt.Sprintf("%s %s: %s [%s]", ev.f.Severity, ruleID(ev.f), ev.f.Title, where)
		if ev.f.Suppressed {
			desc = "[suppressed] " + desc
		}
		if ev.f.Deleted {
			desc += " (deleted)"
		}
		user := cmp.Or(sids[[2]string{ev.f.Host, ev.f.User}], ev.f.User)
		fmt.Fprintf(out, "%d|REG|%s|%s|%s\n", secs, field(ev.f.Host), field(user), field(desc))
	}
	return out.Flush()
}

// timesketchWriter writes JSON lines that Timesketch imports: message,
// datetime (RFC 3339 with 100 ns), timestamp (microseconds since 1970) and
// timestamp_desc, followed by the finding's own fields as in the JSON
// report, plus registry_path. One line per event.
type timesketchWriter struct{ opts Options }

var _ Writer = (*timesketchWriter)(nil)

// TimesketchTimestampDesc is the timestamp_desc of every timesketch event.
const TimesketchTimestampDesc = "Registry Key Last Written"

func (tw *timesketchWriter) Write(w io.Writer, r *Report) error {
	v := view(r, tw.opts)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, ev := range timelineEvents(v) {
		where := ev.key
		if ev.f.Value != nil {
			where += `\` + cmp.Or(*ev.f.Value, "(default)")
		}
		fj, err := ev.f.MarshalJSON()
		if err != nil {
			return err
		}
		head, err := marshalJSON(struct {
			Message       string `json:"message"`
			Datetime      string `json:"datetime"`
			Timestamp     int64  `json:"timestamp"`
			TimestampDesc string `json:"timestamp_desc"`
			RegistryPath  string `json:"registry_path"`
		}{fmt.Sprintf("[%s] %s: %s", ev.f.Severity, ev.f.Title, where), FormatTime(ev.when), ev.when.UnixMicro(), TimesketchTimestampDesc, ev.key})
		if err != nil {
			return err
		}
		// The finding's fields follow in the JSON report's order; no name
		// is shared with the event fields.
		line := append(head[:len(head)-1:len(head)-1], ',')
		line = append(line, fj[1:]...)
		if err := enc.Encode(json.RawMessage(line)); err != nil {
			return err
		}
	}
	return nil
}
