// Package posture reports security settings that were turned down: the
// registry half of "defense evasion" (T1562, T1112) and of credential
// exposure (T1003). Each analyzer is one area a responder checks as a unit,
// so that --analyzers/--skip and the report's grouping follow how the
// question is asked ("was Defender tampered with?", "can credentials be
// read?"):
//
//   - defender: Microsoft Defender disabled by policy or service start,
//     its protections, cloud, tamper protection, threat actions, and its
//     exclusion lists judged item by item (Go: an exclusion's danger depends
//     on what it names);
//   - uac: User Account Control and the remote token filter;
//   - credentials: WDigest, LSA protection, LM hashes, blank passwords,
//     Restricted Admin, Credential Guard, stored autologon passwords;
//   - remoteaccess: Remote Desktop turned on or weakened (NLA, security
//     layer, port, shadowing, single session);
//   - logging: event log channels, autologger sessions, the EventLog and
//     Sysmon services, .NET ETW, AMSI, PowerShell logging;
//   - hardening: firewall profiles, SmartScreen, System Restore, Prefetch,
//     hidden-file settings, null sessions, IE zones and proxy, browser
//     extension force-installs.
//
// Every location that is "this value under this key" is a row of the
// analyzer's YAML table (docs/rules.md), with Windows' default per version
// family, a source, the severity when changed and an explanation. A policy
// key that is absent is Windows' default and is never reported.
package posture
