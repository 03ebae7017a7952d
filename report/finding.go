package report

import "time"

// Finding is one observation about one registry location.
//
// Value is a pointer so that key-level findings (nil) differ from findings
// about a key's default value (pointer to "").
//
// Data is the value's data as the analyzer read it: a string (REG_SZ,
// REG_EXPAND_SZ), a []string (REG_MULTI_SZ), a number (REG_DWORD, REG_QWORD)
// or a hex string for binary data; a []byte is written as lower-case hex.
//
// LastWrite is the key's last write time; every format writes it with
// TimeLayout and leaves it out (JSON) or empty (text, CSV) when it is zero.
//
// Fingerprint identifies the finding across runs and machines; Finalize fills
// it in with Fingerprint when it is empty. See SCHEMA.md for the JSON form.
type Finding struct {
	Analyzer       string    `json:"analyzer"` // analyzer name
	Rule           string    `json:"rule"`     // rule within the analyzer
	Severity       Severity  `json:"severity"`
	Title          string    `json:"title"` // one line for a human
	Host           string    `json:"host"`
	Hive           string    `json:"hive"`            // hive file path as found (Input.Path)
	HiveKind       string    `json:"hive_kind"`       // "SYSTEM", "SOFTWARE", "NTUSER", ...
	Key            string    `json:"key"`             // key path relative to the hive root, \-separated
	Value          *string   `json:"value,omitempty"` // nil: about the key; "": the default value
	Data           any       `json:"data,omitempty"`
	LastWrite      time.Time `json:"last_write,omitzero"`
	ControlSet     string    `json:"control_set,omitempty"`      // "ControlSet001" for keys under a control set
	ControlSetRole []string  `json:"control_set_role,omitempty"` // roles of ControlSet: "current", "default", ...
	// ControlSets lists every control set holding the same entry when
	// Finalize merged findings that differ only in their control set; the
	// finding's own ControlSet is one of them. Nil otherwise.
	ControlSets []ControlSetEntry `json:"control_sets,omitempty"`
	User        string            `json:"user,omitempty"`       // profile name, for user hives
	Attack      []string          `json:"attack,omitempty"`     // MITRE ATT&CK technique ids, e.g. "T1547.001"
	Risk        float64           `json:"risk,omitempty"`       // analyzer score, higher is riskier; 0 when unscored
	Detail      string            `json:"detail"`               // explanation for a human; may hold several lines
	Deleted     bool              `json:"deleted"`              // recovered from unallocated hive cells
	Confidence  string            `json:"confidence,omitempty"` // deleted findings: "intact", "partial" or "fragment"
	// RecoveredFrom, for a deleted finding on a record that only a
	// transaction log holds, names the log and the entry it was read from;
	// "" for records of the hive itself.
	RecoveredFrom string `json:"recovered_from,omitempty"`
	// Targets are the files the entry names as the host's volume holds
	// them, when the evidence has the volume; nil otherwise.
	Targets     []Target `json:"targets,omitempty"`
	Fingerprint string   `json:"fingerprint"`
	// Suppressed marks a finding that an allowlist entry (scan --allow)
	// matched, kept in the report by --show-suppressed; SuppressedBy is the
	// entry's FILE:LINE and SuppressionReason its reason. Suppressed
	// findings count in Summary.Suppressed, not as findings, and never
	// reach --fail-on.
	Suppressed        bool   `json:"suppressed,omitempty"`
	SuppressedBy      string `json:"suppressed_by,omitempty"`
	SuppressionReason string `json:"suppression_reason,omitempty"`
}

// DataStrings renders Data as text: one string per element of a []string
// (REG_MULTI_SZ), else one string (numbers in decimal, binary data in
// lower-case hex); nil data gives none.
func (f Finding) DataStrings() []string { return dataStrings(f.Data) }

// ValueName returns a pointer to name, for Finding.Value.
func ValueName(name string) *string { return &name }

// findingJSON is the JSON form of a Finding, field for field, with LastWrite
// as TimeLayout text and binary data as hex.
type findingJSON struct {
	Analyzer          string            `json:"analyzer"`
	Rule              string            `json:"rule"`
	Severity          Severity          `json:"severity"`
	Title             string            `json:"title"`
	Host              string            `json:"host"`
	Hive              string            `json:"hive"`
	HiveKind          string            `json:"hive_kind"`
	Key               string            `json:"key"`
	Value             *string           `json:"value,omitempty"`
	Data              any               `json:"data,omitempty"`
	LastWrite         string            `json:"last_write,omitempty"`
	ControlSet        string            `json:"control_set,omitempty"`
	ControlSetRole    []string          `json:"control_set_role,omitempty"`
	ControlSets       []ControlSetEntry `json:"control_sets,omitempty"`
	User              string            `json:"user,omitempty"`
	Attack            []string          `json:"attack,omitempty"`
	Risk              float64           `json:"risk,omitempty"`
	Detail            string            `json:"detail"`
	Deleted           bool              `json:"deleted"`
	Confidence        string            `json:"confidence,omitempty"`
	RecoveredFrom     string            `json:"recovered_from,omitempty"`
	Targets           []Target          `json:"targets,omitempty"`
	Fingerprint       string            `json:"fingerprint"`
	Suppressed        bool              `json:"suppressed,omitempty"`
	SuppressedBy      string            `json:"suppressed_by,omitempty"`
	SuppressionReason string            `json:"suppression_reason,omitempty"`
}

// MarshalJSON writes LastWrite as TimeLayout text (absent when zero) and
// binary Data as hex. Unmarshalling needs no counterpart: the time is RFC 3339.
func (f Finding) MarshalJSON() ([]byte, error) {
	return marshalJSON(findingJSON{
		Analyzer:          f.Analyzer,
		Rule:              f.Rule,
		Severity:          f.Severity,
		Title:             f.Title,
		Host:              f.Host,
		Hive:              f.Hive,
		HiveKind:          f.HiveKind,
		Key:               f.Key,
		Value:             f.Value,
		Data:              normalizeData(f.Data),
		LastWrite:         FormatTime(f.LastWrite),
		ControlSet:        f.ControlSet,
		ControlSetRole:    f.ControlSetRole,
		ControlSets:       f.ControlSets,
		User:              f.User,
		Attack:            f.Attack,
		Risk:              f.Risk,
		Detail:            f.Detail,
		Deleted:           f.Deleted,
		Confidence:        f.Confidence,
		RecoveredFrom:     f.RecoveredFrom,
		Targets:           f.Targets,
		Fingerprint:       f.Fingerprint,
		Suppressed:        f.Suppressed,
		SuppressedBy:      f.SuppressedBy,
		SuppressionReason: f.SuppressionReason,
	})
}

// ControlSetEntry is one control set in which a merged finding's entry
// exists: the set, its roles, the key there, that key's last write time and
// the fingerprint the finding has in that set.
type ControlSetEntry struct {
	Name        string    `json:"name"`  // "ControlSet001"
	Roles       []string  `json:"roles"` // of "current", "default", "failed", "last_known_good"; may be empty
	Key         string    `json:"key"`
	LastWrite   time.Time `json:"last_write,omitzero"`
	Fingerprint string    `json:"fingerprint"`
}

// MarshalJSON writes LastWrite as TimeLayout text, absent when zero.
func (e ControlSetEntry) MarshalJSON() ([]byte, error) {
	return marshalJSON(struct {
		Name        string   `json:"name"`
		Roles       []string `json:"roles"`
		Key         string   `json:"key"`
		LastWrite   string   `json:"last_write,omitempty"`
		Fingerprint string   `json:"fingerprint"`
	}{e.Name, nonNil(e.Roles), e.Key, FormatTime(e.LastWrite), e.Fingerprint})
}
