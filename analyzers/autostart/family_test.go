package autostart

import "github.com/hivescan/hivescan/analyzers/analysis"

// family is this package's analyzers, in the order analyzers.All runs them,
// for tests that run the whole family.
var family = []*analysis.Analyzer{
	RunKeys,
	Winlogon,
	WindowsKey,
	ShellFolders,
}
