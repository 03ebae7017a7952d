package analyzers

// serviceAnalyzers read services, Image File Execution Options and the other
// machine-wide autostarts.
var serviceAnalyzers = []*Analyzer{
	Services,
	IFEO,
	LSA,
	PrintMonitors,
	Netsh,
	TimeProviders,
	Wow64,
	CmdAutoRun,
	ActiveSetup,
}
