// Package container opens a disk image of any supported container format
// (raw, split raw, EWF, VHD, VHDX, VMDK) as one io.ReaderAt over the media
// it holds. The format is detected from the file's signatures, never from its
// name. Files are opened read-only and read lazily.
package container

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/hivescan/hivescan/hive/image/ewf"
	"github.com/hivescan/hivescan/hive/image/raw"
	"github.com/hivescan/hivescan/hive/image/vhd"
	"github.com/hivescan/hivescan/hive/image/vhdx"
	"github.com/hivescan/hivescan/hive/image/vmdk"
)

// ErrUnsupported is wrapped by the error Open returns for a recognised
// container format that cannot be read.
var ErrUnsupported = errors.New("unsupported container format")

// Format names reported in Container.Format.
const (
	FormatRaw            = "raw"
	FormatSplitRaw       = "split-raw"
	FormatEWF            = "ewf"
	FormatVHDFixed       = "vhd-fixed"
	FormatVHDDynamic     = "vhd-dynamic"
	FormatVHDXFixed      = "vhdx-fixed"
	FormatVHDXDynamic    = "vhdx-dynamic"
	FormatVMDKSparse     = "vmdk-sparse"
	FormatVMDKStream     = "vmdk-stream"
	FormatVMDKDescriptor = "vmdk-descriptor"
)

// media is what every format reader provides.
type media interface {
	io.ReaderAt
	Size() int64
	Close() error
	BytesRead() int64
}

// verifier is implemented by formats that store a hash of the media.
type verifier interface {
	Verify() (ok bool, err error)
}

// Container is an opened disk image. It is safe for concurrent ReadAt.
type Container struct {
	// Format names the container format, one of the Format constants.
	Format string
	// Segments lists every file opened, in order (for hashing the evidence).
	Segments []string
	// StoredHashes holds the media hashes recorded in the container at
	// acquisition, by lower-case algorithm name ("md5", "sha1") in hex;
	// nil when the format stores none. Verify checks them.
	StoredHashes map[string]string
	// Warnings lists conditions that do not prevent reading but that a
	// report should mention (for example a VHDX log that was not replayed).
	Warnings []string

	m   media
	v   verifier
	ewf *ewf.Reader
}

// EWF returns the EWF reader of an EWF container (case metadata, chunk
// layout), or nil for other formats.
func (c *Container) EWF() *ewf.Reader { return c.ewf }

// Open opens the disk image at path.
func Open(path string) (*Container, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("container: %s: not a regular file", path)
	}
	size := st.Size()
	head := make([]byte, 512)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		f.Close()
		return nil, err
	}
	head = head[:n]
	var tail []byte
	if size >= 512 {
		tail = make([]byte, 512)
		if _, err := f.ReadAt(tail, size-512); err != nil {
			f.Close()
			return nil, err
		}
	}
	f.Close()

	if name := unsupported(head); name != "" {
		return nil, fmt.Errorf("container: %s: %s image: %w", path, name, ErrUnsupported)
	}
	c, err := openDetected(path, head, tail)
	if errors.Is(err, vhd.ErrDifferencing) || errors.Is(err, vhdx.ErrDifferencing) ||
		errors.Is(err, vmdk.ErrDifferencing) || errors.Is(err, vmdk.ErrUnsupportedExtent) {
		return nil, fmt.Errorf("container: %s: %w: %w", path, ErrUnsupported, err)
	}
	return c, err
}

// unsupported names a recognised container format this package cannot read.
func unsupported(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("QFI\xfb")):
		return "QCOW"
	case len(head) >= 0x44 && bytes.Equal(head[0x40:0x44], []byte("\x7f\x10\xda\xbe")):
		return "VirtualBox VDI"
	case bytes.HasPrefix(head, []byte("<<< Oracle VM VirtualBox Disk Image >>>")),
		bytes.HasPrefix(head, []byte("<<< innotek VirtualBox Disk Image >>>")),
		bytes.HasPrefix(head, []byte("<<< Sun xVM VirtualBox Disk Image >>>")):
		return "VirtualBox VDI"
	case bytes.HasPrefix(head, []byte("AFF10\r\n\x00")), bytes.HasPrefix(head, []byte("AFD10\r\n\x00")):
		return "AFF"
	case bytes.HasPrefix(head, []byte("EVF2\r\n\x81\x00")):
		return "EWF2 (Ex01)"
	case bytes.HasPrefix(head, []byte("LVF\x09\x0d\x0a\xff\x00")), bytes.HasPrefix(head, []byte("LEF2\r\n\x81\x00")):
		return "EWF logical evidence (L01)"
	case len(head) >= 11 && bytes.Equal(head[3:11], []byte("-FVE-FS-")):
		return "BitLocker volume"
	case bytes.HasPrefix(head, []byte("COWD")):
		return "VMware ESX COW"
	}
	return ""
}

func openDetected(path string, head, tail []byte) (*Container, error) {
	if bytes.HasPrefix(head, []byte(ewf.Signature)) {
		r, err := ewf.Open(path)
		if err != nil {
			return nil, err
		}
		c := &Container{Format: FormatEWF, Segments: r.Segments, m: r, v: r, ewf: r}
		if n := len(r.AcquisitionErrors); n > 0 {
			c.Warnings = append(c.Warnings, fmt.Sprintf("EWF acquisition could not read %d sector ranges (zero-filled in the image)", n))
		}
		if r.MD5 != nil {
			c.StoredHashes = map[string]string{"md5": hex.EncodeToString(r.MD5)}
			if r.SHA1 != nil {
				c.StoredHashes["sha1"] = hex.EncodeToString(r.SHA1)
			}
		}
		return c, nil
	}
	if bytes.HasPrefix(head, []byte(vmdk.SparseMagic)) || bytes.HasPrefix(head, []byte(vmdk.DescriptorMagic)) {
		r, err := vmdk.Open(path)
		if err != nil {
			return nil, err
		}
		c := &Container{Format: FormatVMDKSparse, Segments: r.Segments, m: r}
		switch {
		case r.Descriptor:
			c.Format = FormatVMDKDescriptor
		case r.Compressed:
			c.Format = FormatVMDKStream
		}
		return c, nil
	}
	if bytes.HasPrefix(head, []byte(vhdx.Signature)) {
		r, err := vhdx.Open(path)
		if err != nil {
			return nil, err
		}
		c := &Container{Format: FormatVHDXDynamic, Segments: []string{path}, m: r}
		if r.Fixed {
			c.Format = FormatVHDXFixed
		}
		if r.LogPending {
			c.Warnings = append(c.Warnings, "VHDX log not replayed: recent writes may be missing")
		}
		return c, nil
	}
	if vhd.HasFooter(tail) || vhd.HasFooter(head) {
		r, err := vhd.Open(path)
		if err != nil {
			return nil, err
		}
		format := FormatVHDDynamic
		if r.DiskType == vhd.TypeFixed {
			format = FormatVHDFixed
		}
		return &Container{Format: format, Segments: []string{path}, m: r}, nil
	}
	if raw.IsSplit(path) {
		r, err := raw.OpenSplit(path)
		if err != nil {
			return nil, err
		}
		return &Container{Format: FormatSplitRaw, Segments: r.Segments, m: r}, nil
	}
	r, err := raw.Open(path)
	if err != nil {
		return nil, err
	}
	return &Container{Format: FormatRaw, Segments: r.Segments, m: r}, nil
}

// Size returns the size of the media in bytes.
func (c *Container) Size() int64 { return c.m.Size() }

// ReadAt reads media bytes; it follows io.ReaderAt, returning io.EOF with a
// short count for reads past Size.
func (c *Container) ReadAt(p []byte, off int64) (int, error) { return c.m.ReadAt(p, off) }

// BytesRead returns the number of bytes read so far from the container's
// files, which differs from the media bytes returned for compressed or
// sparse formats.
func (c *Container) BytesRead() int64 { return c.m.BytesRead() }

// Close closes every file of the container.
func (c *Container) Close() error { return c.m.Close() }

// VerifyStatus is the outcome of Verify.
type VerifyStatus int

const (
	// NotSupported: the format stores no hash of the media.
	NotSupported VerifyStatus = iota
	// NoStoredHash: the format can store a hash but this image has none.
	NoStoredHash
	// Match: the media hash equals the stored one.
	Match
	// Mismatch: the media hash differs from the stored one.
	Mismatch
)

func (s VerifyStatus) String() string {
	switch s {
	case NoStoredHash:
		return "no stored hash"
	case Match:
		return "md5 ok"
	case Mismatch:
		return "md5 mismatch"
	}
	return "not supported for this format"
}

// VerifyResult reports a Verify.
type VerifyResult struct {
	Status VerifyStatus
}

// Verify reads the whole media and compares its hash with the hash stored
// in the container. Callers that did not call Verify should report the image
// as not verified.
func (c *Container) Verify() (VerifyResult, error) {
	if c.v == nil {
		return VerifyResult{Status: NotSupported}, nil
	}
	ok, err := c.v.Verify()
	switch {
	case errors.Is(err, ewf.ErrNoStoredHash):
		return VerifyResult{Status: NoStoredHash}, nil
	case err != nil:
		return VerifyResult{}, err
	case ok:
		return VerifyResult{Status: Match}, nil
	}
	return VerifyResult{Status: Mismatch}, nil
}
