package sigma

import (
	"path"
	"regexp"
	"strings"
)

// knownGoodRow is a stock Windows entry that Sigma rules fire on. Pattern
// is matched against the event's TargetObject, lower-cased, with `\` turned
// into `/`, by path.Match (so * stays within one key name). Details, when
// set, must match the event's Details (case-insensitive, whole text).
// A key row (Key true) matches CreateKey events only, and Values, when set,
// says which values the key may hold for it to be the stock key.
type knownGoodRow struct {
	Pattern string
	Details *regexp.Regexp
	Key     bool
	Values  map[string]*regexp.Regexp // lower-case value name -> data (Details form)
	Why     string
	Source  string
}

var clsidOrEmpty = regexp.MustCompile(`(?i)^(\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}|\(Empty\))$`)

func exact(s string) *regexp.Regexp { return regexp.MustCompile(`(?i)^` + regexp.QuoteMeta(s) + `$`) }

// knownGoodTable lists the stock values that offline-evaluable rules of the
// embedded set fire on at high or critical on clean hives, and those the
// issue names (TypedPaths, Office trusted locations, EventLog files,
// DLLPathOverride, RDP shadow, LSA extensions, SafeBoot).
var knownGoodTable = []knownGoodRow{
	{
		Pattern: "hklm/system/currentcontrolset/control/contentindex/language/*/stemmerclass", Details: clsidOrEmpty,
		Why:    "the Windows Search language resource names its stemmer by CLSID, as every stock language key does (the persistence sets StemmerDLLPathOverride)",
		Source: "corpus: regipy SYSTEM_WIN_10_1709 and SYSTEM_B, every Language subkey",
	},
	{
		Pattern: "hklm/system/currentcontrolset/control/contentindex/language/*/wbreakerclass", Details: clsidOrEmpty,
		Why:    "the Windows Search language resource names its word breaker by CLSID, as every stock language key does (the persistence sets WBDLLPathOverride)",
		Source: "corpus: regipy SYSTEM_WIN_10_1709 and SYSTEM_B, every Language subkey",
	},
	{
		Pattern: "hklm/system/currentcontrolset/control/lsaextensionconfig/lsasrv/extensions", Details: regexp.MustCompile(`(?i)^((lsasrv|efslsaext|dpapisrv)\.dll ?)+$`),
		Why:    "LSA loads only its own stock extensions (lsasrv.dll, efslsaext.dll)",
		Source: "corpus: regipy SYSTEM_WIN_10_1709 and SYSTEM_B (Windows 10) hold exactly lsasrv.dll efslsaext.dll",
	},
	{
		Pattern: "hklm/system/currentcontrolset/control/terminal server/shadow", Details: exact("DWORD (0x00000001)"),
		Why:    "Shadow 1 (full control with the user's permission) is the Windows default for RDP session shadowing",
		Source: "Microsoft Learn, Group Policy \"Set rules for remote control of Remote Desktop Services user sessions\" (default: full control with user's permission); corpus: SYSTEM_WIN_10_1709 and SYSTEM_B",
	},
	{
		Pattern: "hklm/system/currentcontrolset/control/terminal server/*/*/shadow", Details: exact("DWORD (0x00000001)"),
		Why:    "Shadow 1 (full control with the user's permission) is the Windows default for RDP session shadowing",
		Source: "Microsoft Learn, Group Policy \"Set rules for remote control of Remote Desktop Services user sessions\"; corpus: WinStations\\Console and RDP-Tcp on SYSTEM_WIN_10_1709 and SYSTEM_B",
	},
	{
		Pattern: "hklm/system/currentcontrolset/control/terminal server/*/shadow", Details: exact("DWORD (0x00000001)"),
		Why:    "Shadow 1 (full control with the user's permission) is the Windows default for RDP session shadowing",
		Source: "Microsoft Learn, Group Policy \"Set rules for remote control of Remote Desktop Services user sessions\"; corpus: DefaultUserConfiguration on SYSTEM_WIN_10_1709 and SYSTEM_B",
	},
	{
		Pattern: "hklm/system/currentcontrolset/control/terminal server/winstations/rdp-tcp/initialprogram", Details: exact("(Empty)"),
		Why:    "an empty InitialProgram starts no program at RDP logon (the stock value)",
		Source: "corpus: SYSTEM_WIN_10_1709 and SYSTEM_B",
	},
	{
		Pattern: "hklm/system/currentcontrolset/control/terminal server/winstations/rdp-tcp/securitylayer", Details: exact("DWORD (0x00000001)"),
		Why:    "SecurityLayer 1 (negotiate TLS or RDP security) is the Windows 7 / Server 2008 R2 default; the rule itself lets 2 (TLS) pass",
		Source: "corpus: regipy SYSTEM and SYSTEM_2 (Windows 7), both control sets",
	},
	{
		Pattern: "hklm/system/currentcontrolset/services/termservice/parameters/servicedll", Details: regexp.MustCompile(`(?i)^(%systemroot%|c:\\windows)\\system32\\termsrv\.dll$`),
		Why:    "the Remote Desktop service runs its own termsrv.dll",
		Source: "corpus: SYSTEM_WIN_10_1709 and SYSTEM_B",
	},
	{
		Pattern: "hklm/system/currentcontrolset/services/termservice/parameters/servicedllunloadonstop", Details: exact("DWORD (0x00000001)"),
		Why:    "ServiceDllUnloadOnStop 1 is set by Windows for TermService",
		Source: "corpus: SYSTEM_WIN_10_1709 and SYSTEM_B",
	},
	{
		Pattern: "hklm/system/currentcontrolset/services/eventlog/security/security/objectnames/*",
		Why:     "ObjectNames holds audit object-type message ids (a value named File is the \"File\" object type, not a log file location)",
		Source:  "corpus: SYSTEM_WIN_10_1709 and SYSTEM_B (File = DWORD 4416)",
	},
	{
		Pattern: "hklm/system/currentcontrolset/services/eventlog/*/file", Details: regexp.MustCompile(`(?i)^(%systemroot%|c:\\windows|c:\\winnt)\\system32\\config\\[^\\]+\.evt$`),
		Why:    "the classic event log folder (%SystemRoot%\\System32\\config\\*.evt), where Windows before Vista and older applications keep their logs",
		Source: "Microsoft Learn, \"Eventlog Key\" (File: default %SystemRoot%\\System32\\Config\\<log>.evt before Vista); corpus: SOLIDWORKS-DTS and ThinPrint logs on SYSTEM_WIN_10_1709",
	},
	{
		Pattern: "hklm/system/currentcontrolset/services/winsock2/parameters/autodialdll", Details: regexp.MustCompile(`(?i)^((%systemroot%|c:\\windows)\\system32\\)?rasadhlp\.dll$`),
		Why:    "rasadhlp.dll is Windows' own Remote Access AutoDial helper",
		Source: "corpus: SYSTEM_WIN_10_1709 and SYSTEM_B (C:\\Windows\\System32\\rasadhlp.dll), regipy SYSTEM (Windows 7: rasadhlp.dll)",
	},
	{
		Pattern: "hku/*/software/microsoft/windows/currentversion/explorer/user shell folders/startup", Details: exact(`%USERPROFILE%\Start Menu\Programs\Startup`),
		Why:    "the Windows XP / 2003 default per-user Startup folder",
		Source: "corpus: Velocidex regparser and velociraptor NTUSER.DAT (Windows XP)",
	},
	{
		Pattern: "hku/*/software/microsoft/windows/currentversion/explorer/shell folders/startup", Details: regexp.MustCompile(`(?i)^[a-z]:\\Documents and Settings\\[^\\]+\\Start Menu\\Programs\\Startup$`),
		Why:    "the Windows XP / 2003 default per-user Startup folder, expanded",
		Source: "corpus: Velocidex regparser and velociraptor NTUSER.DAT (Windows XP)",
	},
	{
		Pattern: "hku/*_classes/appx82a6gwre4fdg3bt635tn5ctqjf8msdd2/shell/open/command", Key: true,
		Values: map[string]*regexp.Regexp{"delegateexecute": exact("{4ED3A719-CEA8-4BD9-910D-E252F997AFC2}")},
		Why:    "the Microsoft Store's own protocol handler key, holding only its stock DelegateExecute (the UAC bypass writes a (Default) command)",
		Source: "corpus: regipy and velociraptor UsrClass.dat (Windows 10 Store registration)",
	},
	{
		Pattern: "hklm/system/currentcontrolset/control/minint", Key: true,
		Values: map[string]*regexp.Regexp{"allowrefsformatovernomirrorvolume": regexp.MustCompile(`.`)},
		Why:    "Windows 10 keeps a MiniNT key holding only AllowRefsFormatOverNoMirrorVolume (a ReFS setting); the event-log tampering creates it empty",
		Source: "corpus: regipy SYSTEM_WIN_10_1709, a stock Windows 10 1709 install",
	},
	{
		Pattern: "hklm/system/currentcontrolset/control/session manager/bootexecute", Details: exact("autocheck autochk *"),
		Why:    "BootExecute runs only the disk check, as Windows sets it",
		Source: "corpus: every SYSTEM hive of regipy (Windows 7 and 10); Microsoft's documented default \"autocheck autochk *\"",
	},
	{
		Pattern: "hklm/system/currentcontrolset/control/session manager/knowndlls/*", Details: regexp.MustCompile(`(?i)^[a-z0-9_.-]+\.dll$|^(%systemroot%|c:\\windows)\\(system32|syswow64)$`),
		Why:    "a KnownDLLs entry naming a DLL by file name alone (loaded from System32), or DllDirectory naming System32, as every stock entry does",
		Source: "corpus: KnownDLLs of regipy SYSTEM_WIN_10_1709, SYSTEM_B and SYSTEM (Windows 10 and 7)",
	},
	{
		Pattern: "hklm/system/currentcontrolset/control/safeboot/*/*/(default)", Details: regexp.MustCompile(`(?i)^(Service|Driver|Driver Group|Service Group)$`),
		Why:    "every stock SafeBoot entry names its service or driver this way; only a name Windows does not ship would be persistence, which needs the per-version list",
		Source: "corpus: every SafeBoot\\Minimal and Network entry of SYSTEM_WIN_10_1709 and SYSTEM_B",
	},
}

// knownGood reports whether ev is a stock entry of the known-good table.
func knownGood(ev *Event) (knownGoodRow, bool) {
	target := strings.ReplaceAll(strings.ToLower(ev.TargetObject), `\`, "/")
	for _, row := range knownGoodTable {
		if row.Key != (ev.Value == nil) {
			continue
		}
		if ok, _ := path.Match(row.Pattern, target); !ok {
			continue
		}
		if row.Key {
			if stockValues(ev, row.Values) {
				return row, true
			}
			continue
		}
		if row.Details == nil || row.Details.MatchString(ev.Details) {
			return row, true
		}
	}
	return knownGoodRow{}, false
}

// stockValues reports whether the event's key holds exactly the values of
// want, with matching data.
func stockValues(ev *Event, want map[string]*regexp.Regexp) bool {
	vals, err := ev.Key.Values()
	if err != nil || len(vals) != len(want) {
		return false
	}
	for _, v := range vals {
		re, ok := want[strings.ToLower(v.Name())]
		if !ok {
			return false
		}
		d, _ := v.Data() // undecodable data fails the match below
		if !re.MatchString(Details(v.Type(), d)) {
			return false
		}
	}
	return true
}
