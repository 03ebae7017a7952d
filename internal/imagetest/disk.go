package imagetest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// Disk is a raw disk image holding one NTFS volume.
type Disk struct {
	Path   string // raw disk image
	Offset int64  // byte offset of the NTFS volume in the disk
	// Volume is how package image describes the NTFS volume:
	// "volume (NTFS)" for a bare volume, "partition N (NTFS)" otherwise.
	Volume string
}

// Layout places a raw NTFS volume on a disk.
type Layout struct {
	Name  string // "bare", "mbr", "gpt"
	Place func(t testing.TB, vol string) Disk
}

// Layouts returns every layout: the bare volume, an MBR disk with the
// volume in a logical partition, and a GPT disk.
func Layouts() []Layout {
	return []Layout{{"bare", Bare}, {"mbr", MBR}, {"gpt", GPT}}
}

// Bare uses the volume itself as the disk.
func Bare(_ testing.TB, vol string) Disk {
	return Disk{Path: vol, Offset: 0, Volume: "volume (NTFS)"}
}

// Sector offsets of the NTFS volume in the MBR and GPT disks.
const (
	MBRVolumeSector = 10240 // partition 5, a logical partition
	GPTVolumeSector = 4096  // partition 2
)

// MBR writes an MBR disk, disk.raw, with a small Linux partition 1, an
// extended partition 2 and the volume as logical partition 5 at sector
// MBRVolumeSector.
func MBR(t testing.TB, vol string) Disk {
	t.Helper()
	sectors := volSectors(t, vol)
	ext := int64(2048) + sectors + 2048
	size := (8192 + ext + 2048) * 512
	table := fmt.Sprintf("label: dos\nstart=2048, size=4096, type=83\nstart=8192, size=%d, type=5\nstart=%d, size=%d, type=7\n",
		ext, MBRVolumeSector, sectors)
	disk := embed(t, vol, size, MBRVolumeSector*512, func(disk string) {
		Run(t, table, "sfdisk", "-q", disk)
	})
	return Disk{Path: disk, Offset: MBRVolumeSector * 512, Volume: "partition 5 (NTFS)"}
}

// GPT writes a GPT disk, disk.raw, with a 1 MiB EFI system partition 1
// and the volume as partition 2 at sector GPTVolumeSector.
func GPT(t testing.TB, vol string) Disk {
	t.Helper()
	sectors := volSectors(t, vol)
	size := (GPTVolumeSector + sectors + 2048) * 512
	disk := embed(t, vol, size, GPTVolumeSector*512, func(disk string) {
		Run(t, "", "sgdisk", "-n", "1:2048:+1M", "-t", "1:ef00",
			"-n", fmt.Sprintf("2:%d:%d", GPTVolumeSector, GPTVolumeSector+sectors-1), "-t", "2:0700", disk)
	})
	return Disk{Path: disk, Offset: GPTVolumeSector * 512, Volume: "partition 2 (NTFS)"}
}

func volSectors(t testing.TB, vol string) int64 {
	t.Helper()
	st, err := os.Stat(vol)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size()%512 != 0 {
		t.Fatalf("imagetest: volume %s is %d bytes, not whole sectors", vol, st.Size())
	}
	return st.Size() / 512
}

// embed writes the volume at byte offset off of a new disk of size bytes,
// partitioned by partition, and returns the disk path.
func embed(t testing.TB, vol string, size, off int64, partition func(disk string)) string {
	t.Helper()
	disk := filepath.Join(t.TempDir(), "disk.raw")
	sparseFile(t, disk, size)
	partition(disk)
	src, err := os.Open(vol)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(disk, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.NewOffsetWriter(dst, off), src); err != nil {
		dst.Close()
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return disk
}
