package image

import (
	"io/fs"
	"testing"
)

// BenchmarkLocateAndRead opens the GPT test disk, locates the hives and
// reads them with their logs. It reports the bytes read from the image
// against the bytes of hive files located.
func BenchmarkLocateAndRead(b *testing.B) {
	vol := buildNTFSB(b)
	for b.Loop() {
		img, err := Open(vol)
		if err != nil {
			b.Fatal(err)
		}
		v := img.NTFS()[0]
		found, err := Locate(v.FS)
		if err != nil {
			b.Fatal(err)
		}
		var hiveBytes int64
		for _, f := range found {
			for _, p := range append([]string{f.Path}, f.Logs...) {
				data, err := fs.ReadFile(v.FS, p)
				if err != nil {
					b.Fatal(err)
				}
				hiveBytes += int64(len(data))
			}
		}
		b.ReportMetric(float64(img.BytesRead()), "image-bytes/op")
		b.ReportMetric(float64(hiveBytes), "hive-bytes/op")
		b.ReportMetric(float64(img.BytesRead())/float64(hiveBytes), "read-ratio")
		img.Close()
	}
}
