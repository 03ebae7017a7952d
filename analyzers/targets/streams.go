package targets

import (
	"github.com/hivescan/hivescan/hive/image/ntfsfs"
	"github.com/hivescan/hivescan/report"
)

// streamsOf lists a file's named data streams.
func streamsOf(rec *ntfsfs.Record) []report.Stream { return nil }
