package report

import (
	"fmt"
	"strings"
)

// Severity orders findings from Info (inventory, nothing wrong by itself) to
// Critical (act now). The zero value is Info. Severities compare with < and >.
// In text and JSON a Severity is its lower-case name.
type Severity int

// The severities, in increasing order.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

// Severities lists every severity in increasing order.
func Severities() []Severity { return []Severity{Info, Low, Medium, High, Critical} }

// String returns the lower-case name ("info" ... "critical").
func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity accepts a severity name in any letter case.
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(strings.TrimSpace(name), n) {
			return Severity(i), nil
		}
	}
	return Info, fmt.Errorf("unknown severity %q (want one of %s)", name, strings.Join(severityNames[:], ", "))
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) {
	if s < Info || s > Critical {
		return nil, fmt.Errorf("invalid severity %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Max returns the higher of two severities.
func Max(a, b Severity) Severity {
	if a > b {
		return a
	}
	return b
}
