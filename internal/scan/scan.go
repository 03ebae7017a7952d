// Package scan runs hivescan's main job: find the hives in evidence, read
// them host by host, run the analyzers and assemble the report. The CLI is a
// thin layer over it.
package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/rs/zerolog"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/evidence"
	"github.com/hivescan/hivescan/hive/image/ntfsfs"
	"github.com/hivescan/hivescan/report"
)

// Options configure a scan.
type Options struct {
	Paths     []string              // evidence: hive files, folders, disk images
	Analyzers []*analyzers.Analyzer // nil: no analysis (inventory only)
	Hive      hive.Options
	NoLogs    bool // do not apply transaction logs
	NoDeleted bool // do not recover deleted keys and values
	// VerifyImages reads every disk image whole to check the hash its
	// container stores (EWF MD5); otherwise images are reported unverified.
	VerifyImages bool
	// Kinds override the kind of the hives at these paths (--kind).
	Kinds   []KindOverride
	Version string
	Args    []string
	Now     func() time.Time // clock; time.Now when nil

	ov *overrides
}

// InputError is returned when an evidence path cannot be used at all (it does
// not exist, or is of no format hivescan reads). The CLI maps it to exit 2.
type InputError struct {
	Path string
	Err  error
}

func (e *InputError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Run scans the evidence and returns the report. The error is an
// *InputError when an evidence path is unusable; the report then still holds
// whatever the other paths gave.
func Run(ctx context.Context, opts Options) (*report.Report, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	log := zerolog.Ctx(ctx)
	r := &report.Report{ToolVersion: opts.Version, Args: opts.Args, Started: now().UTC()}
	opts.ov = newOverrides(opts.Kinds)
	var inputErrs []error
	// Hive and log files named one by one are read together, folder by
	// folder, so that logs pair with their hive however they were given.
	var loose []looseFile
	var rest []string
	for _, p := range opts.Paths {
		if k, ok := looseKind(p); ok {
			loose = append(loose, looseFile{arg: p, kind: k})
		} else {
			rest = append(rest, p)
		}
	}
	if len(loose) > 0 {
		srcs, problems := looseSources(loose)
		for _, p := range problems {
			inputErrs = append(inputErrs, &InputError{Path: p.Path, Err: errors.New(p.Message)})
		}
		r.Problems = append(r.Problems, problems...)
		for _, src := range srcs {
			if err := scanSource(ctx, src, opts, r); err != nil {
				if ctx.Err() != nil {
					r.Finished = now().UTC()
					r.Finalize()
					return r, err
				}
				inputErrs = append(inputErrs, &InputError{Path: src.Name, Err: err})
				r.Problems = append(r.Problems, report.Problem{Path: src.Name, Message: err.Error()})
			}
		}
	}
	for _, p := range rest {
		srcs, img, err := sources(p, opts.VerifyImages)
		if err != nil {
			if len(srcs) == 0 {
				inputErrs = append(inputErrs, &InputError{Path: p, Err: err})
			}
			r.Problems = append(r.Problems, report.Problem{Path: p, Message: err.Error()})
		}
		for _, src := range srcs {
			if err := scanSource(ctx, src, opts, r); err != nil {
				if ctx.Err() != nil {
					if img != nil {
						img.Close()
						r.Images = append(r.Images, img.desc)
					}
					r.Finished = now().UTC()
					r.Finalize()
					return r, err
				}
				inputErrs = append(inputErrs, &InputError{Path: p, Err: err})
				r.Problems = append(r.Problems, report.Problem{Path: p, Message: err.Error()})
			}
		}
		if img != nil {
			img.Close()
			r.Images = append(r.Images, img.desc)
		}
	}
	r.Problems = append(r.Problems, opts.ov.unused()...)
	r.Finished = now().UTC()
	r.Finalize()
	log.Debug().Int("hosts", len(r.Hosts)).Int("findings", len(r.Findings)).Msg("scan done")
	return r, errors.Join(inputErrs...)
}

// sources turns one command-line path into evidence sources.
// For a disk image it also returns the open image, to close (and report)
// once the sources are scanned.
func sources(p string, verify bool) ([]evidence.Source, *openImage, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, err
	}
	if st.IsDir() {
		return []evidence.Source{{FS: os.DirFS(p), Root: ".", Name: p, Display: joinDisplay(p)}}, nil, nil
	}
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("not a regular file or folder")
	}
	head, err := readHead(p)
	if err != nil {
		return nil, nil, err
	}
	if hive.Identify(head) == hive.Win9xRegistry {
		return nil, nil, hive.ErrWin9x
	}
	return imageSources(p, verify)
}

// looseKind reports whether p is a regular file holding a hive or a
// transaction log, read one by one rather than as a folder or an image.
func looseKind(p string) (hive.FileKind, bool) {
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		return hive.NotRegistry, false
	}
	head, err := readHead(p)
	if err != nil {
		return hive.NotRegistry, false
	}
	switch k := hive.Identify(head); k {
	case hive.PrimaryHive, hive.LogFile:
		return k, true
	}
	return hive.NotRegistry, false
}

func joinDisplay(root string) func(string) string {
	return func(p string) string {
		if p == "." || p == "" {
			return root
		}
		return filepath.Join(root, filepath.FromSlash(p))
	}
}

func readHead(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return head[:n], nil
}

// scanSource discovers the hosts of one source and scans them one at a
// time, so that memory holds one host's hives at once.
func scanSource(ctx context.Context, src evidence.Source, opts Options, r *report.Report) error {
	log := zerolog.Ctx(ctx)
	res, err := evidence.Discover(ctx, src, evidence.Options{})
	if err != nil {
		return err
	}
	for _, p := range res.Problems {
		r.Problems = append(r.Problems, report.Problem{Path: p.Path, Message: p.Message})
	}
	for _, lf := range res.OrphanLogs {
		r.Problems = append(r.Problems, report.Problem{Path: lf.Display, Message: "transaction log without its hive beside it: not applied"})
	}
	if len(res.Hosts) == 0 && len(res.Problems) == 0 && len(res.OrphanLogs) == 0 {
		return errNoHives
	}
	lopts := evidence.LoadOptions{Hive: opts.Hive, KindOf: opts.ov.kindOf}
	if !opts.NoLogs {
		lopts.Replay = replay
	}
	for _, h := range res.Hosts {
		if err := ctx.Err(); err != nil {
			return err
		}
		log.Info().Str("host", h.Name).Int("hives", len(h.Hives)).Msg("reading host")
		loaded := evidence.Load(ctx, src, h, lopts)
		for _, p := range loaded.Problems {
			r.Problems = append(r.Problems, report.Problem{Host: loaded.Set.Host, Path: p.Path, Message: p.Message})
		}
		var live []report.Finding
		var runs []report.AnalyzerRun
		if opts.Analyzers != nil {
			res := analyzers.Run(ctx, loaded.Set, opts.Analyzers)
			live, runs = res.Findings, res.Runs
			r.Findings = append(r.Findings, res.Findings...)
			r.Analyzers = append(r.Analyzers, res.Runs...)
			r.Problems = append(r.Problems, res.Problems...)
		}
		r.Problems = append(r.Problems, unclassified(loaded, runs, needsOf(opts.Analyzers))...)
		var delNotes map[string][]string
		if !opts.NoDeleted {
			found, problems, notes := scanDeleted(ctx, loaded.Set, opts.Analyzers, live)
			r.Findings = append(r.Findings, found...)
			r.Problems = append(r.Problems, problems...)
			delNotes = notes
		}
		for _, f := range loaded.Files {
			in := input(src, h, loaded.Set.Host, f)
			in.Notes = append(in.Notes, delNotes[f.Display]...)
			r.Inputs = append(r.Inputs, in)
		}
		r.Hosts = append(r.Hosts, describeHost(loaded.Set))
	}
	return nil
}

func replayOf(r *evidence.Replay) *report.Replay {
	if r == nil {
		return nil
	}
	return &report.Replay{Applied: r.Applied, SequenceBefore: r.SequenceBefore, SequenceAfter: r.SequenceAfter}
}

// needsOf maps analyzer names to the hive kinds they need.
func needsOf(list []*analyzers.Analyzer) map[string][]hive.Kind {
	m := make(map[string][]hive.Kind, len(list))
	for _, a := range list {
		m[a.Name] = a.Needs
	}
	return m
}

func input(src evidence.Source, h *evidence.Host, host string, f evidence.File) report.Input {
	in := report.Input{
		Path:       f.Display,
		Source:     src.Name,
		Kind:       f.Kind,
		KindBy:     f.KindBy,
		KindDoubts: f.KindAgainst,
		Host:       host,
		User:       f.User,
		Label:      f.Label,
		Size:       f.Size,
		SHA256:     f.SHA256,
		HeaderTime: f.HeaderTime,
		Dirty:      f.Dirty,
		ChecksumOK: f.ChecksumOK,
		Logs:       f.Logs,
		Replay:     replayOf(f.Replay),
		Notes:      f.Notes,
		FileTimes:  fileTimes(f),
	}
	// The state says what is known. A file refused or unreadable before its
	// contents were read has no hash and no base block to judge; one read but
	// not parsed has a hash, and its base block fields say something only
	// when the base block itself was parsed (a bad checksum makes it dirty).
	switch {
	case f.Err != nil && f.SHA256 == "":
		in.State = report.InputNotRead
		in.Dirty, in.ChecksumOK = false, false
		in.Notes = append(in.Notes, "not read: "+f.Err.Error())
	case f.Err != nil:
		in.State = report.InputNotParsed
		in.Notes = append(in.Notes, "not parsed: "+f.Err.Error())
	default:
		in.State = report.InputRead
	}
	if f.Role == "log" {
		// Load hashes a log without looking at its base block: read it
		// here, so that checksum_ok says what is true. A log without a
		// readable base block (an old-format .LOG) is not-parsed, and
		// then the report claims nothing about its checksum.
		in.Dirty, in.ChecksumOK = false, false
		if in.State == report.InputRead {
			bb, err := logBaseBlock(src, f.Path)
			if err != nil {
				in.State = report.InputNotParsed
				in.Notes = append(in.Notes, "base block not readable: "+err.Error())
			} else {
				in.Dirty, in.ChecksumOK, in.HeaderTime = bb.Dirty(), bb.ChecksumOK(), bb.LastWritten
			}
		}
		in.Notes = append(in.Notes, "transaction log")
	}
	if rec, ok := f.Sys.(*ntfsfs.Record); ok && rec != nil {
		for _, o := range rec.OddNames {
			in.Notes = append(in.Notes, fmt.Sprintf("path holds a name Windows cannot open: %s is really named %s (MFT record %d): %s", o.Path, strconv.Quote(o.Raw), o.Record, o.Reason))
		}
	}
	for _, c := range h.Hives {
		switch {
		case c.Path == f.Path && c.Link != "":
			in.Notes = append(in.Notes, "symbolic link to "+c.Link+" (inside the evidence folder): read through the link")
		case c.Path != f.Path:
			for _, lf := range c.Logs {
				if lf.Path == f.Path && lf.Link != "" {
					in.Notes = append(in.Notes, "symbolic link to "+lf.Link+" (inside the evidence folder): read through the link")
				}
			}
		}
	}
	return in
}

// logBaseBlock reads the base block of the transaction log p of src.
func logBaseBlock(src evidence.Source, p string) (hive.BaseBlock, error) {
	f, err := src.FS.Open(p)
	if err != nil {
		return hive.BaseBlock{}, err
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return hive.BaseBlock{}, err
	}
	return hive.ParseBaseBlock(head[:n])
}

// describeHost summarises a host for the report.
func describeHost(set *hive.Set) report.Host {
	info := set.Info()
	h := report.Host{Name: set.Host, Root: set.Root, HiveKinds: []string{}, Users: []report.User{},
		ComputerName: info.ComputerName, OS: info.OS(), Edition: info.EditionID, Build: info.Build,
		InstallDate: report.FormatTime(info.InstallDate), ShutdownTime: report.FormatTime(info.ShutdownTime), TimeZone: info.TimeZone}
	for _, k := range set.Kinds() {
		h.HiveKinds = append(h.HiveKinds, k.String())
	}
	users := map[string]int{}
	for _, e := range set.Entries {
		if (e.Kind() != hive.KindNTUser && e.Kind() != hive.KindUsrClass) || e.User == "" {
			continue
		}
		i, ok := users[e.User]
		if !ok {
			i = len(h.Users)
			users[e.User] = i
			h.Users = append(h.Users, report.User{Name: e.User})
		}
		if h.Users[i].SID == "" {
			h.Users[i].SID = e.SID
		}
	}
	for i, u := range h.Users {
		for _, p := range info.Profiles {
			if p.SID == u.SID {
				h.Users[i].Profile = p.Path
			}
		}
	}
	sort.Slice(h.Users, func(i, j int) bool { return h.Users[i].Name < h.Users[j].Name })
	if sys := set.System(); sys != nil {
		sets, _ := sys.ControlSets() // a damaged Select is reported by the analyzers that need it
		for _, cs := range sets {
			roles := cs.Roles
			if roles == nil {
				roles = []string{}
			}
			h.ControlSets = append(h.ControlSets, report.ControlSet{Name: cs.Name, Roles: roles})
		}
	}
	return h
}

// errNoHives is returned for evidence that holds no registry hive.
var errNoHives = errors.New("no registry hives found (hives are found by their regf signature; for a folder of disk images, give the images themselves)")

// errNotEvidence is returned for files that are neither hives nor images.
var errNotEvidence = errors.New("not a registry hive, transaction log or disk image with an NTFS volume")
