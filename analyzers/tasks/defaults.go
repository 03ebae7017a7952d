package tasks

import "strings"

// windowsDefault is an exec action Windows itself registers whose command
// line the path assessor, on its own, would flag (a hidden PowerShell, a
// cmd.exe script, a rundll32 switch it misreads). Only the exact task,
// program and arguments are quiet: the same task name running anything
// else is judged like any other task.
type windowsDefault struct {
	task, command, args string
	source              string
}

// windowsDefaults are such actions of Windows 10 and 11.
var windowsDefaults = []windowsDefault{
	{`\Microsoft\Windows\SMB\UninstallSMB1ClientTask`, `%windir%\System32\WindowsPowerShell\v1.0\powershell.exe`,
		`-ExecutionPolicy Unrestricted -NonInteractive -NoProfile -WindowStyle Hidden "& %windir%\system32\WindowsPowerShell\v1.0\Modules\SmbShare\DisableUnusedSmb1.ps1 -Scenario Client"`,
		"Windows 10 1709 and later: SMB1 automatic removal (learn.microsoft.com/windows-server/storage/file-server/troubleshoot/smbv1-not-installed-by-default-in-windows)"},
	{`\Microsoft\Windows\SMB\UninstallSMB1ServerTask`, `%windir%\System32\WindowsPowerShell\v1.0\powershell.exe`,
		`-ExecutionPolicy Unrestricted -NonInteractive -NoProfile -WindowStyle Hidden "& %windir%\system32\WindowsPowerShell\v1.0\Modules\SmbShare\DisableUnusedSmb1.ps1 -Scenario Server"`,
		"Windows 10 1709 and later: SMB1 automatic removal (as above)"},
	{`\Microsoft\Windows\Software Inventory Logging\Collection`, `%systemroot%\system32\cmd.exe`,
		`/d /c %systemroot%\system32\silcollector.cmd publish`,
		"Software Inventory Logging (learn.microsoft.com/windows-server/administration/software-inventory-logging/software-inventory-logging)"},
	{`\Microsoft\Windows\Software Inventory Logging\Configuration`, `%systemroot%\system32\cmd.exe`,
		`/d /c %systemroot%\system32\silcollector.cmd configure`,
		"Software Inventory Logging (as above)"},
	{`\Microsoft\Windows\Autochk\Proxy`, `%windir%\system32\rundll32.exe`,
		`/d acproxy.dll,PerformAutochkOperations`,
		"Windows 8 and later: Autochk proxy task (the assessor takes rundll32's /d switch for the DLL)"},
}

// isWindowsDefault reports whether an exec action of task is one of
// windowsDefaults (letter case and surrounding spaces and quotes ignored).
func isWindowsDefault(task string, a Action) bool {
	norm := func(s string) string { return strings.ToLower(strings.Trim(strings.TrimSpace(s), `"`)) }
	for _, d := range windowsDefaults {
		if strings.EqualFold(d.task, task) && norm(d.command) == norm(a.Command) && norm(d.args) == norm(a.Arguments) {
			return true
		}
	}
	return false
}
