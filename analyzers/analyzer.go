// Package analyzers turns a host's hives into findings.
//
// An Analyzer is a value: a stable name, a doc whose first line is its title,
// the hive kinds it reads, the ATT&CK techniques it reports, and a run
// function over one host's Pass. All returns the explicit list; there is
// no registration. Run (the driver) runs a list over a host, records which
// analyzers ran, were skipped (a hive they need is missing) or failed
// (including panics), and sorts the findings.
package analyzers

import (
	"fmt"
	"sort"
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

// All returns every analyzer, in the order they run: the Session Manager
// family (sessionManagerAnalyzers), then the autostart locations
// (autostartAnalyzers, serviceAnalyzers), then those that read only deleted
// records (deletedAnalyzers).
func All() []*Analyzer {
	var out []*Analyzer
	for _, list := range [][]*Analyzer{sessionManagerAnalyzers, autostartAnalyzers, serviceAnalyzers, deletedAnalyzers} {
		out = append(out, list...)
	}
	return out
}

// Choose returns the analyzers of list named in only (all when empty) minus
// those named in skip. Unknown names are an error.
func Choose(list []*Analyzer, only, skip []string) ([]*Analyzer, error) {
	byName := map[string]*Analyzer{}
	for _, a := range list {
		byName[a.Name] = a
	}
	check := func(names []string) (map[string]bool, error) {
		set := map[string]bool{}
		for _, n := range names {
			n = strings.ToLower(strings.TrimSpace(n))
			if n == "" {
				continue
			}
			if byName[n] == nil {
				known := make([]string, 0, len(list))
				for _, a := range list {
					known = append(known, a.Name)
				}
				sort.Strings(known)
				return nil, fmt.Errorf("unknown analyzer \"%s\" (known: %s)", n, strings.Join(known, ", "))
			}
			set[n] = true
		}
		return set, nil
	}
	onlySet, err := check(only)
	if err != nil {
		return nil, err
	}
	skipSet, err := check(skip)
	if err != nil {
		return nil, err
	}
	var out []*Analyzer
	for _, a := range list {
		if len(onlySet) > 0 && !onlySet[a.Name] {
			continue
		}
		if skipSet[a.Name] {
			continue
		}
		out = append(out, a)
	}
	return out, nil
}
