package scan

import (
	"errors"

	"github.com/hivescan/hivescan/hive/evidence"
)

// errNotEvidence is returned for files that are neither hives nor images.
var errNotEvidence = errors.New("not a registry hive, transaction log or supported disk image")

// imageSources opens a disk image and returns one source per NTFS volume.
func imageSources(p string) ([]evidence.Source, error) {
	return nil, errNotEvidence
}
