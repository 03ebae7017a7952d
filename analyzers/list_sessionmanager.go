package analyzers

// sessionManagerAnalyzers read SYSTEM\<ControlSet>\Control\Session Manager and
// what smss.exe does with it at boot.
var sessionManagerAnalyzers = []*Analyzer{
	BootExecute,
	PendingRenames,
	KnownDLLs,
	Environment,
	SubSystems,
	DosDevices,
	AppCertDlls,
	PagingFiles,
	SessionSwitches,
}
