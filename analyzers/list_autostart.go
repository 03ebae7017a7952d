package analyzers

// autostartAnalyzers read the Run keys, Winlogon, the Windows key and the
// shell folders of SOFTWARE, NTUSER and DEFAULT hives.
var autostartAnalyzers = []*Analyzer{
	RunKeys,
	Winlogon,
	WindowsKey,
	ShellFolders,
}
