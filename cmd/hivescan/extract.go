package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/hivescan/hivescan/hive/image"
)

func extractCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "extract",
		Usage:     "copy the hives and their transaction logs out of a disk image, with a manifest",
		ArgsUsage: "IMAGE -o DIR",
		Description: `IMAGE is a disk image (raw or split raw, E01, VHD, VHDX, VMDK) holding NTFS
volumes. The hives at the standard places of every Windows installation
(config, RegBack, user profiles, Amcache, BCD) and their .LOG/.LOG1/.LOG2 files
are copied to DIR/<volume>/<path in the volume> (for example
DIR/partition_2_(NTFS)/Windows/System32/config/SYSTEM), and DIR/manifest.json
lists each file with its volume, path in the image, SHA-256, MFT record and
NTFS times. DIR is created; it must not exist or be empty, and nothing is ever
overwritten. The image is only read.

A summary goes to stdout; files that could not be read go to stderr and to
the manifest, and make the exit code 2.

Examples:
   hivescan extract disk.E01 -o /cases/42/hives
   hivescan extract -o hives disk.vhdx && hivescan scan hives`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write into `DIR` (required; created, must be empty)"},
		}, logFlags("")...),
		Before: func(c *cli.Context) error { return setupLogger(c, e.stderr) },
		Action: func(c *cli.Context) error {
			imagePath, dir, err := extractArgs(c.String("output"), c.Args().Slice())
			if err != nil {
				return err
			}
			if err := emptyOrAbsent(dir); err != nil {
				return usageErr("extract: %v", err)
			}
			img, err := image.Open(imagePath)
			if err != nil {
				return usageErr("extract: %v", err)
			}
			defer img.Close()
			m, err := image.Extract(img, dir)
			if m != nil {
				printExtractSummary(e, img, m, dir)
			}
			if err != nil {
				return usageErr("%v", err)
			}
			if len(m.Problems) > 0 {
				return usageErr("extract: %d files or folders could not be read (listed in %s)", len(m.Problems), filepath.Join(dir, "manifest.json"))
			}
			return nil
		},
	}
}

// extractArgs returns IMAGE and DIR. Flags stop at the first argument for
// urfave/cli, so "-o DIR" after IMAGE is read here.
func extractArgs(output string, args []string) (string, string, error) {
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-o" || a == "--output" || a == "-output":
			if i+1 == len(args) {
				return "", "", usageErr("extract: %s needs a DIR", a)
			}
			output = args[i+1]
			i++
		case strings.HasPrefix(a, "-o=") || strings.HasPrefix(a, "--output="):
			_, output, _ = strings.Cut(a, "=")
		case strings.HasPrefix(a, "-") && a != "-":
			return "", "", usageErr("extract: unknown flag %q after IMAGE (see hivescan extract --help)", a)
		default:
			rest = append(rest, a)
		}
	}
	switch {
	case len(rest) == 0:
		return "", "", usageErr("extract: give the IMAGE to read (see hivescan extract --help)")
	case len(rest) > 1:
		return "", "", usageErr("extract: give one IMAGE, not %d", len(rest))
	case output == "":
		return "", "", usageErr("extract: give the output folder with -o DIR")
	}
	return rest[0], output, nil
}

// emptyOrAbsent refuses an output folder that already holds anything, so
// that two extractions never mix.
func emptyOrAbsent(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case len(entries) > 0:
		return fmt.Errorf("%s is not empty: give a new folder", dir)
	}
	return nil
}

func printExtractSummary(e *env, img *image.Image, m *image.Manifest, dir string) {
	var hives, logs, bytes int64
	perVolume := map[string]int{}
	for _, f := range m.Files {
		if f.Kind == "log" {
			logs++
		} else {
			hives++
		}
		bytes += f.Size
		perVolume[f.Volume]++
	}
	fmt.Fprintf(e.stdout, "%s (%s)\n", filepath.Base(img.Path), img.Format)
	for _, v := range img.Volumes {
		switch {
		case v.FS == nil:
			fmt.Fprintf(e.stdout, "  %s: not searched: %s\n", v.Desc, v.Reason)
		default:
			fmt.Fprintf(e.stdout, "  %s: %d files\n", v.Desc, perVolume[v.Desc])
		}
	}
	fmt.Fprintf(e.stdout, "wrote %d hives and %d logs, %d bytes, to %s\n", hives, logs, bytes, dir)
	fmt.Fprintf(e.stdout, "manifest: %s\n", filepath.Join(dir, "manifest.json"))
	for _, p := range m.Problems {
		fmt.Fprintf(e.stderr, "hivescan: extract: %s\n", p)
	}
	if len(m.Files) == 0 && len(m.Problems) == 0 {
		fmt.Fprintf(e.stderr, "hivescan: extract: no hives at the standard places of any NTFS volume\n")
	}
}
