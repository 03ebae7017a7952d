package targets

import (
	"github.com/hivescan/hivescan/hive/image/ntfsfs"
	"github.com/hivescan/hivescan/report"
)

// streamsOf lists a file's named data streams.
func streamsOf(rec *ntfsfs.Record) []report.Stream {
	var out []report.Stream
	for _, s := range rec.Streams {
		out = append(out, report.Stream{Name: s.Name, Size: s.Size})
	}
	return out
}
