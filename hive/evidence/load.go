package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/hivescan/hivescan/hive"
)

// File is one evidence file that was read: a hive or a transaction log.
type File struct {
	Path       string // slash path inside Source.FS
	Display    string
	Role       string // "hive", "log" or "text" (win.ini, system.ini)
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
	// KindBy and KindAgainst are the evidence that decided the hive's kind
	// and the evidence that pointed elsewhere (hive.Classification).
	KindBy      []string
	KindAgainst []string
	// Replay is what transaction-log recovery did to a dirty hive; nil for
	// a clean hive and for logs.
	Replay  *Replay
	Notes   []string
	ModTime time.Time // file-system modification time
	Sys     any       // fs.FileInfo.Sys() of the file, e.g. NTFS record and times
	Err     error     // why the file could not be used; nil when it was
}

// Replay records the recovery of a dirty hive from its logs: whether any
// log changed it, and the base block's sequence numbers (primary,
// secondary) before and after.
type Replay struct {
	Applied        bool
	SequenceBefore [2]uint32
	SequenceAfter  [2]uint32 // equal to SequenceBefore when nothing was applied
}

// LoadOptions tune Load.
type LoadOptions struct {
	Hive hive.Options
	// KindOf, when set, may override the kind of the hive at a display
	// path (the user's --kind); it returns hive.KindUnknown to let the
	// evidence decide.
	KindOf func(display string) hive.Kind
	// Replay, when set, is offered every dirty hive with its logs and
	// returns the bytes to parse instead (transaction-log recovery), with
	// notes for the report. work holds primary's bytes and may be
	// modified and returned: for a mapped hive it is a private writable
	// mapping of its file, whose pages are copied only when written; for a
	// hive read into memory it is primary itself, which is not used again
	// once the replay returns data. Replay must leave work unchanged when
	// it returns no data or an error (the primary is parsed then), and
	// must not modify the logs.
	Replay func(primary, work []byte, logs []NamedData) (data []byte, notes []string, err error)
	// MapAbove, when positive, is the size from which a hive that is a
	// file of the operating system (not a member of an archive or a file
	// inside a disk image) is memory-mapped instead of read into memory:
	// the kernel reads its pages as they are used and may drop them again,
	// so a large hive is read through the file. Loaded.Close unmaps it.
	MapAbove int64
	// Spare, when set, holds cores the host may use beside its own
	// goroutine: its hives are then read on several at once when the
	// source allows (Source.Concurrent).
	Spare *semaphore.Weighted
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
	// Mapped counts the hives read through memory-mapped files.
	Mapped int
	// Helpers counts the goroutines that read hives beside the caller's
	// (LoadOptions.Spare).
	Helpers int

	unmap []func() error
}

// Close releases the files Load mapped (LoadOptions.MapAbove). Nothing read
// from the set (hive bytes, value data, keys) may be used afterwards: copy
// what must outlive the host first.
func (l *Loaded) Close() error {
	var errs []error
	for _, u := range l.unmap {
		errs = append(errs, u())
	}
	l.unmap = nil
	return errors.Join(errs...)
}

// Load reads, hashes and parses the hives of one host and hashes their logs.
// Files that cannot be used are listed with their error and as problems;
// the rest of the host is still loaded.
func Load(ctx context.Context, src Source, h *Host, opts LoadOptions) *Loaded {
	out := new(Loaded)
	LoadInto(ctx, src, h, opts, out)
	return out
}

// LoadInto is Load filling out, which holds what was mapped even when a
// fault (see Guard) cuts the load short: Close it either way.
func LoadInto(ctx context.Context, src Source, h *Host, opts LoadOptions, out *Loaded) {
	*out = Loaded{Set: &hive.Set{Host: h.Name, Root: src.display(h.Root)}}
	// The hives are read by parts (see Parts), on helpers when
	// opts.Spare yields cores and the source may be read from several
	// goroutines; each into its own Loaded, merged in their order.
	parts := make([]Loaded, len(h.Hives))
	entries := make([]*hive.Entry, len(h.Hives))
	var spare *semaphore.Weighted
	if src.Concurrent {
		spare = opts.Spare
	}
	skipped := make([]bool, len(h.Hives)) // cancelled before it was read
	ps := StartParts(ctx, len(h.Hives), spare, func(ctx context.Context, i int) {
		if skipped[i] = ctx.Err() != nil; !skipped[i] {
			entries[i] = loadHive(src, h.Hives[i], opts, &parts[i])
		}
	})
	out.Helpers = ps.Helpers
	defer func() {
		// Also after a fault: every part's mappings go to out, for Close.
		ps.Wait()
		for i := range parts {
			out.unmap = append(out.unmap, parts[i].unmap...)
			out.Mapped += parts[i].Mapped
		}
	}()
	for i, c := range h.Hives {
		if ps.Get(i); skipped[i] {
			out.Problems = append(out.Problems, Problem{Path: c.Display, Message: ctx.Err().Error()})
			return
		}
		out.Files = append(out.Files, parts[i].Files...)
		out.Problems = append(out.Problems, parts[i].Problems...)
		if entries[i] != nil {
			out.Set.Add(entries[i])
		}
	}
	for _, t := range h.Texts {
		f := File{Path: t.Path, Display: t.Display, Role: "text", Size: t.Size, Kind: "TEXT"}
		if data, ok := out.readSide(src, &f, hive.Options{MaxSize: maxTextSize}); ok {
			out.Set.Texts = append(out.Set.Texts, hive.Text{Path: t.Display, Name: strings.ToLower(path.Base(t.Path)), Data: data})
		}
	}
	out.Set.Volume = wholeVolume(src, h)
	nameHost(out, h)
	return
}

// loadHive reads, hashes and parses one hive of a host with its logs into
// part (files, problems, mappings), returning its entry, nil when it could
// not be parsed.
func loadHive(src Source, c *Candidate, opts LoadOptions, part *Loaded) *hive.Entry {
	f := File{Path: c.Path, Display: c.Display, Role: "hive", Size: c.Size, User: c.User, Label: c.Label, Kind: hive.KindUnknown.String()}
	data, sum, info, unmap, err := readHive(src.FS, c.Path, opts.Hive, opts.MapAbove)
	if unmap != nil {
		part.unmap = append(part.unmap, unmap)
		part.Mapped++
	}
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
		if b, ok := part.readSide(src, &lfile, opts.Hive); ok {
			logData = append(logData, NamedData{Name: lf.Display, Data: b})
		}
	}
	if err != nil {
		f.Err = err
		part.Problems = append(part.Problems, Problem{Path: c.Display, Message: err.Error()})
		part.Files = append(part.Files, f)
		return nil
	}
	if bb, err := hive.ParseBaseBlock(data); err == nil {
		f.Dirty = bb.Dirty() || !bb.ChecksumOK()
		f.ChecksumOK = bb.ChecksumOK()
		f.HeaderTime = bb.LastWritten
	}
	parseData := data
	if f.Dirty {
		if bb, err := hive.ParseBaseBlock(data); err == nil {
			seq := [2]uint32{bb.PrimarySequence, bb.SecondarySequence}
			f.Replay = &Replay{SequenceBefore: seq, SequenceAfter: seq}
		}
		switch {
		case opts.Replay != nil && len(logData) > 0:
			work, release := workCopy(src.FS, c.Path, data, unmap != nil)
			if release != nil {
				// Released with the host (the hive may be parsed
				// from it), or by Close after a fault in the replay.
				part.unmap = append(part.unmap, release)
			}
			rec, notes, err := opts.Replay(data, work, logData)
			f.Notes = append(f.Notes, notes...)
			if err != nil {
				f.Notes = append(f.Notes, "transaction logs not applied: "+err.Error())
			} else if rec != nil {
				parseData = rec
				if bb, err := hive.ParseBaseBlock(rec); err == nil && f.Replay != nil {
					f.Replay.Applied = true
					f.Replay.SequenceAfter = [2]uint32{bb.PrimarySequence, bb.SecondarySequence}
				}
			}
		case len(c.Logs) == 0:
			f.Notes = append(f.Notes, "dirty hive and no transaction logs found: recent changes may be missing")
		default:
			f.Notes = append(f.Notes, "dirty hive scanned as is: its transaction logs were not applied")
		}
	}
	hopts := opts.Hive
	hopts.Path = c.Display
	if opts.KindOf != nil {
		if k := opts.KindOf(c.Display); k != hive.KindUnknown {
			hopts.Kind = k
		}
	}
	hv, err := hive.Parse(parseData, c.Display, hopts)
	if err != nil {
		// Say what the hive would have been, so that a report shows an
		// unread SOFTWARE as such.
		var name string
		if bb, err := hive.ParseBaseBlock(parseData); err == nil {
			name = bb.FileName
		}
		class := hive.ClassifyUnread(name, c.Display)
		f.Kind, f.KindBy, f.KindAgainst = class.Kind.String(), class.By, class.Against
		f.Err = err
		part.Problems = append(part.Problems, Problem{Path: c.Display, Message: err.Error()})
		part.Files = append(part.Files, f)
		return nil
	}
	f.Kind = hv.Kind().String()
	class := hv.Classification()
	f.KindBy, f.KindAgainst = class.By, class.Against
	f.Truncated = hv.Truncated
	if hv.Truncated {
		f.Notes = append(f.Notes, "hive is truncated: keys past the end of the file are missing")
	}
	user := c.User
	if user == "" && (hv.Kind() == hive.KindNTUser || hv.Kind() == hive.KindUsrClass) {
		if u, ok := hive.ProfileFromEmbeddedName(hv.Header.FileName); ok {
			user = u
		} else {
			user = c.UserHint
		}
	}
	f.User = user
	entry := &hive.Entry{Hive: hv, Path: c.Display, User: user, Label: c.Label, Logs: f.Logs}
	if opts.Replay != nil {
		for _, l := range logData {
			entry.LogData = append(entry.LogData, hive.LogBytes{Path: l.Name, Data: l.Data})
		}
	}
	part.Files = append(part.Files, f)
	return entry
}

// readSide reads and hashes a file that goes with the hives (a transaction
// log, a text file), lists it and reports why it could not be read.
func (out *Loaded) readSide(src Source, f *File, o hive.Options) ([]byte, bool) {
	b, sum, info, err := readAll(src.FS, f.Path, o)
	f.SHA256, f.Err = sum, err
	if info != nil {
		f.ModTime, f.Sys = info.ModTime(), info.Sys()
	}
	if err != nil {
		out.Problems = append(out.Problems, Problem{Path: f.Display, Message: err.Error()})
	} else {
		f.Size = int64(len(b))
	}
	out.Files = append(out.Files, *f)
	return b, err == nil
}

// maxTextSize bounds a text file read for analyzers: Windows' win.ini and
// system.ini are a few hundred bytes.
const maxTextSize = 1 << 20

// nameHost names the host by its computer name (with the folder or image
// name beside it) and gives each user hive its profile's SID, from the
// ProfileList, the service accounts' well-known SIDs, or a UsrClass root
// key ("S-1-5-21-..._Classes").
func nameHost(out *Loaded, h *Host) {
	info := out.Set.Info()
	for _, err := range info.Errs {
		out.Problems = append(out.Problems, Problem{Path: out.Set.Root, Message: "host information: " + err.Error()})
	}
	if cn := info.ComputerName; cn != "" {
		base := strings.TrimSuffix(h.Name, " ("+h.Label+")")
		if h.Label != "" {
			out.Set.Host = cn + " (" + base + ", " + h.Label + ")"
		} else {
			out.Set.Host = cn + " (" + base + ")"
		}
	}
	// A UsrClass.dat copied beside one NTUSER.DAT without its profile
	// folder (a flat collection) is that user's.
	users := map[string][]string{} // folder -> users of the NTUSER hives in it
	for _, e := range out.Set.Users() {
		users[folderOf(e.Path)] = append(users[folderOf(e.Path)], e.User)
	}
	for _, e := range out.Set.UserClasses() {
		if u := users[folderOf(e.Path)]; e.User == "" && len(u) == 1 {
			e.User = u[0]
			for i := range out.Files {
				if out.Files[i].Display == e.Path && out.Files[i].Role == "hive" {
					out.Files[i].User = u[0]
				}
			}
		}
	}
	classesSID := map[string]string{} // user -> SID from its UsrClass root
	for _, e := range out.Set.UserClasses() {
		if sid, ok := hive.ClassesSID(e.Hive); ok && e.User != "" {
			classesSID[strings.ToLower(e.User)] = sid
		}
	}
	for _, e := range out.Set.Entries {
		if e.User == "" || (e.Kind() != hive.KindNTUser && e.Kind() != hive.KindUsrClass) {
			continue
		}
		if sid, ok := info.SIDFor(e.User); ok {
			e.SID = sid
		} else if sid, ok := classesSID[strings.ToLower(e.User)]; ok {
			e.SID = sid
		}
	}
}

// readHive reads and hashes a hive like readAll, or maps it when it is an
// operating-system file of at least mapAbove bytes (mapAbove > 0); unmap is
// then the function that releases the mapping.
func readHive(fsys fs.FS, p string, o hive.Options, mapAbove int64) (data []byte, sum string, info fs.FileInfo, unmap func() error, err error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, "", nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, "", nil, nil, err
	}
	if of, ok := f.(*os.File); ok && canMap && mapAbove > 0 && st.Mode().IsRegular() && st.Size() >= mapAbove && st.Size() <= maxOf(o) {
		if b, unmap, err := mapFile(of, st.Size()); err == nil {
			sum := sha256.Sum256(b)
			return b, hex.EncodeToString(sum[:]), st, unmap, nil
		}
		// A file the system would not map (a special file system) is
		// read like any other.
	}
	data, sum, err = readOpen(f, st, o)
	return data, sum, st, nil, err
}

// workCopy returns the bytes of a hive that log replay may write: for a
// mapped hive a private writable mapping of its file (release unmaps it),
// whose pages are copied only when written; for a hive read into memory
// data itself (release nil), which only the replay uses once it has been
// read and hashed: copying it would cost as much again in fresh pages.
func workCopy(fsys fs.FS, p string, data []byte, mapped bool) (work []byte, release func() error) {
	if !mapped {
		return data, nil
	}
	if f, err := fsys.Open(p); err == nil {
		defer f.Close()
		if of, ok := f.(*os.File); ok {
			if b, unmap, err := mapCopy(of, int64(len(data))); err == nil {
				return b, unmap
			}
		}
	}
	// The file could not be mapped again, and data's mapping is read-only.
	return slices.Clone(data), nil
}

// maxOf is the largest file o accepts.
func maxOf(o hive.Options) int64 {
	if o.MaxSize > 0 {
		return o.MaxSize
	}
	return hive.DefaultMaxSize
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
	data, sum, err := readOpen(f, st, o)
	return data, sum, st, err
}

// readOpen is readAll for an open file whose Stat gave st.
func readOpen(f fs.File, st fs.FileInfo, o hive.Options) ([]byte, string, error) {
	max := maxOf(o)
	if st.Size() > max {
		return nil, "", fmt.Errorf("%d bytes: %w (%d)", st.Size(), hive.ErrTooLarge, max)
	}
	// Read straight into a buffer of the stated size; a file that shrank
	// while being read is what was read, one that grew is read on, up to
	// the limit.
	data := make([]byte, st.Size())
	n, err := io.ReadFull(f, data)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		data = data[:n]
	case err != nil:
		return nil, "", err
	default:
		var more [4096]byte
		for {
			m, err := f.Read(more[:])
			if m > 0 {
				if int64(len(data)+m) > max {
					return nil, "", fmt.Errorf("grew past %d bytes while reading: %w", max, hive.ErrTooLarge)
				}
				data = append(data, more[:m]...)
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, "", err
			}
		}
	}
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:]), nil
}

// folderOf returns the folder part of a display path (either separator).
func folderOf(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[:i]
	}
	return ""
}
