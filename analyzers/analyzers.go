// Package analyzers turns a host's hives into findings.
//
// The analyzers themselves live in family packages, one file per analyzer
// named after it: sessionmanager (what smss.exe reads at boot), autostart
// (Run keys, Winlogon, the Windows key, shell folders), services (services
// and the DLLs machine-wide services load, cmd AutoRun, Active Setup), ifeo
// (Image File Execution Options), deleted (recovered records) and sigma
// (SigmaHQ's registry rules). The analyzer type, the per-host Pass and the
// driver are in analysis; All is the one explicit list.
package analyzers

import (
	"context"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/hive"
)

// Analyzer, Pass and Result are analysis's, named here for callers that
// only run analyzers.
type (
	Analyzer = analysis.Analyzer
	Pass     = analysis.Pass
	Result   = analysis.Result
)

// LabelCarved is the hive.Entry label of a view of carved records (see
// analysis.LabelCarved).
const LabelCarved = analysis.LabelCarved

// Run runs each analyzer of list over set (see analysis.Run).
func Run(ctx context.Context, set *hive.Set, list []*Analyzer) Result {
	return analysis.Run(ctx, set, list)
}
