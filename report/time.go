package report

import "time"

// TimeLayout is how every format writes a time: RFC 3339 in UTC with exactly
// seven fractional digits, the 100 ns precision of a Windows FILETIME
// (for example 2019-06-01T10:20:30.1234567Z). Any RFC 3339 parser reads it.
const TimeLayout = "2006-01-02T15:04:05.0000000Z07:00"

// FormatTime returns t in TimeLayout, converted to UTC, or "" for the zero time.
// Precision below 100 ns is truncated.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}
