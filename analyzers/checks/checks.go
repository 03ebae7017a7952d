// Package checks runs declarative registry checks: "this value under this
// key, judged this way". A check file (YAML, documented in docs/rules.md)
// declares one analyzer and its checks; hivescan's own tables are embedded
// in the family packages, and a team's are loaded with scan --rules. The
// same loader, validator and engine serve both, so a built-in table is also
// the test of the format.
//
// Each check names key patterns (HKLM\SOFTWARE\..., HKLM\SYSTEM\ControlSet*\...
// for every control set, HKCU\... for every user profile and the DEFAULT
// hive, with * and globs per key segment), value name patterns, what the data
// is (a command line, a list of them, a file path, a DLL list, a number or
// plain text), Windows' defaults by version family, and the severity,
// ATT&CK ids and explanation of a value that differs. Data marked as a
// command or a path goes through the path assessor (winpath), which can
// raise the severity.
package checks

import (
	"fmt"
	"strings"
	"text/template"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// File is one check file: an analyzer and its checks.
type File struct {
	// Name is where the file was read from ("services/cmdautorun.yaml").
	Name string
	// Analyzer is the analyzer's name; Doc its documentation, whose first
	// line is its title; Attack the ATT&CK ids its checks may report.
	Analyzer string
	Doc      string
	Attack   []string
	Checks   []*Check
}

// Kind says what a value's data is, and so how it is judged.
type Kind string

const (
	Command  Kind = "command"  // a command line: the path assessor judges its program and arguments
	Commands Kind = "commands" // comma-separated command lines (Winlogon Userinit), each judged
	Path     Kind = "path"     // a file path: the path assessor judges it
	DLLs     Kind = "dlls"     // DLL names or paths separated by spaces or commas, each judged as a path
	Number   Kind = "number"   // a REG_DWORD or REG_QWORD
	Text     Kind = "text"     // a string compared with the defaults only
)

var kinds = []Kind{Command, Commands, Path, DLLs, Number, Text}

// Fires says when a number check reports.
type Fires string

const (
	FiresChanged Fires = "changed" // the data differs from every default (the default rule)
	FiresNonZero Fires = "nonzero" // the number is not 0 (and not a default)
	FiresZero    Fires = "zero"    // the number is 0 (and not a default)
)

// Check is one declarative check.
type Check struct {
	Rule     string          // finding rule id, "<analyzer>.<name>"
	Keys     []string        // key patterns (see the package doc)
	Wow64    bool            // also look under Wow6432Node
	Values   []string        // value name patterns; "(default)" is the unnamed value
	Data     Kind            // what the data is
	Defaults []Default       // Windows' own data, by version family
	Fires    Fires           // for numbers: when to report
	Severity report.Severity // the severity of data that is not a default
	Attack   []string        // ATT&CK ids of a finding
	Source   string          // where the location and its defaults are documented
	Example  string          // data the generated test plants; a made-up one when empty
	// Match, for numbers, lists the only numbers that are reported (when
	// not a default); empty: Fires decides.
	Match []uint64
	// Mask marks secret data (a stored password): findings show its length,
	// never the data, in the data field, the title and the detail.
	Mask bool
	// ByVersion gives the severity on some version families when it differs
	// from Severity (a setting that is Windows' own behaviour on older
	// versions, so less telling there).
	ByVersion []VersionSeverity

	title, detail *template.Template
	keys          []keyPattern
	line          int
	file          string
}

// Default is data Windows itself writes, for some version families (all
// when Versions is empty).
type Default struct {
	Data     string
	Versions []analysis.Family
	Source   string
}

// VersionSeverity is a check's severity on some version families.
type VersionSeverity struct {
	Versions []analysis.Family
	Severity report.Severity
	Source   string // why the severity differs there
}

// SeverityFor returns the check's severity on version family fam. When the
// family cannot be told, the lowest severity of any version counts, as
// defaults of every version count then.
func (c *Check) SeverityFor(fam analysis.Family) report.Severity {
	sev := c.Severity
	for _, v := range c.ByVersion {
		switch {
		case fam == "":
			sev = min(sev, v.Severity)
		case hasFamily(v.Versions, fam):
			return v.Severity
		}
	}
	return sev
}

// Where returns the file and line the check was read from.
func (c *Check) Where() string { return fmt.Sprintf("%s:%d", c.file, c.line) }

// defaultsFor returns the defaults that hold for family fam; an unknown
// family takes every version's defaults, so that a host whose version
// cannot be read is not flagged for another version's normal state.
func (c *Check) defaultsFor(fam analysis.Family) []Default {
	var out []Default
	for _, d := range c.Defaults {
		if fam == "" || len(d.Versions) == 0 || hasFamily(d.Versions, fam) {
			out = append(out, d)
		}
	}
	return out
}

func hasFamily(list []analysis.Family, f analysis.Family) bool {
	for _, x := range list {
		if x == f {
			return true
		}
	}
	return false
}

// hiveKinds returns the hive kinds the check reads.
func (c *Check) hiveKinds() []hive.Kind {
	var out []hive.Kind
	seen := map[hive.Kind]bool{}
	for _, k := range c.keys {
		for _, kind := range k.root.kinds() {
			if !seen[kind] {
				seen[kind] = true
				out = append(out, kind)
			}
		}
	}
	return out
}

// families are the version family names a default may name.
var families = []analysis.Family{analysis.FamNT4, analysis.Fam2000, analysis.FamXP, analysis.FamVista, analysis.Fam8, analysis.Fam10}

func familyNames() string {
	names := make([]string, len(families))
	for i, f := range families {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}
