package services

import (
	_ "embed"

	"github.com/hivescan/hivescan/analyzers/checks"
)

//go:embed cmdautorun.yaml
var cmdAutoRunTable []byte

// CmdAutoRun reports commands that cmd.exe runs whenever it starts; its
// checks are the table cmdautorun.yaml.
var CmdAutoRun = checks.MustParse("analyzers/services/cmdautorun.yaml", cmdAutoRunTable)
