package tasks

import (
	"strconv"
	"time"

	"github.com/hivescan/hivescan/internal/wintext"
)

// DynamicInfo is a decoded TaskCache\Tasks\{GUID} DynamicInfo value: the
// task's registration and run times as Task Scheduler keeps them. Times are
// UTC with 100 ns precision; a zero Time means Windows wrote none.
type DynamicInfo struct {
	Registered  time.Time // when the task was registered (event 106/140)
	LastRun     time.Time // the last launch or launch attempt
	LastSuccess time.Time // the last successful run (36-byte layout only)
	State       uint32
	LastError   uint32 // HRESULT of the last run
}

// ParseDynamicInfo decodes a DynamicInfo value: 28 bytes (Windows Vista
// and 7: version uint32, registration FILETIME, last-run FILETIME, state
// uint32, last error uint32) or 36 (Windows 8 and later: the same and a
// last-success FILETIME). Other sizes are a *FormatError. A FILETIME
// before 1990 or after 2100 cannot be a task's and is left zero.
func ParseDynamicInfo(b []byte) (DynamicInfo, error) {
	var d DynamicInfo
	if len(b) != 28 && len(b) != 36 {
		return d, &FormatError{Value: "DynamicInfo", Offset: 0, Msg: "unexpected size " + strconv.Itoa(len(b)) + " (28 or 36 bytes)"}
	}
	r := reader{b: b, value: "DynamicInfo"}
	r.off = 4         // the version word (3 in every layout seen)
	reg, _ := r.u64() // sizes checked above: the reads cannot fail
	last, _ := r.u64()
	d.State, _ = r.u32()
	d.LastError, _ = r.u32()
	d.Registered, d.LastRun = plausible(reg), plausible(last)
	if len(b) == 36 {
		ok, _ := r.u64()
		d.LastSuccess = plausible(ok)
	}
	return d, nil
}

var (
	earliest = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	latest   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

func plausible(ft uint64) time.Time {
	t := wintext.Filetime(ft)
	if t.Before(earliest) || t.After(latest) {
		return time.Time{}
	}
	return t
}
