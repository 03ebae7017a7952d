package tasks

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

// w16 is a uint16 field of a test blob; str a length-prefixed UTF-16LE
// string; raw bytes go in as they are.
type w16 uint16
type w32 uint32

// blob lays out the fields of an Actions or DynamicInfo value.
func blob(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch v := p.(type) {
		case w16:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case w32:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		case ActionKind:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case string:
			u := utf16.Encode([]rune(v))
			b = binary.LittleEndian.AppendUint32(b, uint32(2*len(u)))
			for _, c := range u {
				b = binary.LittleEndian.AppendUint16(b, c)
			}
		case []byte:
			b = append(b, v...)
		default:
			panic("blob: unsupported part")
		}
	}
	return b
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// proactiveScan is the Actions value of Windows' \Microsoft\Windows\Chkdsk\
// ProactiveScan task as exported by reg.exe (wit0k/regmagnet task.reg): a
// version-3 COM handler run as LocalSystem.
var proactiveScan = mustHex("0300 16000000 4c006f00630061006c00530079007300740065006d00 7777 00000000 f57042cf432e684483b3a8c45bb33ea1 00000000")

// The Windows 8.1 (version 1) and Windows 10 (version 3) layouts of one exec
// action, cmd.exe /c notepad.exe, as annotated in "Research on Triggers and
// Actions Data Structures of Scheduled Tasks in the Registry"
// (reinject.vercel.app, after the GhostTask project).
var (
	win81Exec = mustHex("0100 6666 00000000 0e000000 63006d0064002e00650078006500 1c000000 2f00630020006e006f00740065007000610064002e00650078006500 16000000 63003a005c00770069006e0064006f00770073005c00")
	win10Exec = mustHex("0300 0c000000 41007500740068006f007200 6666 00000000 0e000000 63006d0064002e00650078006500 1c000000 2f00630020006e006f00740065007000610064002e00650078006500 00000000 0000")
)

// gdataExecs is the five-exec test vector of GDATA's winreg-tasks
// (golang/generated/actions_test.go, TestTaskParser_ExeTasks), byte for
// byte. Its fifth record ends one byte short of its version-3 flags word
// (the vector is 419 bytes), so the first four records agree with that
// project's expected decoding and the fifth is reported as damage.
var gdataExecs = mustHex("03000c00000041007500740068006f00720066660800000065007800650063001a00000065007800650063007500740069006f006e002e00650078006500000000000000000001006666080000006500780065006300100000006d006f00610072002e006500780065000000000000000000000066660800000065007800650063004200000043003a005c00750073006500720073005c0063006100730065005c004400650073006b0074006f0070005c0077006900740068006100720067002e0078006d006c00100000006100720067002000610072006700320000000000000066660800000065007800650063002c00000044003a005c006f006e006c0079005f0077006f0072006b0069006e0067006400690072002e00700073003100000000001400000043003a005c00770069006e0064006f0077007300000066660800000065007800650063001e0000007a003a005c0061006c006c006f0066005c00690074002e00650078006500120000006100720067003100200061007200670032001a00000063003a005c0077006f0072006b0069006e00670064006900720000")

// Two Actions values of a real Windows 10 SOFTWARE hive, cut from the dirty
// pages of msuhanov/regf-samples 10-missing_log_entries/after/SOFTWARE.LOG1
// (the value's bytes without the cell's padding): a LocalSystem exec of
// dmclient.exe and a COM handler run for Users. 31 Actions values of that
// log (17 distinct) decode alike here and in an independent hand decoder.
var (
	win10DMClient  = mustHex("0300160000004c006f00630061006c00530079007300740065006d006666000000003c0000002500770069006e0064006900720025005c00730079007300740065006d00330032005c0064006d0063006c00690065006e0074002e006500780065000c00000075007400630077006e006600000000000000")
	win10BitLocker = mustHex("03000a00000055007300650072007300777700000000b9d1bc610c34ec409d41d7f1c0632f051e0000004200690074004c006f0063006b006500720050006f006c00690063007900")
)

func TestParseActions(t *testing.T) {
	clsid := mustHex("b9d1bc610c34ec409d41d7f1c0632f05")
	tests := []struct {
		name string
		in   []byte
		want Actions
		err  string // substring of the error; "" for none
	}{
		{"windows com handler (reg.exe export)", proactiveScan, Actions{Version: 3, Context: "LocalSystem", Actions: []Action{
			{Kind: KindComHandler, CLSID: "{CF4270F5-2E43-4468-83B3-A8C45BB33EA1}"},
		}}, ""},
		{"windows 10 exec (real hive)", win10DMClient, Actions{Version: 3, Context: "LocalSystem", Actions: []Action{
			{Kind: KindExec, Command: `%windir%\system32\dmclient.exe`, Arguments: "utcwnf"},
		}}, ""},
		{"windows 10 com handler (real hive)", win10BitLocker, Actions{Version: 3, Context: "Users", Actions: []Action{
			{Kind: KindComHandler, CLSID: "{61BCD1B9-340C-40EC-9D41-D7F1C0632F05}", Data: "BitLockerPolicy"},
		}}, ""},
		{"windows 8.1 exec (published layout)", win81Exec, Actions{Version: 1, Actions: []Action{
			{Kind: KindExec, Command: "cmd.exe", Arguments: "/c notepad.exe", WorkingDir: `c:\windows\`},
		}}, ""},
		{"windows 10 exec (published layout)", win10Exec, Actions{Version: 3, Context: "Author", Actions: []Action{
			{Kind: KindExec, Command: "cmd.exe", Arguments: "/c notepad.exe"},
		}}, ""},
		{"winreg-tasks exec vector", gdataExecs, Actions{Version: 3, Context: "Author", Actions: []Action{
			{Kind: KindExec, ID: "exec", Command: "execution.exe", Flags: 1},
			{Kind: KindExec, ID: "exec", Command: "moar.exe"},
			{Kind: KindExec, ID: "exec", Command: `C:\users\case\Desktop\witharg.xml`, Arguments: "arg arg2"},
			{Kind: KindExec, ID: "exec", Command: `D:\only_workingdir.ps1`, WorkingDir: `C:\windows`},
		}}, "2 bytes wanted, 1 left"},
		{"v3 exec with flags", blob(w16(3), "Author", KindExec, "", `C:\Windows\System32\cmd.exe`, "/c whoami", `C:\Temp`, w16(1)),
			Actions{Version: 3, Context: "Author", Actions: []Action{
				{Kind: KindExec, Command: `C:\Windows\System32\cmd.exe`, Arguments: "/c whoami", WorkingDir: `C:\Temp`, Flags: 1},
			}}, ""},
		{"v3 every kind", blob(w16(3), "Author",
			KindExec, "exec", "execution.exe", "", "", w16(0),
			KindComHandler, "comhandler", clsid, "MissingCredentials",
			KindSendEmail, "email", "b", "c", "d", "e", "f", "g", "h", "i", w32(3), "j", "k", "l", w32(2), "m", "n", "o", "p",
			KindShowMessage, "messagebox", `z:\allof\it.exe`, "arg1 arg2"),
			Actions{Version: 3, Context: "Author", Actions: []Action{
				{Kind: KindExec, ID: "exec", Command: "execution.exe"},
				{Kind: KindComHandler, ID: "comhandler", CLSID: "{61BCD1B9-340C-40EC-9D41-D7F1C0632F05}", Data: "MissingCredentials"},
				{Kind: KindSendEmail, ID: "email", Email: &Email{From: "b", To: "c", Cc: "d", Bcc: "e", ReplyTo: "f", Server: "g", Subject: "h", Body: "i",
					Attachments: []string{"j", "k", "l"}, Headers: [][2]string{{"m", "n"}, {"o", "p"}}}},
				{Kind: KindShowMessage, ID: "messagebox", Caption: `z:\allof\it.exe`, Message: "arg1 arg2"},
			}}, ""},
		{"v1 without context or flags", blob(w16(1), KindExec, "", `%windir%\system32\defrag.exe`, "-c", "", KindExec, "", "b.exe", "", ""),
			Actions{Version: 1, Actions: []Action{
				{Kind: KindExec, Command: `%windir%\system32\defrag.exe`, Arguments: "-c"},
				{Kind: KindExec, Command: "b.exe"},
			}}, ""},
		{"v2 with context and trailing flags", blob(w16(2), "Author", KindExec, "", "a.exe", "", "", w16(0)),
			Actions{Version: 2, Context: "Author", Actions: []Action{{Kind: KindExec, Command: "a.exe"}}}, ""},
		{"strings keep inner text, lose trailing NULs", blob(w16(3), "Author\x00", KindExec, "", "a.exe\x00", "x y", "", w16(0)),
			Actions{Version: 3, Context: "Author", Actions: []Action{{Kind: KindExec, Command: "a.exe", Arguments: "x y"}}}, ""},
		{"no actions", blob(w16(3), "Author"), Actions{Version: 3, Context: "Author"}, ""},

		{"empty", nil, Actions{}, "offset 0"},
		{"one byte", []byte{3}, Actions{}, "offset 0"},
		{"context longer than the value", blob(w16(3), w32(0x7fffffff), []byte{0x41, 0}), Actions{Version: 3}, "string of 2147483647 bytes"},
		{"odd string length", blob(w16(3), w32(3), []byte{0x41, 0, 0x42}), Actions{Version: 3}, "odd length"},
		{"unknown action type keeps earlier actions", blob(w16(3), "Author", KindExec, "", "a.exe", "", "", w16(0), w16(0x1234), "x"),
			Actions{Version: 3, Context: "Author", Actions: []Action{{Kind: KindExec, Command: "a.exe"}}}, "unknown action type 0x1234"},
		{"truncated exec", blob(w16(3), "Author", KindExec, "", "a.exe", "args")[:30], Actions{Version: 3, Context: "Author"}, "offset"},
		{"attachment count past the end", blob(w16(3), "Author", KindSendEmail, "", "", "", "", "", "", "", "", "", w32(0xffffffff)),
			Actions{Version: 3, Context: "Author"}, "count 4294967295 does not fit"},
		{"truncated clsid", blob(w16(3), "Author", KindComHandler, "", []byte{1, 2, 3}), Actions{Version: 3, Context: "Author"}, "16 bytes wanted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseActions(tc.in)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseActions (-want +got):\n%s", diff)
			}
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("error %v, want one containing %q", err, tc.err)
			}
			var fe *FormatError
			if err != nil && !errors.As(err, &fe) {
				t.Errorf("error %T is not a *FormatError", err)
			}
		})
	}
}

func TestParseActionsBoundsActions(t *testing.T) {
	parts := []any{w16(3), "Author"}
	for range maxActions + 1 {
		parts = append(parts, KindShowMessage, "", "", "")
	}
	got, err := ParseActions(blob(parts...))
	if err == nil || len(got.Actions) != maxActions {
		t.Fatalf("got %d actions, err %v; want %d and an error", len(got.Actions), err, maxActions)
	}
}

func TestParseDynamicInfo(t *testing.T) {
	ft := func(s string) []byte {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		d := uint64(tm.UnixNano()/100) + 116444736000000000
		return binary.LittleEndian.AppendUint64(nil, d)
	}
	at := func(s string) time.Time { tm, _ := time.Parse(time.RFC3339Nano, s); return tm }
	// Software_Delta of the corpus holds this one (Tasks\{D2903930-...});
	// the times were decoded by hand (Python datetime), and the last
	// success equals the key's last write, 2021-06-09T16:09:55.5758826Z.
	delta := mustHex("03000000d50ed633c75ad701d1c5cfe2495dd7010000000000000000eaea27e3495dd701")
	tests := []struct {
		name string
		in   []byte
		want DynamicInfo
		err  bool
	}{
		{"windows 10 layout from a real hive", delta, DynamicInfo{
			Registered: at("2021-06-06T11:29:24.5377237Z"), LastRun: at("2021-06-09T16:09:54.9982161Z"), LastSuccess: at("2021-06-09T16:09:55.5758826Z"),
		}, false},
		{"windows 7 layout", blob(w32(3), ft("2012-01-02T03:04:05.1234567Z"), ft("2013-01-02T03:04:05Z"), w32(0), w32(0x80070002)), DynamicInfo{
			Registered: at("2012-01-02T03:04:05.1234567Z"), LastRun: at("2013-01-02T03:04:05Z"), LastError: 0x80070002,
		}, false},
		{"zero and implausible times stay zero", blob(w32(3), []byte{0, 0, 0, 0, 0, 0, 0, 0}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, w32(1), w32(0)), DynamicInfo{State: 1}, false},
		{"wrong size", make([]byte, 20), DynamicInfo{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDynamicInfo(tc.in)
			if (err != nil) != tc.err {
				t.Fatalf("err %v, want error %v", err, tc.err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
