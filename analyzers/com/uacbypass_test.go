package com

import (
	"testing"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// The table test (analyzers/checks) plants every row in NTUSER.DAT; these
// cases plant the handlers where Windows 10 keeps the user's classes,
// UsrClass.dat, and check its defaults there.
func TestUACBypassInUsrClass(t *testing.T) {
	runCases(t, UACBypass, []caseT{
		{"windows default (the Store's DelegateExecute)", func(h host) {}, report.Info, "", ""},
		{"fodhelper ms-settings", func(h host) {
			samples.Set(h.classes.Root, `ms-settings\Shell\Open\command`, hivetest.SZ("", `C:\Users\alice\AppData\Local\Temp\p.exe`), hivetest.SZ("DelegateExecute", ""))
		}, report.High, "uacbypass.command", "p.exe"},
		{"eventvwr mscfile", func(h host) {
			samples.Set(h.classes.Root, `mscfile\shell\open\command`, hivetest.SZ("", `powershell -w hidden -c iex`))
		}, report.High, "uacbypass.command", "powershell"},
		{"wsreset Store class command", func(h host) {
			samples.Set(h.classes.Root, `AppX82a6gwre4fdg3bt635tn5ctqjf8msdd2\Shell\open\command`, hivetest.SZ("", `cmd.exe /c C:\Users\Public\p.bat`))
		}, report.High, "uacbypass.command", "cmd.exe"},
		{"Store class DelegateExecute changed", func(h host) {
			samples.Set(h.classes.Root, `AppX82a6gwre4fdg3bt635tn5ctqjf8msdd2\Shell\open\command`, hivetest.SZ("DelegateExecute", clsidUserOnly))
		}, report.High, "uacbypass.delegate-store", clsidUserOnly},
		{"sdclt exefile runas IsolatedCommand", func(h host) {
			samples.Set(h.classes.Root, `exefile\shell\runas\command`, hivetest.SZ("IsolatedCommand", `C:\Users\Public\p.exe`))
		}, report.High, "uacbypass.user-command", "p.exe"},
		{"Folder open command", func(h host) {
			samples.Set(h.classes.Root, `Folder\shell\open\command`, hivetest.SZ("", `C:\Users\alice\p.exe`), hivetest.SZ("DelegateExecute", ""))
		}, report.High, "uacbypass.user-command", "p.exe"},
		{"ms-settings CurVer", func(h host) {
			samples.Set(h.classes.Root, `ms-settings\CurVer`, hivetest.SZ("", ".pwn"))
		}, report.High, "uacbypass.curver", ".pwn"},
		{"ms-settings CurVer followed to its command", func(h host) {
			samples.Set(h.classes.Root, `ms-settings\CurVer`, hivetest.SZ("", ".pwn"))
			samples.Set(h.classes.Root, `.pwn\Shell\Open\command`, hivetest.SZ("", `C:\Users\alice\AppData\Local\Temp\p.exe`))
		}, report.High, "uacbypass.curver-command", "p.exe"},
		{"a user's Directory verb is not a bypass handler", func(h host) {
			samples.Set(h.classes.Root, `Directory\shell\VSCode\command`, hivetest.SZ("", `"C:\Users\alice\AppData\Local\Programs\Microsoft VS Code\Code.exe" "%V"`))
		}, report.Info, "", ""},
	})
}
