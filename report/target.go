package report

import (
	"fmt"
	"strings"
)

// Target is what the host's volume holds at a file a finding names (the
// program of a command line, the DLL it loads, the payload a launcher runs),
// or at a file the volume sweep found. It is filled only when the evidence
// holds the volume (a disk image, a mounted volume); a collection of hives
// says nothing about files.
type Target struct {
	// Path is the Windows path the entry names, resolved as Windows would
	// (environment expanded, bare names searched in System32).
	Path string `json:"path"`
	// Found is the evidence path of the file as found (its real letter
	// case); "" when it is missing.
	Found  string `json:"found,omitempty"`
	Exists bool   `json:"exists"`
	// Deleted marks a file the sweep found in a deleted MFT record.
	Deleted bool   `json:"deleted,omitempty"`
	Size    int64  `json:"size,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
	SHA1    string `json:"sha1,omitempty"`
	MD5     string `json:"md5,omitempty"`
	// HashPartial says the hashes cover only the first 256 MiB.
	HashPartial bool       `json:"hash_partial,omitempty"`
	Times       *FileTimes `json:"times,omitempty"`
	// Timestomped says the $STANDARD_INFORMATION creation time is earlier
	// than the $FILE_NAME one, which Windows never does by itself.
	Timestomped bool     `json:"timestomped,omitempty"`
	Streams     []Stream `json:"streams,omitempty"`
	PE          *PEFacts `json:"pe,omitempty"`
	// Error says why the file could not be looked at (its folder could not
	// be read, its data could not be hashed).
	Error string `json:"error,omitempty"`
}

// Stream is a named data stream (alternate data stream) of a file.
type Stream struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// PEFacts are a PE file's header and version-resource facts. Signature is
// "signed-embedded" when the file carries an Authenticode signature (not
// verified) and "not-embedded" otherwise: Windows' own files are mostly
// signed through catalogs, which hivescan does not check.
type PEFacts struct {
	Machine          string `json:"machine"`
	Subsystem        string `json:"subsystem"`
	DLL              bool   `json:"dll,omitempty"`
	LinkTime         string `json:"link_time,omitempty"`
	Signature        string `json:"signature"`
	OriginalFilename string `json:"original_filename,omitempty"`
	CompanyName      string `json:"company_name,omitempty"`
	FileDescription  string `json:"file_description,omitempty"`
	ProductName      string `json:"product_name,omitempty"`
	FileVersion      string `json:"file_version,omitempty"`
	Error            string `json:"error,omitempty"`
}

// Summary is the target in one line for terminals and CSV: "missing", or
// the size, hash and what the PE says.
func (t Target) Summary() string {
	if t.Error != "" && !t.Exists {
		return t.Path + ": could not look: " + t.Error
	}
	if !t.Exists {
		return t.Path + ": missing on the volume"
	}
	var b strings.Builder
	b.WriteString(t.Path)
	if t.Deleted {
		b.WriteString(" (deleted)")
	}
	fmt.Fprintf(&b, ": %d bytes", t.Size)
	if t.SHA256 != "" {
		b.WriteString(", sha256 " + t.SHA256)
	}
	if pe := t.PE; pe != nil {
		if pe.OriginalFilename != "" {
			b.WriteString(", OriginalFilename " + pe.OriginalFilename)
		}
		if pe.CompanyName != "" {
			b.WriteString(", " + pe.CompanyName)
		}
		b.WriteString(", " + pe.Signature)
	}
	if t.Timestomped {
		b.WriteString(", $SI created before $FN created (timestomped?)")
	}
	for _, s := range t.Streams {
		fmt.Fprintf(&b, ", stream %q %d bytes", s.Name, s.Size)
	}
	if t.Error != "" {
		b.WriteString(", " + t.Error)
	}
	return b.String()
}
