package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/hivescan/hivescan/hive"
)

// File is one evidence file that was read: a hive or a transaction log.
type File struct {
	Path       string // slash path inside Source.FS
	Display    string
	Role       string // "hive" or "log"
	Size       int64
	SHA256     string // of the bytes as found
	Kind       string // hive kind (SYSTEM, NTUSER, ...), or "LOG" for logs
	User       string
	Label      string
	Dirty      bool
	ChecksumOK bool
	Truncated  bool
	HeaderTime time.Time
	Logs       []string // display paths of the logs paired with a hive
	Notes      []string
	ModTime    time.Time // file-system modification time
	Sys        any       // fs.FileInfo.Sys() of the file, e.g. NTFS record and times
	Err        error     // why the file could not be used; nil when it was
}

// LoadOptions tune Load.
type LoadOptions struct {
	Hive hive.Options
	// Replay, when set, is offered every dirty hive with its logs and
	// returns the bytes to parse instead (transaction-log recovery), with
	// notes for the report. It must not modify its inputs.
	Replay func(primary []byte, logs []NamedData) (data []byte, notes []string, err error)
}

// NamedData is a file's bytes with its display name.
type NamedData struct {
	Name string
	Data []byte
}

// Loaded is one host read into memory.
type Loaded struct {
	Set      *hive.Set
	Files    []File
	Problems []Problem
}

// Load reads, hashes and parses the hives of one host and hashes their logs.
// Files that cannot be used are listed with their error and as problems;
// the rest of the host is still loaded.
func Load(ctx context.Context, src Source, h *Host, opts LoadOptions) *Loaded {
	out := &Loaded{Set: &hive.Set{Host: h.Name, Root: src.display(h.Root)}}
	for _, c := range h.Hives {
		if ctx.Err() != nil {
			out.Problems = append(out.Problems, Problem{Path: c.Display, Message: ctx.Err().Error()})
			return out
		}
		f := File{Path: c.Path, Display: c.Display, Role: "hive", Size: c.Size, User: c.User, Label: c.Label, Kind: hive.KindUnknown.String()}
		data, sum, info, err := readAll(src.FS, c.Path, opts.Hive)
		f.SHA256 = sum
		if info != nil {
			f.ModTime, f.Sys = info.ModTime(), info.Sys()
		}
		if data != nil {
			f.Size = int64(len(data))
		}
		var logData []NamedData
		for _, lf := range c.Logs {
			f.Logs = append(f.Logs, lf.Display)
			lfile := File{Path: lf.Path, Display: lf.Display, Role: "log", Size: lf.Size, Kind: "LOG", User: c.User, Label: c.Label}
			b, lsum, linfo, lerr := readAll(src.FS, lf.Path, opts.Hive)
			lfile.SHA256, lfile.Err = lsum, lerr
			if linfo != nil {
				lfile.ModTime, lfile.Sys = linfo.ModTime(), linfo.Sys()
			}
			if lerr != nil {
				out.Problems = append(out.Problems, Problem{Path: lf.Display, Message: lerr.Error()})
			} else {
				lfile.Size = int64(len(b))
				logData = append(logData, NamedData{Name: lf.Display, Data: b})
			}
			out.Files = append(out.Files, lfile)
		}
		if err != nil {
			f.Err = err
			out.Problems = append(out.Problems, Problem{Path: c.Display, Message: err.Error()})
			out.Files = append(out.Files, f)
			continue
		}
		if bb, err := hive.ParseBaseBlock(data); err == nil {
			f.Dirty = bb.Dirty() || !bb.ChecksumOK()
			f.ChecksumOK = bb.ChecksumOK()
			f.HeaderTime = bb.LastWritten
		}
		parseData := data
		if f.Dirty {
			switch {
			case opts.Replay != nil && len(logData) > 0:
				rec, notes, err := opts.Replay(data, logData)
				f.Notes = append(f.Notes, notes...)
				if err != nil {
					f.Notes = append(f.Notes, "transaction logs not applied: "+err.Error())
				} else if rec != nil {
					parseData = rec
				}
			case len(c.Logs) == 0:
				f.Notes = append(f.Notes, "dirty hive and no transaction logs found: recent changes may be missing")
			default:
				f.Notes = append(f.Notes, "dirty hive scanned as is: its transaction logs were not applied")
			}
		}
		hv, err := hive.Parse(parseData, c.Display, opts.Hive)
		if err != nil {
			f.Err = err
			out.Problems = append(out.Problems, Problem{Path: c.Display, Message: err.Error()})
			out.Files = append(out.Files, f)
			continue
		}
		f.Kind = hv.Kind().String()
		f.Truncated = hv.Truncated
		if hv.Truncated {
			f.Notes = append(f.Notes, "hive is truncated: keys past the end of the file are missing")
		}
		user := c.User
		if user == "" && (hv.Kind() == hive.KindNTUser || hv.Kind() == hive.KindUsrClass) {
			if u, ok := hive.ProfileFromEmbeddedName(hv.Header.FileName); ok {
				user = u
			}
		}
		f.User = user
		out.Set.Add(&hive.Entry{Hive: hv, Path: c.Display, User: user, Label: c.Label, Logs: f.Logs})
		out.Files = append(out.Files, f)
	}
	return out
}

// readAll reads a whole file and hashes it, refusing files above the size
// limit before reading them.
func readAll(fsys fs.FS, p string, o hive.Options) ([]byte, string, fs.FileInfo, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, "", nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, "", nil, err
	}
	max := o.MaxSize
	if max <= 0 {
		max = hive.DefaultMaxSize
	}
	if st.Size() > max {
		return nil, "", st, fmt.Errorf("%d bytes: %w (%d)", st.Size(), hive.ErrTooLarge, max)
	}
	data := make([]byte, 0, st.Size())
	buf := make([]byte, min(1<<20, st.Size()+4096)) // small hives need no 1 MiB buffer
	h := sha256.New()
	for {
		n, err := f.Read(buf)
		if n > 0 {
			if int64(len(data)+n) > max {
				return nil, "", st, fmt.Errorf("grew past %d bytes while reading: %w", max, hive.ErrTooLarge)
			}
			data = append(data, buf[:n]...)
			h.Write(buf[:n])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", st, err
		}
	}
	return data, hex.EncodeToString(h.Sum(nil)), st, nil
}
