package report

import (
	"strings"
	"time"
)

// fixture returns a report full of data that attackers control or that
// formats get wrong: terminal escapes, a CSV formula, RTLO and zero-width
// characters, nil versus empty Value, a zero LastWrite, []string, number and
// binary data. Its lists are deliberately out of order.
func fixture() *Report {
	written := time.Date(2019, 6, 1, 10, 20, 30, 123456700, time.UTC)
	return &Report{
		ToolVersion: "1.2.3",
		Args:        []string{"scan", "--format", "json", "evidence"},
		Started:     time.Date(2024, 3, 5, 1, 2, 3, 0, time.FixedZone("CET", 3600)),
		Finished:    time.Date(2024, 3, 5, 0, 2, 4, 500, time.UTC),
		Images: []Image{{Path: "cases/ws03.E01", Format: "ewf", Segments: []string{"cases/ws03.E01", "cases/ws03.E02"}, Size: 1 << 30,
			StoredHashes: map[string]string{"md5": strings.Repeat("0f", 16)}, Verification: "not verified", PartitionTable: "GPT",
			Volumes: []ImageVolume{{Desc: "partition 1 (FAT32)", Offset: 1 << 20, Length: 100 << 20, Reason: "FAT32: no NTFS volume"},
				{Desc: "partition 2 (NTFS)", Offset: 101 << 20, Length: 900 << 20, Searched: true}},
			BytesRead: 4242}},
		Inputs: []Input{
			{Path: "WS02/Windows/System32/config/SAM", Source: "evidence", Kind: "SAM", Host: "WS02", State: InputNotParsed, Size: 65536, SHA256: strings.Repeat("ef", 32), Dirty: true, ChecksumOK: false, Notes: []string{"base block checksum mismatch"}},
			{Path: "WS01/Users/alice/NTUSER.DAT", Source: "evidence", Kind: "NTUSER", Host: "WS01", User: "alice", Size: 262144, SHA256: strings.Repeat("ab", 32), ChecksumOK: true, Logs: []string{"WS01/Users/alice/ntuser.dat.LOG1", "WS01/Users/alice/ntuser.dat.LOG2"}, HeaderTime: written},
			{Path: "WS01/Windows/System32/config/SYSTEM", Source: "evidence", Kind: "SYSTEM", Host: "WS01", Size: 12582912, SHA256: strings.Repeat("01", 32), ChecksumOK: true},
			{Path: "WS01/Windows/System32/config/RegBack/SYSTEM", Source: "evidence", Kind: "SYSTEM", Host: "WS01", Label: "RegBack", Size: 0, ChecksumOK: false, Notes: []string{"empty file (RegBack disabled since Windows 10 1803)"}},
			{Path: "WS03/Windows/System32/config/SOFTWARE", Source: "evidence", Kind: "UNKNOWN", Host: "WS03", State: InputNotRead, Size: 20 << 30, Notes: []string{"not read: 21474836480 bytes: hive too large"}},
			{Path: "WS01/Users/alice/ntuser.dat.LOG1", Source: "evidence", Kind: "LOG", Host: "WS01", User: "alice", State: InputRead, Size: 8192, SHA256: strings.Repeat("cd", 32), ChecksumOK: true, HeaderTime: written},
			{Path: "WS01/Users/alice/ntuser.dat.LOG2", Source: "evidence", Kind: "LOG", Host: "WS01", User: "alice", State: InputNotParsed, Size: 0, SHA256: strings.Repeat("00", 32), Notes: []string{"base block not readable: not a registry hive"}},
		},
		Hosts: []Host{
			{Name: "WS02", Root: "WS02", HiveKinds: []string{"SAM"}},
			{Name: "WS01", Root: "WS01", OS: "Windows 10 Pro 19045", TimeZone: "W. Europe Standard Time",
				HiveKinds: []string{"SYSTEM", "NTUSER"},
				Users:     []User{{Name: "alice", SID: "S-1-5-21-1-2-3-1001", Profile: `C:\Users\alice`}},
				ControlSets: []ControlSet{
					{Name: "ControlSet002", Roles: []string{"last_known_good"}},
					{Name: "ControlSet001", Roles: []string{"current", "default"}},
				}},
		},
		Analyzers: []AnalyzerRun{
			{Host: "WS02", Name: "run-keys", Status: Skipped, Reason: "needs SOFTWARE or NTUSER hive"},
			{Host: "WS01", Name: "session-manager", Status: Ran, Findings: 1},
			{Host: "WS01", Name: "run-keys", Status: Ran, Findings: 3},
			{Host: "WS02", Name: "services", Status: Failed, Reason: "panic: runtime error: index out of range [3] with length 3"},
		},
		Findings: []Finding{
			{
				Analyzer: "run-keys", Rule: "formula-in-data", Severity: High,
				Title: "Run value with a spreadsheet formula", Host: "WS01",
				Hive: "WS01/Users/alice/NTUSER.DAT", HiveKind: "NTUSER", User: "alice",
				Key:   `Software\Microsoft\Windows\CurrentVersion\Run`,
				Value: ValueName("Updater\u202Eexe.txt"), Data: `=cmd|' /C calc'!A0`,
				LastWrite: written, Attack: []string{"T1547.001", "T1036.002"},
				Detail: "The value name hides its extension with U+202E RIGHT-TO-LEFT OVERRIDE.",
			},
			{
				Analyzer: "session-manager", Rule: "fake-smss", Severity: Critical,
				Title: "BootExecute runs smss.exe from outside System32", Host: "WS01",
				Hive: "WS01/Windows/System32/config/SYSTEM", HiveKind: "SYSTEM",
				Key:   `ControlSet001\Control\Session Manager`,
				Value: ValueName("BootExecute"), Data: []string{"autocheck autochk *", `C:\Temp\smss.exe`},
				LastWrite: written, ControlSet: "ControlSet001", ControlSetRole: []string{"current", "default"},
				Attack: []string{"T1547.001"}, Risk: 0.95,
				Targets: []Target{
					{Path: `C:\Windows\System32\autochk.exe`, Found: "WS01/Windows/System32/autochk.exe", Exists: true, Size: 1024,
						SHA256: strings.Repeat("a", 64), SHA1: strings.Repeat("b", 40), MD5: strings.Repeat("c", 32),
						PE: &PEFacts{Machine: "amd64", Subsystem: "native", Signature: "not-embedded", OriginalFilename: "autochk.exe", CompanyName: "Microsoft Corporation"}},
					{Path: `C:\Temp\smss.exe`, Found: "WS01/Temp/smss.exe", Exists: true, Size: 2048, SHA256: strings.Repeat("d", 64),
						Times:       &FileTimes{Created: written.Add(-time.Hour), FNCreated: written, MFTRecord: 77},
						Timestomped: true, Streams: []Stream{{Name: "Zone.Identifier", Size: 26}},
						PE: &PEFacts{Machine: "i386", Subsystem: "windows-gui", Signature: "not-embedded", OriginalFilename: "smss.exe", LinkTime: "2020-01-01T00:00:00Z"}},
					{Path: `C:\Windows\gone.dll`},
				},
				Detail: "BootExecute programs run before the Windows subsystem starts, with SYSTEM rights and before most security products load. " +
					"The real smss.exe lives in System32; a second one elsewhere is a classic masquerade.\nCompare with the RegBack copy.",
			},
			{
				Analyzer: "run-keys", Rule: "odd-key-name", Severity: Medium,
				Title: "Run key with terminal escapes in its name", Host: "WS01",
				Hive: "WS01/Users/alice/NTUSER.DAT", HiveKind: "NTUSER", User: "alice",
				Key:    "Software\\Microsoft\\Windows\\CurrentVersion\\Run\\\x1b[2J\x1b]0;pwned\x07\r",
				Detail: "Key-level finding: no value, no data, no last write (<none> && nothing).",
			},
			{
				Analyzer: "run-keys", Rule: "default-value", Severity: Low,
				Title: "Run key default value set", Host: "WS01",
				Hive: "WS01/Users/alice/NTUSER.DAT", HiveKind: "NTUSER", User: "alice",
				Key:   `Software\Microsoft\Windows\CurrentVersion\Run`,
				Value: ValueName(""), Data: "C:\\ProgramData\\ünïcödé\u200b.exe\t-x",
				LastWrite: written.Add(100),
			},
			{
				Analyzer: "services", Rule: "inventory", Severity: Info,
				Title: "Service start type", Host: "WS02",
				Hive: "WS02/Windows/System32/config/SYSTEM", HiveKind: "SYSTEM",
				Key:   `ControlSet001\Services\evil`,
				Value: ValueName("Start"), Data: uint32(2), Deleted: true,
				ControlSet: "ControlSet001",
				LastWrite:  time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC),
			},
			{
				Analyzer: "services", Rule: "binary", Severity: Info,
				Title: "Service failure actions", Host: "WS02",
				Hive: "WS02/Windows/System32/config/SYSTEM", HiveKind: "SYSTEM",
				Key:   `ControlSet001\Services\evil`,
				Value: ValueName("FailureActions"), Data: []byte{0x00, 0x1b, 0xff, 0x10},
				Detail: "-binary data is written as hex",
			},
		},
		Problems: []Problem{
			{Host: "WS02", Path: "WS02/Windows/System32/config/SAM", Message: "base block checksum mismatch; parsed anyway"},
			{Host: "WS01", Path: "WS01/Users/bob/NTUSER.DAT", Analyzer: "run-keys", Message: "open: permission denied \x1b[31m"},
			{Host: "WS03", Path: "WS03/Windows/System32/config/SOFTWARE", Message: "21474836480 bytes: hive too large (4294967296)\nsecond line"},
			{Path: "=HYPERLINK(\"http://x\")", Message: "named like a hive but is not one"},
		},
	}
}
