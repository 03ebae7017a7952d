package scan

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/internal/corpus"
)

// The public images of the corpus: what a scan says about each.
func TestScanCorpusImages(t *testing.T) {
	ctx := context.Background()
	t.Run("placeholders named like hives", func(t *testing.T) {
		p := corpus.Path(t, "Velocidex__velociraptor/artifacts/testdata/files/partition_image.E01")
		r, err := Run(ctx, Options{Paths: []string{p}, Analyzers: analyzers.All(), VerifyImages: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Images) != 1 || r.Images[0].Format != "ewf" || r.Images[0].Verification != "md5 ok" || r.Images[0].BytesRead == 0 {
			t.Fatalf("image: %+v", r.Images)
		}
		if len(r.Findings) != 0 || len(r.Inputs) != 0 {
			t.Errorf("findings %d, inputs %d on text placeholders", len(r.Findings), len(r.Inputs))
		}
		var notHive int
		for _, pr := range r.Problems {
			if strings.Contains(pr.Message, "named like a hive but is not one") {
				notHive++
			}
		}
		if notHive != 6 {
			t.Errorf("want 6 'not a hive' problems (SYSTEM, software, sam, Security, NTUser.dat, Amcache.hve), got %+v", r.Problems)
		}
	})
	t.Run("NTFS without hives, not verified by default", func(t *testing.T) {
		p := corpus.Path(t, "Velocidex__go-ewf/test/test.ntfs.dd.E01")
		r, err := Run(ctx, Options{Paths: []string{p}, Analyzers: analyzers.All()})
		// An image without hives is nothing to scan: an input error (exit
		// 2), with the image still described.
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "no registry hives found") {
			t.Fatalf("err = %v, want an InputError saying no hives were found", err)
		}
		im := r.Images[0]
		if im.Verification != "not verified" || im.StoredHashes["md5"] == "" || len(im.Volumes) != 1 || !im.Volumes[0].Searched {
			t.Errorf("image: %+v", im)
		}
		if len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, "no registry hives found") {
			t.Errorf("problems: %+v", r.Problems)
		}
	})
	for _, tc := range []struct{ name, path, want string }{
		{"ext2 in EWF", "log2timeline__plaso/test_data/image.E01", "no NTFS volume"},
		{"qcow2", "log2timeline__dfvfs/test_data/windows_volume.qcow2", "QCOW"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := corpus.Path(t, tc.path)
			r, err := Run(ctx, Options{Paths: []string{p}, Analyzers: analyzers.All()})
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want an InputError saying %q", err, tc.want)
			}
			if r == nil || len(r.Problems) == 0 {
				t.Errorf("the report should still be written, with the problem")
			}
		})
	}
}
