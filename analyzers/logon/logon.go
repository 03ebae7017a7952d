// Package logon holds the analyzers of logon and boot autostarts outside
// the Run keys and Winlogon: Remote Desktop session programs and add-ins,
// the boot verification program, screen savers, Explorer's tool paths and
// Event Viewer's help link (the table logon.yaml), the services Safe Mode
// starts (safeboot.go) and the Windows telemetry controller's commands
// (telemetry.go).
package logon

import (
	_ "embed"

	"github.com/hivescan/hivescan/analyzers/checks"
)

//go:embed logon.yaml
var logonTable []byte

// Logon reports the table's locations (logon.yaml).
var Logon = checks.MustParse("analyzers/logon/logon.yaml", logonTable)
