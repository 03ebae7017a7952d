// Package txlog replays registry transaction logs (.LOG, .LOG1, .LOG2) onto
// a dirty primary hive file, in memory, as Windows does when it loads the
// hive: bytes in, recovered bytes out. The input slices are never modified.
//
// Both log formats are supported: the old format (Windows XP to 8: a base
// block, a DIRT dirty vector and 512-byte dirty pages) and the new format
// (Windows 8.1 and later: HvLE log entries with Marvin32 hashes). The rules
// follow msuhanov's "Windows registry file format specification" and the
// yarp reference implementation.
//
// Every size read from a log is checked against the bytes present and
// against what the primary and the logs together could hold, so hostile
// input costs at most a copy of the primary plus the size of the logs.
package txlog
