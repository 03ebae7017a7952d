// Package image opens disk images and serves their NTFS volumes as io/fs.FS,
// so that registry hives are found and read without mounting anything.
//
// Open reads the container (raw, split raw, EWF, VHD, VHDX, VMDK, as
// package container supports), the partition table (MBR, GPT or none) and
// the boot sector of each volume. NTFS volumes get a file system; others are
// listed with the reason they are not searched. Locate lists the standard
// places of hives in a volume without walking it, and Extract copies them
// out with a manifest.
package image

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/hivescan/hivescan/hive/image/container"
	"github.com/hivescan/hivescan/hive/image/ntfsfs"
	"github.com/hivescan/hivescan/hive/image/part"
)

// Volume is one volume of an image.
type Volume struct {
	Index  int    // partition index (part.Partition.Index); 0 for a bare volume
	Desc   string // "partition 2 (NTFS)", "volume (NTFS)"
	Offset int64  // byte offset of the volume in the disk
	Length int64  // bytes
	// FS is the volume's file system, nil when it is not searched.
	FS fs.FS
	// Reason says why FS is nil: "ext2/3/4: no NTFS volume", "unknown file
	// system", or the error met opening the NTFS volume.
	Reason string
}

// Image is an opened disk image.
type Image struct {
	Path    string      // as given to Open
	Format  string      // container format ("raw", "ewf", ...)
	Table   *part.Table // partition table; Scheme part.None for a bare volume
	Volumes []Volume    // every volume, searchable (FS != nil) or not
	// Container is the opened container (nil for NewImage): its segments,
	// stored hashes, warnings and Verify.
	Container *container.Container

	r      io.ReaderAt
	size   int64
	closer io.Closer
	read   func() int64
}

// ErrNoNTFS is matched (errors.Is) by the error of Open for an image that
// holds no NTFS volume.
var ErrNoNTFS = errors.New("no NTFS volume")

// NoNTFSError is returned by Open when no volume of the image is NTFS; it
// lists the volumes seen and why each is not searched.
type NoNTFSError struct {
	Path    string
	Volumes []Volume
}

func (e *NoNTFSError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: no NTFS volume", filepath.Base(e.Path))
	if len(e.Volumes) == 0 {
		b.WriteString(" (no volumes)")
	}
	for i, v := range e.Volumes {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", v.Desc, v.Reason)
	}
	return b.String()
}

func (e *NoNTFSError) Is(target error) bool { return target == ErrNoNTFS }

// Open opens the disk image at path. The image must be closed. An image
// without any NTFS volume gives a *NoNTFSError.
func Open(path string) (*Image, error) {
	c, err := container.Open(path)
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	img, err := newImage(path, c.Format, c, c.Size(), c.BytesRead)
	if err != nil {
		c.Close()
		return nil, err
	}
	img.closer = c
	img.Container = c
	return img, nil
}

// NewImage reads the volumes of a disk of size bytes read through r; name
// is used in Display. BytesRead then counts only what went through r.
func NewImage(name string, r io.ReaderAt, size int64) (*Image, error) {
	cr := &countingReader{r: r}
	return newImage(name, "raw", cr, size, cr.n.Load)
}

func newImage(path, format string, r io.ReaderAt, size int64, read func() int64) (*Image, error) {
	img := &Image{Path: path, Format: format, r: r, size: size, read: read}
	t, err := part.Read(r, size)
	if err != nil {
		return nil, fmt.Errorf("image: %s: %w", filepath.Base(path), err)
	}
	img.Table = t
	if t.Scheme == part.None {
		img.Volumes = append(img.Volumes, openVolume(r, Volume{Desc: "volume", Offset: 0, Length: size}))
	}
	for _, p := range t.Partitions {
		length := p.Length
		if p.Start+length > size {
			length = size - p.Start
		}
		v := Volume{Index: p.Index, Desc: fmt.Sprintf("partition %d", p.Index), Offset: p.Start, Length: length}
		img.Volumes = append(img.Volumes, openVolume(r, v))
	}
	for _, v := range img.Volumes {
		if v.FS != nil {
			return img, nil
		}
	}
	return nil, &NoNTFSError{Path: path, Volumes: img.Volumes}
}

// openVolume identifies the file system of v and opens it when NTFS.
func openVolume(r io.ReaderAt, v Volume) Volume {
	sr := io.NewSectionReader(r, v.Offset, v.Length)
	kind := identify(sr)
	if kind != "NTFS" {
		v.Desc += " (" + kind + ")"
		if kind == "unknown file system" {
			v.Reason = kind
		} else {
			v.Reason = kind + ": no NTFS volume"
		}
		return v
	}
	v.Desc += " (NTFS)"
	f, err := ntfsfs.New(sr, v.Length)
	if err != nil {
		v.Reason = err.Error()
		return v
	}
	v.FS = f
	return v
}

// identify names the file system whose boot sector or superblock starts
// the volume.
func identify(r io.ReaderAt) string {
	b := make([]byte, 2048)
	n, _ := r.ReadAt(b, 0)
	b = b[:n]
	switch {
	case len(b) < 512:
		return "unknown file system"
	case string(b[3:11]) == "NTFS    ":
		return "NTFS"
	case string(b[3:11]) == "EXFAT   ":
		return "exFAT"
	case string(b[3:11]) == "-FVE-FS-":
		return "BitLocker"
	case string(b[0x52:0x57]) == "FAT32":
		return "FAT32"
	case string(b[0x36:0x3B]) == "FAT12" || string(b[0x36:0x3B]) == "FAT16":
		return "FAT"
	case len(b) >= 1024+58 && b[1024+56] == 0x53 && b[1024+57] == 0xEF:
		return "ext2/3/4"
	case string(b[0:4]) == "XFSB":
		return "XFS"
	case len(b) >= 1024+2 && string(b[1024:1026]) == "H+" || len(b) >= 1024+2 && string(b[1024:1026]) == "HX":
		return "HFS+"
	case string(b[32:36]) == "NXSB":
		return "APFS"
	}
	return "unknown file system"
}

// NTFS returns the searchable volumes.
func (img *Image) NTFS() []Volume {
	var out []Volume
	for _, v := range img.Volumes {
		if v.FS != nil {
			out = append(out, v)
		}
	}
	return out
}

// Display renders a file of a volume for reports, Windows style:
// "disk.E01 > partition 2 (NTFS) > \Windows\System32\config\SYSTEM".
func (img *Image) Display(vol Volume, name string) string {
	if name == "." {
		name = "" // the volume root: "disk.E01 > partition 2 (NTFS) > \"
	}
	return filepath.Base(img.Path) + " > " + vol.Desc + " > \\" + strings.ReplaceAll(name, "/", "\\")
}

// BytesRead reports the bytes read from the image file(s) so far (after
// decompression for compressed containers, as the container counts them).
func (img *Image) BytesRead() int64 { return img.read() }

// Close closes the image files.
func (img *Image) Close() error {
	if img.closer == nil {
		return nil
	}
	return img.closer.Close()
}
