package services

import "github.com/hivescan/hivescan/analyzers/analysis"

// family is this package's analyzers, in the order analyzers.All runs them,
// for tests that run the whole family.
var family = []*analysis.Analyzer{
	Services,
	LSA,
	PrintMonitors,
	Netsh,
	TimeProviders,
	Wow64,
	CmdAutoRun,
	Svchost,
	Provisioning,
	ActiveSetup,
}
