package tasks

import (
	"testing"
	"unicode/utf8"
)

// FuzzActions checks that ParseActions and ParseDynamicInfo never panic,
// that ParseActions returns no more text than the value holds and at most
// maxActions records, and that neither accepts a value too short to be one.
// Run with: go test -fuzz FuzzActions ./analyzers/tasks/
func FuzzActions(f *testing.F) {
	f.Add(proactiveScan)
	f.Add(win81Exec)
	f.Add(win10DMClient)
	f.Add(win10BitLocker)
	f.Add(win10Exec)
	f.Add(blob(w16(3), "Author", KindExec, "", `C:\Windows\System32\cmd.exe`, "/c whoami", `C:\Temp`, w16(1)))
	f.Add(blob(w16(1), KindExec, "", "a.exe", "", "", KindComHandler, "", make([]byte, 16), "data"))
	f.Add(blob(w16(3), "Author", KindSendEmail, "", "", "", "", "", "", "", "", "", w32(1), "a", w32(1), "k", "v"))
	f.Add(blob(w16(2), "Author", KindShowMessage, "", "c", "m"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseActions(b)
		if len(a.Actions) > maxActions {
			t.Fatalf("%d actions", len(a.Actions))
		}
		total := len(a.Context)
		for _, act := range a.Actions {
			total += len(act.ID) + len(act.Command) + len(act.Arguments) + len(act.WorkingDir) + len(act.Data) + len(act.Caption) + len(act.Message)
			if e := act.Email; e != nil {
				total += len(e.From + e.To + e.Cc + e.Bcc + e.ReplyTo + e.Server + e.Subject + e.Body)
				for _, s := range e.Attachments {
					total += len(s)
				}
				for _, h := range e.Headers {
					total += len(h[0]) + len(h[1])
				}
			}
			if !utf8.ValidString(act.Command + act.Arguments) {
				t.Fatalf("invalid UTF-8 in %q %q", act.Command, act.Arguments)
			}
		}
		// One UTF-16 unit is 2 bytes and becomes at most 3 bytes of UTF-8.
		if total > 3*len(b)/2+3 {
			t.Fatalf("%d bytes of text from a %d-byte value", total, len(b))
		}
		if err == nil && len(b) < 2 {
			t.Fatalf("no error for a %d-byte value", len(b))
		}
		if _, err := ParseDynamicInfo(b); err == nil && len(b) != 28 && len(b) != 36 {
			t.Fatalf("DynamicInfo of %d bytes accepted", len(b))
		}
	})
}
