// Package analysis holds what every analyzer family shares.
//
// An Analyzer is a value: a stable name, a doc whose first line is its title,
// the hive kinds it reads, the ATT&CK techniques it reports, and a run
// function over one host's Pass. All returns the explicit list; there is
// no registration. Run (the driver) runs a list over a host, records which
// analyzers ran, were skipped (a hive they need is missing) or failed
// (including panics), and sorts the findings.
package analysis

import (
	"strings"

	"github.com/hivescan/hivescan/hive"
)

// Analyzer inspects one family of registry keys.
type Analyzer struct {
	// Name is stable and lower-case (it is used in --analyzers, --skip and
	// in every finding).
	Name string
	// Doc explains what the analyzer looks at; its first line is the title.
	Doc string
	// Needs lists the hive kinds the analyzer reads. It runs when the host
	// has at least one of them, and is recorded as skipped otherwise.
	Needs []hive.Kind
	// NeedsVolume says the analyzer reads the host's volume (hive.Set.Volume)
	// rather than hives: it runs only when the evidence holds the volume,
	// and is recorded as skipped otherwise.
	NeedsVolume bool
	// Attack lists the ATT&CK technique IDs its findings may carry.
	Attack []string
	// Run inspects one host through the Pass, recording findings with
	// Pass.Report and what it could not look at with Pass.Problem. Findings
	// need not carry Analyzer, Host or Fingerprint: the driver fills them.
	// A returned error is one more problem; the findings reported before it
	// are kept.
	Run func(p *Pass) error
}

// Title returns the first line of Doc.
func (a *Analyzer) Title() string {
	title, _, _ := strings.Cut(a.Doc, "\n")
	return strings.TrimSpace(title)
}
