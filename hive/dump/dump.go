// Package dump writes every key and value below a key of a hive, as text,
// JSON Lines or CSV.
//
// Every format carries the same fields: for a key its path, last-write time
// (UTC, RFC 3339 with exactly 7 fractional digits, the full FILETIME
// precision), subkey and value counts; for a value its key path, name, type,
// declared size and decoded data. Errors met while walking are written into
// the output as records of type "error" and the walk goes on. Output is
// deterministic: keys and values come in stored order.
package dump

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/hivescan/hivescan/hive"
)

// Formats lists the format names Write accepts.
var Formats = []string{"text", "jsonl", "csv"}

// TimeFormat is the layout of last_write: UTC with 100 ns precision.
const TimeFormat = "2006-01-02T15:04:05.0000000Z"

// recordWriter writes one format.
type recordWriter interface {
	key(k *hive.Key) error
	value(path string, v *hive.Value, data any, err error) error
	walkError(path string, err error) error
}

// Write walks the hive from keyPath (`\` for the whole hive) and writes every
// key and value to w in format ("text", "jsonl" or "csv"). It stops with
// ctx.Err() when ctx is done and returns the first write error.
func Write(ctx context.Context, w io.Writer, h *hive.Hive, keyPath, format string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var rw recordWriter
	switch format {
	case "text":
		rw = &textWriter{w: bw}
	case "jsonl":
		rw = &jsonWriter{w: bw}
	case "csv":
		c := &csvWriter{w: bw}
		if err := c.header(); err != nil {
			return err
		}
		rw = c
	default:
		return fmt.Errorf("dump: unknown format %q (want text, jsonl or csv)", format)
	}
	err := h.Walk(ctx, keyPath, func(k *hive.Key, err error) error {
		if err != nil {
			return rw.walkError(k.Path(), err)
		}
		if err := rw.key(k); err != nil {
			return err
		}
		vals, err := k.Values()
		if err != nil {
			if err := rw.walkError(k.Path(), err); err != nil {
				return err
			}
		}
		for _, v := range vals {
			data, err := v.Data()
			if err := rw.value(k.Path(), v, data, err); err != nil {
				return err
			}
			if err != nil {
				if err := rw.walkError(k.Path(), fmt.Errorf("value %q: %w", v.Name(), err)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return err
}

// appendTime appends t in TimeFormat; a zero time (FILETIME 0) is written as
// the FILETIME epoch so every line has the same shape.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		t = time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return t.UTC().AppendFormat(b, TimeFormat)
}

const hexDigits = "0123456789abcdef"

func appendHex(b, data []byte) []byte {
	for _, c := range data {
		b = append(b, hexDigits[c>>4], hexDigits[c&15])
	}
	return b
}
