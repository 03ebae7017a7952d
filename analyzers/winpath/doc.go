// Package winpath is hivescan's one place for judging Windows paths and
// command lines read from the registry.
//
// Every analyzer that finds an autostart entry (Run keys, Winlogon, services,
// Session Manager, IFEO, AppInit_DLLs, pending renames ...) hands the value it
// read to Assess (command lines) or AssessPath (file targets such as DLLs) and
// turns the returned Assessment into findings. The package parses command
// lines the way Windows does (ParseCommandLine), expands environment
// variables against the host's own environment (Env.Expand), normalises paths
// (Resolve), and applies rules for system-process impersonation, risky
// locations and living-off-the-land launchers. Each Reason carries a stable
// rule id, a severity, plain words for the responder and MITRE ATT&CK ids.
//
// The package reads no files and knows nothing of hives: a path is judged by
// its text alone. All comparisons ignore letter case. Work is linear in the
// input (with fixed caps on expansion and decoding), so hostile registry data
// cannot make it hang or exhaust memory.
package winpath
