package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/deleted"
	"github.com/hivescan/hivescan/report"
)

// writeBodyfile writes one Sleuth Kit body line per key at and below
// keyPath: the key's path as Windows names it (report.RegistryPath, HKCU
// for user hives) and its last write as mtime. Keys whose subkeys could not
// all be read are reported to stderr and still written. With rec, deleted
// keys recovered under keyPath follow, named with " (deleted)" (a key whose
// place is unknown is written only for the whole hive, under "(unknown)").
func writeBodyfile(ctx context.Context, stdout, stderr io.Writer, e *hive.Entry, keyPath string, rec *deleted.Records) error {
	w := bufio.NewWriterSize(stdout, 64<<10)
	kind := e.Kind().String()
	err := e.Walk(ctx, keyPath, func(k *hive.Key, err error) error {
		if err != nil {
			fmt.Fprintf(stderr, "hivescan: %s: %v\n", k.Path(), err)
			return nil
		}
		_, werr := w.WriteString(report.BodyfileLine(report.RegistryPath(kind, "", "", strings.Trim(k.Path(), `\`)), k.LastWrite()))
		return werr
	})
	if err != nil {
		return err
	}
	if rec != nil {
		whole := strings.Trim(keyPath, `\`) == ""
		prefix := `\` + strings.ToLower(strings.Trim(keyPath, `\`))
		for _, k := range rec.Keys {
			p := `\` + strings.Trim(strings.Trim(k.ParentPath, `\`)+`\`+k.Name, `\`)
			if !k.ParentKnown {
				if !whole {
					continue
				}
				p = `\(unknown)\` + k.Name
			}
			lp := strings.ToLower(p)
			if !whole && lp != prefix && !strings.HasPrefix(lp, prefix+`\`) {
				continue
			}
			if _, err := w.WriteString(report.BodyfileLine(report.RegistryPath(kind, "", "", strings.Trim(p, `\`))+" (deleted)", k.LastWrite)); err != nil {
				return err
			}
		}
	}
	return w.Flush()
}
