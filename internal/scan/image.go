package scan

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/hivescan/hivescan/hive/evidence"
	"github.com/hivescan/hivescan/hive/image"
	"github.com/hivescan/hivescan/hive/image/ntfsfs"
	"github.com/hivescan/hivescan/report"
)

// imageSources opens a disk image and returns one source per NTFS volume,
// limited to the standard places of hives (image.Locate), and the image to
// close when the sources have been scanned.
func imageSources(p string) ([]evidence.Source, io.Closer, error) {
	img, err := image.Open(p)
	if err != nil {
		var noNTFS *image.NoNTFSError
		if errors.As(err, &noNTFS) && len(noNTFS.Volumes) == 1 && noNTFS.Volumes[0].Reason == "unknown file system" {
			return nil, nil, errNotEvidence
		}
		return nil, nil, err
	}
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
			Name:    filepath.Base(p) + " > " + vol.Desc,
			Display: func(name string) string { return img.Display(vol, name) },
			Paths:   paths,
		})
	}
	if len(srcs) == 0 {
		img.Close()
		return nil, nil, errors.Join(append(errs, errors.New("no NTFS volume could be searched"))...)
	}
	return srcs, img, errors.Join(errs...)
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
