package com

import "strings"

// target is a CLSID that Windows programs create by themselves (explorer at
// logon, every PowerShell and script host, MMC, Task Scheduler handlers),
// which makes a per-user registration of it a ready-made COM hijack.
type target struct {
	CLSID string
	Name  string
	// DLL is the file Windows registers for it machine-wide, in System32
	// (or a folder below it); "" when the table does not promise one.
	DLL string
	// LoadedBy says which programs create it, for the detail.
	LoadedBy string
	Source   string
}

const (
	sigmaBuiltin = "SigmaHQ registry_set_persistence_com_hijacking_builtin.yml (790317c0), embedded in analyzers/sigma/sigmahq"
	gstudent     = "https://onedaysec.com/qa/what-defense-strategies-does-the-article-recommend-against-com-object-hijacking-1777483446219 (after 3gstudent, \"Use COM Object hijacking to maintain persistence: Hijack CAccPropServicesClass and MMDeviceEnumerator\")"
)

// targets are the known hijack targets, each with the research that names it.
var targets = []target{
	{"{b5f8350b-0548-48b1-a6ee-88bd00b4a5e7}", "CAccPropServicesClass", "oleacc.dll", "explorer and most GUI programs (accessibility)", gstudent},
	{"{bcde0395-e52f-467c-8e3d-c4579291692e}", "MMDeviceEnumerator", "mmdevapi.dll", "every program that plays sound, explorer included", gstudent},
	{"{42aedc87-2188-41fd-b9a3-0c966feabec1}", "MruPidlList", "", "explorer at logon", gstudent},
	{"{fbeb8a05-beee-4442-804e-409d6c4515e9}", "ShellFolderViewOC", "", "explorer at logon", gstudent},
	{"{fdb00e52-a214-4aa1-8fba-4357bb0072ec}", "AMSI provider (Antimalware Scan Interface)", "amsi.dll", "PowerShell, the script hosts and Office macros, whenever they scan content", "SigmaHQ registry_set_amsi_com_hijack.yml (160d2780); https://enigma0x3.net/2017/07/19/bypassing-amsi-via-com-server-hijacking/"},
	{"{c90250f3-4d7d-4991-9b69-a5c5bc1c2ae6}", "PSFactoryBuffer (ActiveX interface marshaling)", "actxprxy.dll", "explorer and every program that marshals ActiveX interfaces", "SigmaHQ registry_set_persistence_comhijack_psfactorybuffer.yml (243380fa; RomCom)"},
	{"{52a2aaae-085d-4187-97ea-8c30db990436}", "HHCtrl (HTML Help)", "hhctrl.ocx", "hh.exe and every program that shows compiled help", "SigmaHQ registry_set_hhctrl_persistence.yml; https://persistence-info.github.io/Data/hhctrl.html"},
	{"{4590f811-1d3a-11d0-891f-00aa004b2e24}", "WbemLocator (WMI)", "wbemprox.dll", "every WMI client (PowerShell, wmic, management agents)", sigmaBuiltin},
	{"{1f486a52-3cb1-48fd-8f50-b8dc300d9f9d}", "built-in class", "", "Windows components", sigmaBuiltin},
	{"{2155fee3-2419-4373-b102-6843707eb41f}", "built-in class", "", "Windows components", sigmaBuiltin},
	{"{4de225bf-cf59-4cfc-85f7-68b90f185355}", "built-in class", "", "Windows components", sigmaBuiltin},
	{"{ddc05a5a-351a-4e06-8eaf-54ec1bc2dcea}", "built-in class", "", "Windows components", sigmaBuiltin},
	{"{f56f6fdd-aa9d-4618-a949-c1b91af43b1a}", "built-in class", "", "Windows components", sigmaBuiltin},
	{"{f82b4ef1-93a9-4dde-8015-f7950a1a6e31}", "built-in class", "", "Windows components", sigmaBuiltin},
	{"{7849596a-48ea-486e-8937-a2a3009f31a9}", "built-in class", "", "Windows components", sigmaBuiltin},
	{"{0b91a74b-ad7c-4a9d-b563-29eef9167172}", "built-in class", "", "Windows components", sigmaBuiltin},
	{"{603d3801-bd81-11d0-a3a5-00c04fd706ec}", "built-in class", "", "Windows components", sigmaBuiltin},
	{"{30d49246-d217-465f-b00b-ac9ddd652eb7}", "built-in class", "", "Windows components", sigmaBuiltin},
	{"{a7a63e5c-3877-4840-8727-c1ea9d7a4d50}", "built-in class", "", "Windows components", sigmaBuiltin},
	{"{2227a280-3aea-1069-a2de-08002b30309d}", "Printers folder", "", "explorer", sigmaBuiltin},
	{"{2dea658f-54c1-4227-af9b-260ab5fc3543}", "built-in class (a Task Scheduler COM handler)", "", "Task Scheduler", sigmaBuiltin},
	{"{aa509086-5ca9-4c25-8f95-589d3c07b48a}", "built-in class", "", "Windows components", sigmaBuiltin},
}

// targetIndex maps the lower-case CLSIDs of targets to their rows.
var targetIndex = func() map[string]*target {
	m := make(map[string]*target, len(targets))
	for i := range targets {
		m[strings.ToLower(targets[i].CLSID)] = &targets[i]
	}
	return m
}()
