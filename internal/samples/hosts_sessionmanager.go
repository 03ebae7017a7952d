package samples

// sessionManagerHosts are the sample hosts that exercise the Session Manager
// analyzers.
func sessionManagerHosts() []Host { return nil }
