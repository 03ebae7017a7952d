package targets

import (
	"context"
	"io/fs"
	"path"
	"strings"

	"github.com/hivescan/hivescan/hive/image/ntfsfs"
)

// walkMFT lists the files of an NTFS volume from its MFT, deleted ones
// included, when fsys is one and the drive is its root; handled is false
// otherwise.
func walkMFT(ctx context.Context, fsys fs.FS, root string, fn func(f volFile, dir []string) error) (handled bool, err error) {
	v, ok := fsys.(*ntfsfs.FS)
	if !ok || root != "." && root != "" {
		return false, nil
	}
	_, err = v.Walk(ctx, func(e ntfsfs.Entry) error {
		if e.Dir || strings.HasPrefix(e.Path, "$Orphan/") {
			return nil // a name whose folder is unknown cannot be placed in the location table
		}
		rec := e.Record
		return fn(volFile{rel: e.Path, size: e.Size, deleted: e.Deleted, rec: &rec}, splitDir(path.Dir(e.Path)))
	})
	return true, err
}
