package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/analyzers/sigma"
	"github.com/hivescan/hivescan/report"
)

// sigmaBuiltin is the --sigma value naming the embedded SigmaHQ rules.
const sigmaBuiltin = "builtin"

// sigmaFlags are scan's flags for Sigma rules (and analyzers --sigma's
// filters).
func sigmaFlags(forScan bool) []cli.Flag {
	fs := []cli.Flag{
		&cli.StringFlag{Name: "sigma-status", Value: "stable,test", Usage: "run Sigma rules of these statuses (`STATUS,...`: stable, test, experimental, ...; \"all\" for every status)"},
		&cli.StringFlag{Name: "sigma-level", Value: "informational", Usage: "run Sigma rules at or above `LEVEL` (informational, low, medium, high, critical)"},
		&cli.BoolFlag{Name: "sigma-writer-unknown", Usage: "also run Sigma rules that exclude legitimate writers by process (offline the writer is unknown; reported one level lower)"},
	}
	if forScan {
		return append([]cli.Flag{&cli.StringSliceFlag{Name: "sigma", Usage: "also evaluate Sigma registry rules: \"" + sigmaBuiltin + "\" for the embedded SigmaHQ set, or a `DIR` (a SigmaHQ checkout or your own rules); repeatable"}}, fs...)
	}
	return append([]cli.Flag{
		&cli.BoolFlag{Name: "sigma", Usage: "list the Sigma rules (the embedded SigmaHQ set unless --sigma-dir is given) instead of the analyzers"},
		&cli.StringSliceFlag{Name: "sigma-dir", Usage: "list the rules of `DIR` instead of the embedded set"},
	}, fs...)
}

// sigmaOptions reads --sigma-status, --sigma-level and --sigma-writer-unknown.
func sigmaOptions(c *cli.Context) (sigma.Options, error) {
	var o sigma.Options
	if s := strings.TrimSpace(c.String("sigma-status")); s != "" && !strings.EqualFold(s, "all") {
		o.Status = splitList([]string{s})
	}
	lv := c.String("sigma-level")
	if strings.EqualFold(strings.TrimSpace(lv), "informational") {
		lv = "info"
	}
	sev, err := report.ParseSeverity(lv)
	if err != nil {
		return o, usageErr("--sigma-level: %v", err)
	}
	o.MinLevel = sev
	o.WriterUnknown = c.Bool("sigma-writer-unknown")
	return o, nil
}

// loadSigma loads each source: "builtin" or a directory.
func loadSigma(sources []string) ([]*sigma.Rules, error) {
	var sets []*sigma.Rules
	for _, src := range sources {
		if src == sigmaBuiltin {
			rs, err := sigma.Builtin()
			if err != nil {
				return nil, err
			}
			sets = append(sets, rs)
			continue
		}
		if st, err := os.Stat(src); err != nil || !st.IsDir() {
			return nil, usageErr("--sigma %s: not a directory (give a folder of rules or %q)", src, sigmaBuiltin)
		}
		rs, err := sigma.Load(os.DirFS(src), ".", src, "")
		if err != nil {
			return nil, usageErr("--sigma: %v", err)
		}
		sets = append(sets, rs)
	}
	return sets, nil
}

// withSigma adds the Sigma analyzer to list when --sigma is given, and
// returns the rule files that could not be used as report problems.
func withSigma(c *cli.Context, list []*analyzers.Analyzer) ([]*analyzers.Analyzer, []report.Problem, error) {
	sources := splitList(c.StringSlice("sigma"))
	if len(sources) == 0 {
		return list, nil, nil
	}
	opts, err := sigmaOptions(c)
	if err != nil {
		return nil, nil, err
	}
	sets, err := loadSigma(sources)
	if err != nil {
		return nil, nil, err
	}
	var problems []report.Problem
	for _, rs := range sets {
		for _, p := range rs.Problems {
			problems = append(problems, report.Problem{Analyzer: sigma.Name, Path: filepath.Join(rs.Source, p.File), Message: "Sigma rule not loaded: " + p.Reason})
		}
		for _, r := range rs.Rules {
			if r.Support == sigma.Unsupported && strings.HasPrefix(r.Reason, "cannot be evaluated") {
				problems = append(problems, report.Problem{Analyzer: sigma.Name, Path: filepath.Join(rs.Source, r.File), Message: "Sigma rule " + r.ID + " not run: " + r.Reason})
			}
		}
	}
	return append(list, sigma.New(sets, opts)), problems, nil
}

// finishSigma folds Sigma findings into native ones about the same value
// and adds the rule problems.
func finishSigma(r *report.Report, problems []report.Problem) {
	r.Findings = sigma.Merge(r.Findings)
	r.Problems = append(r.Problems, problems...)
	r.Finalize()
}

// listSigma writes the rules for analyzers --sigma.
func listSigma(c *cli.Context, stdout io.Writer) error {
	sources := splitList(c.StringSlice("sigma-dir"))
	if len(sources) == 0 {
		sources = []string{sigmaBuiltin}
	}
	opts, err := sigmaOptions(c)
	if err != nil {
		return err
	}
	sets, err := loadSigma(sources)
	if err != nil {
		return err
	}
	type row struct {
		Source  string   `json:"source"`
		File    string   `json:"file"`
		ID      string   `json:"id"`
		Title   string   `json:"title"`
		Status  string   `json:"status"`
		Level   string   `json:"level"`
		Author  string   `json:"author"`
		Support string   `json:"support"`
		Runs    bool     `json:"runs"` // chosen by the status, level and writer options
		Reason  string   `json:"reason,omitempty"`
		Attack  []string `json:"attack,omitempty"`
		URL     string   `json:"url,omitempty"`
	}
	var rows []row
	var problems []string
	perStatus := map[string]int{}
	perSupport := map[string]int{}
	for _, rs := range sets {
		for _, r := range rs.Rules {
			rows = append(rows, row{Source: rs.Source, File: r.File, ID: r.ID, Title: r.Title, Status: r.Status, Level: r.Level, Author: r.Author,
				Support: r.Support.String(), Runs: opts.Chosen(r), Reason: r.Reason, URL: r.URL, Attack: sigma.Attack(r.Tags)})
			perStatus[r.Status]++
			perSupport[r.Support.String()]++
		}
		for _, p := range rs.Problems {
			problems = append(problems, filepath.Join(rs.Source, p.File)+": "+p.Reason)
		}
	}
	if strings.EqualFold(c.String("format"), "json") {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Rules    []row    `json:"rules"`
			Problems []string `json:"problems"`
		}{rows, append([]string{}, problems...)})
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tLEVEL\tSUPPORT\tRUNS\tTITLE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%s\n", r.ID, r.Status, r.Level, r.Support, r.Runs, r.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%d rules; per status: %s; per support: %s\n", len(rows), counts(perStatus), counts(perSupport))
	for _, p := range problems {
		fmt.Fprintf(stdout, "not loaded: %s\n", p)
	}
	if sources[0] == sigmaBuiltin {
		fmt.Fprintln(stdout, "The embedded rules are SigmaHQ's, under the Detection Rule License 1.1; each finding names the rule's author, id, references and file.")
	}
	return nil
}

func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		name := k
		if name == "" {
			name = "(none)"
		}
		parts[i] = fmt.Sprintf("%s %d", name, m[k])
	}
	return strings.Join(parts, ", ")
}
