package com

import (
	"testing"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

func TestCOMAutostart(t *testing.T) {
	runCases(t, COMAutostart, []caseT{
		{"windows default with per-user OneDrive", func(h host) {}, report.Info, "", ""},
		{"browser helper object in ProgramData", func(h host) {
			samples.At(h.sw.Root, explorerKey+`Browser Helper Objects\`+clsidUserOnly)
			h.machineClass(clsidUserOnly, `C:\ProgramData\Helper\bho.dll`)
		}, report.Medium, "comautostart.server", clsidUserOnly},
		{"32-bit browser helper object in Temp", func(h host) {
			samples.At(h.sw.Root, `Wow6432Node\`+explorerKey+`Browser Helper Objects\`+clsidUserOnly)
			samples.Set(h.sw.Root, `Classes\Wow6432Node\CLSID\`+clsidUserOnly+`\InprocServer32`, hivetest.SZ("", `C:\Windows\Temp\bho32.dll`))
		}, report.High, "comautostart.server", clsidUserOnly},
		{"shell service object from Program Files", func(h host) {
			samples.At(h.sw.Root, explorerKey+`ShellServiceObjects\`+clsidVendor)
		}, report.Info, "comautostart.installed", clsidVendor},
		{"SharedTaskScheduler value named after a CLSID", func(h host) {
			samples.Set(h.sw.Root, explorerKey+`SharedTaskScheduler`, hivetest.SZ(clsidUserOnly, "Updater"))
			h.machineClass(clsidUserOnly, `C:\Users\Public\upd.dll`)
		}, report.Medium, "comautostart.server", "upd.dll"},
		{"ShellServiceObjectDelayLoad data", func(h host) {
			samples.Set(h.sw.Root, `Microsoft\Windows\CurrentVersion\ShellServiceObjectDelayLoad`, hivetest.SZ("Loader", clsidUserOnly))
			h.machineClass(clsidUserOnly, `C:\Tools\loader.dll`)
		}, report.Medium, "comautostart.server", "loader.dll"},
		{"user ShellExecuteHooks resolved to the user's class first", func(h host) {
			samples.Set(h.user.Root, `Software\`+explorerKey+`ShellExecuteHooks`, hivetest.SZ(clsidVendor, ""))
			h.userClass(clsidVendor, `C:\Users\alice\AppData\Local\Temp\hook.dll`)
		}, report.High, "comautostart.user-server", "hook.dll"},
		{"user overlay identifier in the user's profile", func(h host) {
			samples.Set(h.user.Root, `Software\`+explorerKey+`ShellIconOverlayIdentifiers\ Sync`, hivetest.SZ("", clsidUserOnly))
			h.userClass(clsidUserOnly, `C:\Users\alice\AppData\Local\SyncTool\overlay.dll`)
		}, report.Low, "comautostart.user-server", "overlay.dll"},
		{"folder context-menu handler in the user's classes", func(h host) {
			samples.Set(h.classes.Root, `Folder\shellex\ContextMenuHandlers\Evil`, hivetest.SZ("", clsidUserOnly))
			h.userClass(clsidUserOnly, `C:\Windows\Temp\cm.dll`)
		}, report.High, "comautostart.server", "cm.dll"},
		{"drive context-menu handler named by its subkey", func(h host) {
			samples.At(h.sw.Root, `Classes\Drive\shellex\ContextMenuHandlers\`+clsidUserOnly)
			h.machineClass(clsidUserOnly, `C:\Tools\drive.dll`)
		}, report.Medium, "comautostart.server", clsidUserOnly},
		{"handler whose class runs a scriptlet", func(h host) {
			samples.Set(h.sw.Root, `Classes\Directory\Background\shellex\ContextMenuHandlers\S`, hivetest.SZ("", clsidUserOnly))
			h.machineClass(clsidUserOnly, `C:\Windows\System32\scrobj.dll`)
			samples.Set(h.sw.Root, `Classes\CLSID\`+clsidUserOnly+`\ScriptletURL`, hivetest.SZ("", `file://C:/Users/Public/x.sct`))
		}, report.High, "comautostart.scriptlet", "x.sct"},
		{"user URLSearchHook in ProgramData", func(h host) {
			samples.Set(h.user.Root, `Software\`+ieKey+`URLSearchHooks`, hivetest.SZ(clsidUserOnly, ""))
			h.machineClass(clsidUserOnly, `C:\ProgramData\Search\hook.dll`)
		}, report.Medium, "comautostart.server", "hook.dll"},
		{"Internet Explorer toolbar of WebBrowser in Temp", func(h host) {
			samples.Set(h.user.Root, `Software\`+ieKey+`Toolbar\WebBrowser`, hivetest.Binary(clsidUserOnly, []byte{0}))
			h.userClass(clsidUserOnly, `C:\Users\alice\AppData\Local\Temp\tb.dll`)
		}, report.High, "comautostart.user-server", "tb.dll"},
		{"Internet Explorer toolbar layout values are not CLSIDs", func(h host) {
			samples.Set(h.user.Root, `Software\`+ieKey+`Toolbar`, hivetest.DWORD("Locked", 1), hivetest.Binary("ITBarLayout", []byte{1, 2}))
		}, report.Info, "", ""},
		{"Explorer Bar in Public", func(h host) {
			samples.At(h.sw.Root, ieKey+`Explorer Bars\`+clsidUserOnly)
			h.machineClass(clsidUserOnly, `C:\Users\Public\bar.dll`)
		}, report.Medium, "comautostart.server", clsidUserOnly},
		{"DirectShow filter outside Program Files", func(h host) {
			samples.At(h.sw.Root, `Classes\CLSID\{083863F1-70DE-11d0-BD40-00A0C911CE86}\Instance\`+clsidUserOnly)
			h.machineClass(clsidUserOnly, `C:\Codecs\filter.ax`)
		}, report.Medium, "comautostart.server", clsidUserOnly},
		{"WIC decoder from Program Files", func(h host) {
			samples.At(h.sw.Root, `Classes\CLSID\{7ED96837-96F0-4812-B211-F13C24117ED3}\Instance\`+clsidVendor)
		}, report.Info, "comautostart.installed", clsidVendor},
		{"unregistered CLSID", func(h host) {
			samples.At(h.sw.Root, explorerKey+`ShellServiceObjects\`+clsidUserOnly)
		}, report.Info, "comautostart.unregistered", clsidUserOnly},
	})
}
