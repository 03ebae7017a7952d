package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// SchemaVersion is the version of the JSON report. It changes whenever a
// field is renamed, removed or changes meaning; adding a field does not
// change it. See SCHEMA.md.
const SchemaVersion = "4"

// Tool is the name written in every report.
const Tool = "hivescan"

// Report is everything one run found: the hives it read, the hosts they
// belong to, which analyzers ran on each host, the findings and the problems
// that kept hivescan from reading or analysing something.
//
// Call Finalize once all findings are in; writers work on a finalized copy,
// so they sort and summarise even when the caller forgot.
type Report struct {
	SchemaVersion string        // SchemaVersion when empty
	Tool          string        // Tool when empty
	ToolVersion   string        // version of the hivescan binary
	Args          []string      // command line, without the program name
	Started       time.Time     // when the run started
	Finished      time.Time     // when the run finished
	MinSeverity   Severity      // findings below it were left out of this output; set by writers
	Baselined     int           // findings removed because a baseline held their fingerprint (ApplyBaseline)
	Suppressed    int           // findings removed because an allowlist entry matched them (scan --allow without --show-suppressed)
	Allow         []AllowEntry  // every allowlist entry of the run and what it did; nil without --allow
	Images        []Image       // every disk image given as evidence
	Inputs        []Input       // every hive file found, read or not
	Hosts         []Host        // one per Windows installation
	Analyzers     []AnalyzerRun // one per analyzer and host
	Findings      []Finding
	Problems      []Problem
	Summary       Summary // computed by Finalize
}

// Input is one hive file as found in the evidence.
type Input struct {
	Path       string     `json:"path"`                  // as found, relative to the evidence root or inside the image
	Source     string     `json:"source,omitempty"`      // evidence it came from (folder or image) as given by the user
	Kind       string     `json:"kind"`                  // SYSTEM, SOFTWARE, SAM, SECURITY, DEFAULT, NTUSER, USRCLASS, AMCACHE, BCD, BBI, ELAM, ..., UNKNOWN; LOG for a transaction log, TEXT for win.ini and system.ini
	KindBy     []string   `json:"kind_by,omitempty"`     // evidence that decided the kind: "root keys", "embedded name", "location", "file name", "override"
	KindDoubts []string   `json:"kind_doubts,omitempty"` // evidence that pointed elsewhere, e.g. "file name says NTUSER"
	Host       string     `json:"host"`                  // Host.Name it belongs to
	User       string     `json:"user,omitempty"`        // profile name, for NTUSER and USRCLASS
	Label      string     `json:"label,omitempty"`       // where it sits when not the live hive: "RegBack", "DEFAULT", a VSS id
	Size       int64      `json:"size"`                  // bytes
	SHA256     string     `json:"sha256,omitempty"`      // lower-case hex of the file as found, before any log replay
	HeaderTime time.Time  `json:"header_time,omitzero"`  // last-written time in the hive's base block
	State      string     `json:"state"`                 // InputRead, InputNotParsed or InputNotRead; "" is InputRead
	Dirty      bool       `json:"dirty"`                 // base block sequence numbers differ: unflushed data sits in the logs; only meaningful when Checked
	ChecksumOK bool       `json:"checksum_ok"`           // base block checksum is valid; only meaningful when Checked
	Logs       []string   `json:"logs,omitempty"`        // transaction logs found next to it (.LOG1, .LOG2)
	Replay     *Replay    `json:"replay,omitempty"`      // what transaction-log recovery did; dirty hives only
	Notes      []string   `json:"notes,omitempty"`       // anything odd about the file, for a human
	FileTimes  *FileTimes `json:"file_times,omitempty"`  // file-system times of the file as found
}

// Replay is what transaction-log recovery did to a dirty hive.
type Replay struct {
	Applied        bool      `json:"applied"`         // a log changed the hive before it was analysed
	SequenceBefore [2]uint32 `json:"sequence_before"` // base block primary and secondary sequence numbers as found
	SequenceAfter  [2]uint32 `json:"sequence_after"`  // after recovery (equal when nothing was applied)
}

// InputText is the Kind of a text file of the Windows folder read for the
// analyzers (win.ini, system.ini).
const InputText = "TEXT"

// The states of an Input: how far hivescan got with the file. Only an input
// that was read says anything about its base block (Dirty, ChecksumOK).
const (
	InputRead      = "read"       // read whole and hashed; a hive was parsed, a log's base block read and the log offered for replay
	InputNotParsed = "not-parsed" // read whole and hashed, but not parsable as a hive, or a log without a readable base block
	InputNotRead   = "not-read"   // refused or unreadable before its contents were read: nothing is known of them
)

// Checked reports whether the input's base block was examined, that is
// whether Dirty and ChecksumOK say something: for a hive read whole (also
// one that then failed to parse), for a transaction log only when its base
// block was read (State InputRead).
func (in Input) Checked() bool {
	if in.Kind == InputText {
		return false // a text file has no base block
	}
	switch in.State {
	case "", InputRead:
		return true
	case InputNotParsed:
		return in.Kind != "LOG"
	}
	return false
}

// FileTimes are a file's file-system timestamps: for a file inside a disk
// image the NTFS $STANDARD_INFORMATION and $FILE_NAME times and the MFT
// record; for a loose file only Modified. Zero times are left out.
type FileTimes struct {
	Modified     time.Time
	Created      time.Time
	MFTChanged   time.Time
	Accessed     time.Time
	FNCreated    time.Time // $FILE_NAME times (harder to forge than $STANDARD_INFORMATION)
	FNModified   time.Time
	FNMFTChanged time.Time
	FNAccessed   time.Time
	MFTRecord    uint64 // 0 when not from NTFS
}

// MarshalJSON writes the times with TimeLayout, leaving out zero ones.
func (t FileTimes) MarshalJSON() ([]byte, error) {
	return marshalJSON(struct {
		Modified     string `json:"modified,omitempty"`
		Created      string `json:"created,omitempty"`
		MFTChanged   string `json:"mft_changed,omitempty"`
		Accessed     string `json:"accessed,omitempty"`
		FNCreated    string `json:"fn_created,omitempty"`
		FNModified   string `json:"fn_modified,omitempty"`
		FNMFTChanged string `json:"fn_mft_changed,omitempty"`
		FNAccessed   string `json:"fn_accessed,omitempty"`
		MFTRecord    uint64 `json:"mft_record,omitempty"`
	}{FormatTime(t.Modified), FormatTime(t.Created), FormatTime(t.MFTChanged), FormatTime(t.Accessed),
		FormatTime(t.FNCreated), FormatTime(t.FNModified), FormatTime(t.FNMFTChanged), FormatTime(t.FNAccessed), t.MFTRecord})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (t *FileTimes) UnmarshalJSON(b []byte) error {
	var j struct {
		Modified     time.Time `json:"modified"`
		Created      time.Time `json:"created"`
		MFTChanged   time.Time `json:"mft_changed"`
		Accessed     time.Time `json:"accessed"`
		FNCreated    time.Time `json:"fn_created"`
		FNModified   time.Time `json:"fn_modified"`
		FNMFTChanged time.Time `json:"fn_mft_changed"`
		FNAccessed   time.Time `json:"fn_accessed"`
		MFTRecord    uint64    `json:"mft_record"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*t = FileTimes{j.Modified, j.Created, j.MFTChanged, j.Accessed, j.FNCreated, j.FNModified, j.FNMFTChanged, j.FNAccessed, j.MFTRecord}
	return nil
}

// Image is a disk image given as evidence: its container, the volumes found
// in it, and whether its stored hash was verified.
type Image struct {
	Path           string            `json:"path"`                    // as given on the command line
	Format         string            `json:"format"`                  // container: raw, split-raw, ewf, vhd-fixed, vhdx-dynamic, vmdk-sparse, ...
	Segments       []string          `json:"segments"`                // every file of the image that was opened
	Size           int64             `json:"size"`                    // bytes of media
	StoredHashes   map[string]string `json:"stored_hashes,omitempty"` // hashes the container stores ("md5", "sha1"), lower-case hex
	Verification   string            `json:"verification"`            // "md5 ok", "md5 mismatch", "not verified", "no stored hash", "not supported for this format"
	PartitionTable string            `json:"partition_table"`         // "MBR", "GPT" or "none"
	Volumes        []ImageVolume     `json:"volumes"`
	BytesRead      int64             `json:"bytes_read"` // read from the image files by this run
	Warnings       []string          `json:"warnings,omitempty"`
}

// ImageVolume is one volume of a disk image.
type ImageVolume struct {
	Desc     string `json:"desc"`             // "partition 2 (NTFS)"
	Offset   int64  `json:"offset"`           // bytes from the start of the media
	Length   int64  `json:"length"`           // bytes
	Searched bool   `json:"searched"`         // an NTFS volume whose hive places were read
	Reason   string `json:"reason,omitempty"` // why it was not searched
}

// Host is one Windows installation: the hives of one system root and its
// user profiles.
type Host struct {
	Name         string       `json:"name"`                    // "COMPUTERNAME (folder or image)" when the SYSTEM hive names the computer, else a name derived from the path
	Root         string       `json:"root"`                    // system root as found (the folder holding Windows\System32\config)
	ComputerName string       `json:"computer_name,omitempty"` // SYSTEM: Control\ComputerName\ComputerName of the current control set
	OS           string       `json:"os,omitempty"`            // product name, release and version, e.g. "Windows 10 Pro 22H2 (10.0.19045.2965)"
	Edition      string       `json:"edition,omitempty"`       // EditionID, e.g. "Professional"
	Build        string       `json:"build,omitempty"`         // CurrentBuildNumber, e.g. "19045"
	InstallDate  string       `json:"install_date,omitempty"`  // SOFTWARE InstallTime/InstallDate, UTC, in TimeLayout
	ShutdownTime string       `json:"shutdown_time,omitempty"` // SYSTEM Control\Windows ShutdownTime (the last clean shutdown), UTC, in TimeLayout
	TimeZone     string       `json:"time_zone,omitempty"`     // TimeZoneKeyName (StandardName before Vista) from the current control set
	HiveKinds    []string     `json:"hive_kinds"`              // kinds of the hives present, sorted
	Users        []User       `json:"users"`                   // user profiles with at least one hive
	ControlSets  []ControlSet `json:"control_sets,omitempty"`  // from SYSTEM\Select
}

// User is one user profile of a host.
type User struct {
	Name    string `json:"name"`              // profile folder name
	SID     string `json:"sid,omitempty"`     // from the ProfileList, when known
	Profile string `json:"profile,omitempty"` // profile path as found
}

// ControlSet is one ControlSetNNN of a SYSTEM hive with the roles that
// SYSTEM\Select gives it.
type ControlSet struct {
	Name  string   `json:"name"`  // "ControlSet001"
	Roles []string `json:"roles"` // of "current", "default", "failed", "last_known_good"; may be empty
}

// Status says whether an analyzer ran on a host.
type Status string

// The statuses of an AnalyzerRun.
const (
	Ran     Status = "ran"     // ran to the end; zero findings means it looked and found nothing
	Skipped Status = "skipped" // not run, for example because a hive it needs is missing
	Failed  Status = "failed"  // started but could not finish; its findings may be incomplete
)

// AnalyzerRun records one analyzer on one host.
type AnalyzerRun struct {
	Host     string `json:"host"`
	Name     string `json:"name"`
	Status   Status `json:"status"`
	Reason   string `json:"reason,omitempty"` // why it was skipped or failed
	Findings int    `json:"findings"`         // findings it reported on this host
}

// Problem is something hivescan could not read or analyse, and why.
type Problem struct {
	Host     string `json:"host,omitempty"`
	Path     string `json:"path,omitempty"`     // file or key concerned
	Analyzer string `json:"analyzer,omitempty"` // empty for problems outside analyzers (discovery, parsing)
	Message  string `json:"message"`
}

// String renders the problem on one line for a terminal or a log:
// "[host] path: message", leaving out what is empty, with control, bidi and
// zero-width characters escaped as in the table format.
func (p Problem) String() string {
	var b strings.Builder
	if p.Host != "" {
		b.WriteString("[" + escapeText(p.Host) + "] ")
	}
	if p.Path != "" {
		b.WriteString(escapeText(p.Path) + ": ")
	}
	if p.Analyzer != "" {
		b.WriteString(escapeText(p.Analyzer) + ": ")
	}
	b.WriteString(escapeText(p.Message))
	return b.String()
}

// Summary counts what a report holds. It covers every finding, including
// those that a writer left out because of Options.MinSeverity.
type Summary struct {
	Hosts            int    `json:"hosts"`
	Hives            int    `json:"hives"` // len(Inputs)
	Findings         int    `json:"findings"`
	Problems         int    `json:"problems"`
	AnalyzersRan     int    `json:"analyzers_ran"`
	AnalyzersSkipped int    `json:"analyzers_skipped"`
	AnalyzersFailed  int    `json:"analyzers_failed"`
	Baselined        int    `json:"baselined"` // findings left out because --baseline held them
	BySeverity       Counts `json:"by_severity"`
	// Suppressed counts the findings an allowlist entry matched, shown
	// (--show-suppressed) or not; they are not in Findings or BySeverity.
	Suppressed int          `json:"suppressed,omitempty"`
	Allow      []AllowEntry `json:"allow,omitempty"` // Report.Allow
}

// AllowEntry is one allowlist entry (scan --allow) and what it did in a run.
// An entry that is not expired and suppressed nothing is stale: the finding
// it was written for is gone, or it no longer matches what it should.
type AllowEntry struct {
	Where      string `json:"where"`             // FILE:LINE of the entry
	Reason     string `json:"reason"`            // why its findings are known-good
	Expires    string `json:"expires,omitempty"` // YYYY-MM-DD, the last day it is live
	Expired    bool   `json:"expired,omitempty"` // past Expires: it suppressed nothing (and is a problem)
	Suppressed int    `json:"suppressed"`        // findings it suppressed
}

// Stale reports an entry that is live but matched no finding.
func (a AllowEntry) Stale() bool { return !a.Expired && a.Suppressed == 0 }

// Counts holds a number per severity.
type Counts struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
}

// Of returns the count for s.
func (c Counts) Of(s Severity) int {
	switch s {
	case Critical:
		return c.Critical
	case High:
		return c.High
	case Medium:
		return c.Medium
	case Low:
		return c.Low
	case Info:
		return c.Info
	}
	return 0
}

func (c *Counts) add(s Severity) {
	switch s {
	case Critical:
		c.Critical++
	case High:
		c.High++
	case Medium:
		c.Medium++
	case Low:
		c.Low++
	default:
		c.Info++
	}
}

// reportJSON is the JSON form of a Report, in the order of SCHEMA.md.
type reportJSON struct {
	SchemaVersion string        `json:"schema_version"`
	Tool          string        `json:"tool"`
	ToolVersion   string        `json:"tool_version"`
	Args          []string      `json:"args"`
	Started       string        `json:"started,omitempty"`
	Finished      string        `json:"finished,omitempty"`
	MinSeverity   Severity      `json:"min_severity"`
	Summary       Summary       `json:"summary"`
	Hosts         []Host        `json:"hosts"`
	Images        []Image       `json:"images"`
	Inputs        []inputJSON   `json:"inputs"`
	Analyzers     []AnalyzerRun `json:"analyzers"`
	Findings      []Finding     `json:"findings"`
	Problems      []Problem     `json:"problems"`
}

// inputJSON is the JSON form of an Input: dirty and checksum_ok only when
// the base block was examined, times with TimeLayout.
type inputJSON struct {
	Path       string     `json:"path"`
	Source     string     `json:"source,omitempty"`
	Kind       string     `json:"kind"`
	Host       string     `json:"host"`
	User       string     `json:"user,omitempty"`
	Label      string     `json:"label,omitempty"`
	Size       int64      `json:"size"`
	SHA256     string     `json:"sha256,omitempty"`
	HeaderTime string     `json:"header_time,omitempty"`
	State      string     `json:"state"`
	Dirty      *bool      `json:"dirty,omitempty"`
	ChecksumOK *bool      `json:"checksum_ok,omitempty"`
	Logs       []string   `json:"logs,omitempty"`
	Notes      []string   `json:"notes,omitempty"`
	FileTimes  *FileTimes `json:"file_times,omitempty"`
}

func newInputJSON(in Input) inputJSON {
	j := inputJSON{Path: in.Path, Source: in.Source, Kind: in.Kind, Host: in.Host, User: in.User, Label: in.Label,
		Size: in.Size, SHA256: in.SHA256, HeaderTime: FormatTime(in.HeaderTime), State: in.State,
		Logs: in.Logs, Notes: in.Notes, FileTimes: in.FileTimes}
	if j.State == "" {
		j.State = InputRead
	}
	if in.Checked() {
		j.Dirty, j.ChecksumOK = &in.Dirty, &in.ChecksumOK
	}
	return j
}

// MarshalJSON writes times with TimeLayout and empty lists as [] rather than null.
// Like every JSON this package writes, it leaves <, > and & unescaped.
func (r Report) MarshalJSON() ([]byte, error) {
	inputs := make([]inputJSON, len(r.Inputs))
	for i, in := range r.Inputs {
		inputs[i] = newInputJSON(in)
	}
	return marshalJSON(reportJSON{
		SchemaVersion: r.SchemaVersion,
		Tool:          r.Tool,
		ToolVersion:   r.ToolVersion,
		Args:          nonNil(r.Args),
		Started:       FormatTime(r.Started),
		Finished:      FormatTime(r.Finished),
		MinSeverity:   r.MinSeverity,
		Summary:       r.Summary,
		Hosts:         nonNil(r.Hosts),
		Images:        nonNil(r.Images),
		Inputs:        inputs,
		Analyzers:     nonNil(r.Analyzers),
		Findings:      nonNil(r.Findings),
		Problems:      nonNil(r.Problems),
	})
}

// UnmarshalJSON reads the form MarshalJSON writes.
func (r *Report) UnmarshalJSON(b []byte) error {
	var v struct {
		reportJSON
		Started  time.Time `json:"started"`
		Finished time.Time `json:"finished"`
		Inputs   []Input   `json:"inputs"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = Report{
		SchemaVersion: v.SchemaVersion,
		Tool:          v.Tool,
		ToolVersion:   v.ToolVersion,
		Args:          v.Args,
		Started:       v.Started,
		Finished:      v.Finished,
		MinSeverity:   v.MinSeverity,
		Inputs:        v.Inputs,
		Hosts:         v.Hosts,
		Images:        v.Images,
		Analyzers:     v.Analyzers,
		Findings:      v.Findings,
		Problems:      v.Problems,
		Summary:       v.Summary,
		Baselined:     v.Summary.Baselined,
		Suppressed:    v.Summary.Suppressed,
		Allow:         v.Summary.Allow,
	}
	for _, f := range r.Findings {
		if f.Suppressed {
			r.Suppressed-- // shown, so not among the removed ones
		}
	}
	return nil
}

func nonNil[S ~[]E, E any](s S) S {
	if s == nil {
		return S{}
	}
	return s
}

// marshalJSON is json.Marshal without HTML escaping: command lines keep their
// "&&" and "<" readable.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
