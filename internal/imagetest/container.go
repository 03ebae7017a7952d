package imagetest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hivescan/hivescan/hive/image/container"
)

// Container converts a raw disk image into one container format.
type Container struct {
	Name string // "raw", "e01", "e01-split", "vhd-fixed", ...
	// Format is the container.Format* name package container reports for
	// the converted image.
	Format string
	// Convert writes the container into a new temporary folder and returns
	// the path to open (the first segment for split formats). The file is
	// named disk.<ext> ("disk.E01", "disk.vhd", ...).
	Convert func(t testing.TB, raw string) string
}

// Containers returns every container format the builders write, raw first.
func Containers() []Container {
	return []Container{
		{"raw", container.FormatRaw, Raw},
		{"e01", container.FormatEWF, E01},
		{"e01-split", container.FormatEWF, SplitE01},
		{"vhd-fixed", container.FormatVHDFixed, VHDFixed},
		{"vhd-dynamic", container.FormatVHDDynamic, VHDDynamic},
		{"vhdx", container.FormatVHDXDynamic, VHDX},
		{"vmdk-sparse", container.FormatVMDKSparse, VMDKSparse},
		{"vmdk-stream", container.FormatVMDKStream, VMDKStream},
	}
}

// Raw returns raw unchanged.
func Raw(_ testing.TB, raw string) string { return raw }

// E01 writes an EnCase 6 image, disk.E01, with deflate (fast) compression
// in one segment.
func E01(t testing.TB, raw string) string {
	t.Helper()
	return ewfacquire(t, raw, "-c", "deflate:fast")
}

// SplitE01 writes an uncompressed EnCase 6 image in 1 MiB segments
// (disk.E01, disk.E02, ...); a volume of n MiB gives about n segments.
func SplitE01(t testing.TB, raw string) string {
	t.Helper()
	return ewfacquire(t, raw, "-c", "none", "-S", "1MiB")
}

func ewfacquire(t testing.TB, raw string, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	args = append([]string{"-u", "-q", "-t", filepath.Join(dir, "disk"), "-C", "case 6", "-e", "imagetest", "-E", "EV-1"}, args...)
	Run(t, "", "ewfacquire", append(args, raw)...)
	first := filepath.Join(dir, "disk.E01")
	if _, err := os.Stat(first); err != nil {
		t.Fatalf("ewfacquire wrote no %s: %v", first, err)
	}
	return first
}

// VHDFixed writes a fixed VHD, disk.vhd.
func VHDFixed(t testing.TB, raw string) string {
	t.Helper()
	return qemuConvert(t, raw, "disk.vhd", "-O", "vpc", "-o", "subformat=fixed,force_size=on")
}

// VHDDynamic writes a dynamic VHD, disk.vhd.
func VHDDynamic(t testing.TB, raw string) string {
	t.Helper()
	return qemuConvert(t, raw, "disk.vhd", "-O", "vpc", "-o", "subformat=dynamic,force_size=on")
}

// VHDX writes a dynamic VHDX, disk.vhdx.
func VHDX(t testing.TB, raw string) string {
	t.Helper()
	return qemuConvert(t, raw, "disk.vhdx", "-O", "vhdx", "-o", "subformat=dynamic")
}

// VMDKSparse writes a monolithic sparse VMDK, disk.vmdk.
func VMDKSparse(t testing.TB, raw string) string {
	t.Helper()
	return qemuConvert(t, raw, "disk.vmdk", "-O", "vmdk", "-o", "subformat=monolithicSparse")
}

// VMDKStream writes a stream-optimized (compressed) VMDK, disk.vmdk.
func VMDKStream(t testing.TB, raw string) string {
	t.Helper()
	return qemuConvert(t, raw, "disk.vmdk", "-O", "vmdk", "-o", "subformat=streamOptimized")
}

func qemuConvert(t testing.TB, raw, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	args = append(append([]string{"convert", "-q", "-f", "raw"}, args...), raw, out)
	Run(t, "", "qemu-img", args...)
	return out
}
