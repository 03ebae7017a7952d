package report

import (
	"fmt"
	"io"
	"strings"
)

// writeImages writes one paragraph per disk image: container, size,
// verification and the volumes that were and were not searched. The table
// and inventory formats share it.
func writeImages(w io.Writer, images []Image) {
	for _, im := range images {
		verification := im.Verification
		if verification == "not verified" && len(im.StoredHashes) > 0 {
			verification = "stored hash not verified (--verify-image checks it)"
		}
		fmt.Fprintf(w, "image %s: %s, %s, partition table %s, %s\n", escapeText(im.Path), escapeText(im.Format),
			humanBytes(im.Size), escapeText(orDash(im.PartitionTable)), escapeText(orDash(verification)))
		if len(im.Segments) > 1 {
			segs := make([]string, len(im.Segments))
			for i, s := range im.Segments {
				segs[i] = escapeText(s)
			}
			fmt.Fprintf(w, "  segments: %s\n", strings.Join(segs, ", "))
		}
		for _, v := range im.Volumes {
			state := "searched"
			if !v.Searched {
				state = "not searched: " + escapeText(orDash(v.Reason))
			}
			fmt.Fprintf(w, "  %s at %d, %s: %s\n", escapeText(v.Desc), v.Offset, humanBytes(v.Length), state)
		}
		for _, warn := range im.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", escapeText(warn))
		}
		fmt.Fprintf(w, "  read %s of it\n", humanBytes(im.BytesRead))
	}
	if len(images) > 0 {
		fmt.Fprintln(w)
	}
}

// humanBytes renders a size with a binary unit.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
