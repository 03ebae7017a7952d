package samples

// autostartHosts are the sample hosts that exercise the autostart analyzers
// (Run keys, Winlogon, services, IFEO, ...).
func autostartHosts() []Host { return append(autostartRunHosts(), autostartServiceHosts()...) }
