package scan

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/hivescan/hivescan/hive/evidence"
	"github.com/hivescan/hivescan/hive/image"
	"github.com/hivescan/hivescan/hive/image/ntfsfs"
	"github.com/hivescan/hivescan/report"
)

// imageSources opens a disk image and returns one source per NTFS volume,
// limited to the standard places of hives (image.Locate), the image to
// close when the sources have been scanned, and its description for the
// report (BytesRead is filled in when the image is closed).
func imageSources(p string, verify bool) ([]evidence.Source, *openImage, error) {
	img, err := image.Open(p)
	if err != nil {
		var noNTFS *image.NoNTFSError
		if errors.As(err, &noNTFS) && len(noNTFS.Volumes) == 1 && noNTFS.Volumes[0].Reason == "unknown file system" {
			return nil, nil, errNotEvidence
		}
		return nil, nil, err
	}
	return volumeSources(filepath.Base(p), img, p, verify)
}

// volumeSources returns one source per NTFS volume of an open image, named
// after name; p is the image's path for the report.
func volumeSources(name string, img *image.Image, p string, verify bool) ([]evidence.Source, *openImage, error) {
	var srcs []evidence.Source
	var errs []error
	for _, vol := range img.NTFS() {
		found, err := image.Locate(vol.FS)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", vol.Desc, err))
		}
		paths := []string{}
		for _, f := range found {
			paths = append(paths, f.Path)
			paths = append(paths, f.Logs...)
		}
		vol := vol
		srcs = append(srcs, evidence.Source{
			FS:      vol.FS,
			Root:    ".",
			Name:    name + " > " + vol.Desc,
			Display: func(name string) string { return img.Display(vol, name) },
			Paths:   paths,
		})
	}
	oi := &openImage{img: img, desc: describeImage(p, img, verify)}
	if len(srcs) == 0 {
		oi.Close()
		return nil, oi, errors.Join(append(errs, errors.New("no NTFS volume could be searched"))...)
	}
	return srcs, oi, errors.Join(errs...)
}

// openImage is an image being scanned and its report entry.
type openImage struct {
	img    *image.Image
	desc   report.Image
	closed bool
}

// Close records the bytes read and closes the image files, once.
func (o *openImage) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	o.desc.BytesRead = o.img.BytesRead()
	return o.img.Close()
}

// describeImage summarises an image for the report, verifying its stored
// hash first when asked to (which reads the whole media).
func describeImage(p string, img *image.Image, verify bool) report.Image {
	d := report.Image{Path: p, Format: img.Format, Verification: "not verified", Volumes: []report.ImageVolume{}}
	if img.Table != nil {
		d.PartitionTable = string(img.Table.Scheme)
		if img.Table.Scheme == "none" {
			d.PartitionTable = "none"
		}
		d.Warnings = append(d.Warnings, img.Table.Warnings...)
	}
	for _, v := range img.Volumes {
		d.Volumes = append(d.Volumes, report.ImageVolume{Desc: v.Desc, Offset: v.Offset, Length: v.Length, Searched: v.FS != nil, Reason: v.Reason})
	}
	if c := img.Container; c != nil {
		d.Segments = c.Segments
		d.Size = c.Size()
		d.StoredHashes = c.StoredHashes
		d.Warnings = append(d.Warnings, c.Warnings...)
		if verify {
			res, err := c.Verify()
			if err != nil {
				d.Verification = "verification failed: " + err.Error()
			} else {
				d.Verification = res.Status.String()
			}
		} else if len(c.StoredHashes) == 0 {
			d.Verification = "no stored hash"
		}
	}
	return d
}

// fileTimes converts what the file system said about a file: NTFS records
// from images, the modification time of loose files.
func fileTimes(f evidence.File) *report.FileTimes {
	if rec, ok := f.Sys.(*ntfsfs.Record); ok && rec != nil {
		si, fn := rec.StandardInformation, rec.FileName
		return &report.FileTimes{Modified: si.Modified, Created: si.Created, MFTChanged: si.MFTChanged, Accessed: si.Accessed,
			FNCreated: fn.Created, FNModified: fn.Modified, FNMFTChanged: fn.MFTChanged, FNAccessed: fn.Accessed, MFTRecord: rec.Number}
	}
	if f.ModTime.IsZero() {
		return nil
	}
	return &report.FileTimes{Modified: f.ModTime.UTC()}
}
