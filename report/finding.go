// Package report holds what hivescan found and the writers that print it.
//
// A Finding is flat: every output format maps its fields one by one. A Report
// carries a schema version (SchemaVersion) that changes whenever a field of
// the JSON form is renamed, removed or changes meaning.
package report

import "time"

// Finding is one observation about one registry location.
//
// Value is a pointer so that key-level findings (nil) differ from findings
// about a key's default value (pointer to "").
type Finding struct {
	Analyzer       string    `json:"analyzer"`
	Rule           string    `json:"rule"`
	Severity       Severity  `json:"severity"`
	Title          string    `json:"title"`
	Host           string    `json:"host"`
	Hive           string    `json:"hive"`
	HiveKind       string    `json:"hive_kind"`
	Key            string    `json:"key"`
	Value          *string   `json:"value,omitempty"`
	Data           any       `json:"data,omitempty"`
	LastWrite      time.Time `json:"last_write"`
	ControlSet     string    `json:"control_set,omitempty"`
	ControlSetRole []string  `json:"control_set_role,omitempty"`
	User           string    `json:"user,omitempty"`
	Attack         []string  `json:"attack,omitempty"`
	Risk           float64   `json:"risk,omitempty"`
	Detail         string    `json:"detail"`
	Deleted        bool      `json:"deleted"`
	Fingerprint    string    `json:"fingerprint"`
}

// ValueName returns a pointer to name, for Finding.Value.
func ValueName(name string) *string { return &name }
