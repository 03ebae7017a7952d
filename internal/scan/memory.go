package scan

import "github.com/hivescan/hivescan/hive/evidence"

// DefaultMapAbove is the size from which a hive that is an operating-system
// file is read through a memory mapping rather than into memory: every
// SOFTWARE hive and most SYSTEM hives, few user hives.
const DefaultMapAbove = 8 << 20

// minMemory is the smallest default budget, whatever the machine says.
const minMemory = 1 << 30

// DefaultMemory is the default budget for the hosts scanned at once: half of
// the machine's memory, at least 1 GiB (4 GiB when the system does not say).
func DefaultMemory() int64 {
	total := totalMemory()
	if total <= 0 {
		return 4 << 30
	}
	return max(total/2, minMemory)
}

func (o Options) mapAbove() int64 {
	switch {
	case o.MapAbove < 0:
		return 0
	case o.MapAbove == 0:
		return DefaultMapAbove
	}
	return o.MapAbove
}

func (o Options) memory() int64 {
	if o.Memory > 0 {
		return o.Memory
	}
	return DefaultMemory()
}

// What a host holds while it is scanned, per byte of its hives, measured as
// the peak resident memory above the process's own of scans of the corpus's
// largest hives (SYSTEM_WIN_10_1709, 15 MB: 4.4 with deleted records, 1.4
// without; GC headroom included): the hive, its decoded keys and values, and
// for deleted records the index of the live hive and the rebuilt view.
const (
	costPerByte         = 5
	costPerByteLive     = 2
	costPerLogByte      = 2 // the log, and the pages it replays
	costPerReplayedHive = 1 // the copy of a dirty hive its logs are applied to
)

// hostCost estimates the memory scanning h takes, from the sizes discovery
// found (a hive read through a mapping holds less: the estimate does not
// count on it).
func hostCost(h *evidence.Host, opts Options) int64 {
	per := int64(costPerByte)
	if opts.NoDeleted {
		per = costPerByteLive
	}
	var n int64
	for _, c := range h.Hives {
		n += per * c.Size
		if len(c.Logs) > 0 && !opts.NoLogs {
			n += costPerReplayedHive * c.Size
			for _, l := range c.Logs {
				n += costPerLogByte * l.Size
			}
		}
	}
	return n
}
