package txlog

import (
	"encoding/hex"
	"testing"
)

// Vectors from .NET's MarvinTests.cs (System.Marvin.ComputeHash).
func TestMarvin32(t *testing.T) {
	const (
		seed1 = 0x004FB61A001BDBCC
		seed2 = 0x804FB61A001BDBCC
		seed3 = 0x804FB61A801BDBCC
	)
	tests := []struct {
		seed uint64
		data string
		want uint64
	}{
		{seed1, "", 0x30ED35C100CD3C7D},
		{seed1, "af", 0x48E73FC77D75DDC1},
		{seed1, "e70f", 0xB5F6E1FC485DBFF8},
		{seed1, "37f495", 0xF0B07C789B8CF7E8},
		{seed1, "8642dc59", 0x7008F2E87E9CF556},
		{seed1, "153fb79826", 0xE6C08C6DA2AFA997},
		{seed1, "0932e6246c47", 0x6F04BF1A5EA24060},
		{seed1, "ab427ea8d10fc7", 0xE11847E4F0678C41},
		{seed2, "", 0x10A9D5D3996FD65D},
		{seed2, "af", 0x68201F91960EBF91},
		{seed2, "e70f", 0x64B581631F6AB378},
		{seed2, "37f495", 0xE1F2DFA6E5131408},
		{seed2, "8642dc59", 0x36289D9654FB49F6},
		{seed2, "153fb79826", 0x0A06114B13464DBD},
		{seed2, "0932e6246c47", 0xD6DD5E40AD1BC2ED},
		{seed2, "ab427ea8d10fc7", 0xE203987DBA252FB3},
		{seed3, "00", 0xA37FB0DA2ECAE06C},
		{seed3, "ff", 0xFECEF370701AE054},
		{seed3, "00ff", 0xA638E75700048880},
		{seed3, "ff00", 0xBDFB46D969730E2A},
		{seed3, "ff00ff", 0x9D8577C0FE0D30BF},
		{seed3, "00ff00", 0x4F9FBDDE15099497},
		{seed3, "00ff00ff", 0x24EAA279D9A529CA},
		{seed3, "ff00ff00", 0xD3BEC7726B057943},
		{seed3, "ff00ff00ff", 0x920B62BBCA3E0B72},
		{seed3, "00ff00ff00", 0x1D7DDF9DFDF3C1BF},
		{seed3, "00ff00ff00ff", 0xEC21276A17E821A5},
		{seed3, "ff00ff00ff00", 0x6911A53CA8C12254},
		{seed3, "ff00ff00ff00ff", 0xFDFD187B1D3CE784},
		{seed3, "00ff00ff00ff00", 0x71876F2EFB1B0EE8},
	}
	for _, tt := range tests {
		data, err := hex.DecodeString(tt.data)
		if err != nil {
			t.Fatal(err)
		}
		if got := Marvin32(data, tt.seed); got != tt.want {
			t.Errorf("Marvin32(%q, %#x) = %#016x, want %#016x", tt.data, tt.seed, got, tt.want)
		}
	}
}

// Every HvLE entry that Windows wrote at the start of a real log carries
// hashes that must verify.
func TestMarvin32RealEntries(t *testing.T) {
	for _, name := range []string{
		yarpDir + "NewDirtyHive1/NewDirtyHive.LOG1",
		yarpDir + "NewDirtyHive1/NewDirtyHive.LOG2",
		"mkorman90__regipy/regipy_tests/data/UsrClass.dat.LOG2",
	} {
		d := readCorpus(t, name)
		off, n := logBaseBlockSize, 0
		for off+entryHeaderSize <= len(d) && string(d[off:off+4]) == "HvLE" {
			size := int(le.Uint32(d[off+4:]))
			if size < logSector || off+size > len(d) {
				break
			}
			e := d[off : off+size]
			if h := Marvin32(e[:32], LogEntrySeed); h != le.Uint64(e[32:]) {
				break // older, overwritten entries may follow
			}
			if h := Marvin32(e[entryHeaderSize:], LogEntrySeed); h != le.Uint64(e[24:]) {
				t.Errorf("%s: entry at %#x: Hash-2 verifies but Hash-1 %#x != computed %#x", name, off, le.Uint64(e[24:]), h)
			}
			n++
			off += size
		}
		if n == 0 {
			t.Errorf("%s: no entry with a verifying hash", name)
		}
		t.Logf("%s: %d entries verify", name, n)
	}
}

func BenchmarkMarvin32(b *testing.B) {
	data := make([]byte, 1<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Marvin32(data, LogEntrySeed)
	}
}
