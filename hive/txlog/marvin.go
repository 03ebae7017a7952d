package txlog

import (
	"encoding/binary"
	"math/bits"
)

// LogEntrySeed is the Marvin32 seed of the Hash-1 and Hash-2 fields of HvLE
// log entries (the bytes 82 EF 4D 88 7A 4E 55 C5, read as a big-endian
// number).
const LogEntrySeed uint64 = 0x82EF4D887A4E55C5

// Marvin32 returns the 64-bit Marvin32 hash of data under seed: the low 32
// bits of seed initialise the low state word, the high 32 bits the high
// state word, and the result is the high word shifted left by 32 bits OR the
// low word, as in .NET's Marvin.ComputeHash and in HvLE log entries.
func Marvin32(data []byte, seed uint64) uint64 {
	lo, hi := uint32(seed), uint32(seed>>32)
	mix := func(v uint32) {
		lo += v
		hi ^= lo
		lo = bits.RotateLeft32(lo, 20) + hi
		hi = bits.RotateLeft32(hi, 9) ^ lo
		lo = bits.RotateLeft32(lo, 27) + hi
		hi = bits.RotateLeft32(hi, 19)
	}
	for len(data) >= 4 {
		mix(binary.LittleEndian.Uint32(data))
		data = data[4:]
	}
	final := uint32(0x80)
	for i := len(data) - 1; i >= 0; i-- {
		final = final<<8 | uint32(data[i])
	}
	mix(final)
	mix(0)
	return uint64(hi)<<32 | uint64(lo)
}
