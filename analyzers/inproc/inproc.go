// Package inproc holds the analyzer of code Windows loads into its own
// system processes from registry-named DLLs and programs: print
// processors (spoolsv.exe), network providers (mpnotify.exe, given every
// logon password), the Winsock autodial DLL, Active Directory's extension
// points (lsass.exe on domain controllers), post-mortem and hang
// debuggers, and accessibility tools started from the logon screen. Its
// checks are the table inproc.yaml.
package inproc

import (
	_ "embed"

	"github.com/hivescan/hivescan/analyzers/checks"
)

//go:embed inproc.yaml
var inprocTable []byte

// InProc reports the table's locations (inproc.yaml).
var InProc = checks.MustParse("analyzers/inproc/inproc.yaml", inprocTable)
