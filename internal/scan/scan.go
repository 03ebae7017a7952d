// Package scan runs hivescan's main job: find the hives in evidence, read
// them host by host, run the analyzers and assemble the report. The CLI is a
// thin layer over it.
package scan

import (
	"bytes"
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
	"golang.org/x/sync/semaphore"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/targets"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/archive"
	"github.com/hivescan/hivescan/hive/evidence"
	"github.com/hivescan/hivescan/hive/image/ntfsfs"
	"github.com/hivescan/hivescan/internal/allow"
	"github.com/hivescan/hivescan/report"
)

// Options configure a scan.
type Options struct {
	Paths     []string              // evidence: hive files, folders, disk images
	Analyzers []*analyzers.Analyzer // nil: no analysis (inventory only)
	Hive      hive.Options
	NoLogs    bool // do not apply transaction logs
	NoDeleted bool // do not recover deleted keys and values
	// NoTargets leaves the files findings name unlooked-up on the host's
	// volume (targets.Attach).
	NoTargets bool
	// VerifyImages reads every disk image whole to check the hash its
	// container stores (EWF MD5); otherwise images are reported unverified.
	VerifyImages bool
	// Kinds override the kind of the hives at these paths (--kind).
	Kinds []KindOverride
	// Jobs is how many hosts are scanned at once (runtime.NumCPU() when 0).
	Jobs int
	// Memory bounds what the hosts being scanned at once may hold, as
	// estimated from the sizes of their hives and logs (hostCost): a host
	// waits until it fits, and one larger than the whole budget is scanned
	// alone. 0 is DefaultMemory().
	Memory int64
	// MapAbove is the size from which a hive that is an operating-system
	// file is read through a memory mapping instead of into memory
	// (DefaultMapAbove when 0, never when negative).
	MapAbove int64
	// Shard, when Count > 1, limits the scan to the hosts this shard owns.
	Shard Shard
	// Progress, when not nil, is told about hosts as they are scanned.
	Progress Progress
	// Allow, when not nil, suppresses the findings its live entries match
	// (scan --allow); ShowSuppressed keeps them in the report, marked.
	// Expired entries are problems.
	Allow          *allow.List
	ShowSuppressed bool
	Version        string
	Args           []string
	Now            func() time.Time // clock; time.Now when nil

	ov *overrides
	// spare holds the cores (Jobs) no worker scans a host on, for a
	// host's own helpers (startRecovery); runJobs sets it.
	spare *semaphore.Weighted
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
//
// Hosts are scanned Options.Jobs at a time, each read, analysed and dropped
// by one worker, so that memory holds at most that many hosts' hives; the
// report is the same for any number of jobs.
func Run(ctx context.Context, opts Options) (*report.Report, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	log := zerolog.Ctx(ctx)
	r := &report.Report{ToolVersion: opts.Version, Args: opts.Args, Started: now().UTC()}
	opts.ov = newOverrides(opts.Kinds)
	// Problems that belong to no host are reported by the first shard only.
	general := opts.Shard.Count <= 1 || opts.Shard.Index == 0
	problem := func(p report.Problem) {
		if general {
			r.Problems = append(r.Problems, p)
		}
	}
	var inputErrs []error
	var jobs []*job
	var all []*opened
	finish := func() {
		for _, o := range all {
			o.close()
		}
		for _, o := range all {
			r.Images = append(r.Images, o.descs...)
		}
		r.Finished = now().UTC()
		r.Finalize()
	}
	// discover finds the hosts of src and queues those of this shard; a
	// source with nothing in it is errNoHives unless quietEmpty.
	discover := func(src evidence.Source, o *opened, quietEmpty bool) error {
		res, err := evidence.Discover(ctx, src, evidence.Options{})
		if err != nil {
			return err
		}
		for _, p := range discoveryProblems(res) {
			problem(p)
		}
		if len(res.Hosts) == 0 && len(res.Problems) == 0 && len(res.OrphanLogs) == 0 && !quietEmpty {
			return errNoHives
		}
		for _, h := range res.Hosts {
			if opts.Shard.Owns(hostIdentity(src, h)) {
				o.hold()
				jobs = append(jobs, &job{src: src, host: h, owner: o})
			}
		}
		return nil
	}
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
			problem(p)
		}
		o := &opened{}
		all = append(all, o)
		o.hold()
		for _, src := range srcs {
			if err := discover(src, o, false); err != nil {
				if ctx.Err() != nil {
					finish()
					return r, err
				}
				inputErrs = append(inputErrs, &InputError{Path: src.Name, Err: err})
				problem(report.Problem{Path: src.Name, Message: err.Error()})
			}
		}
		o.release()
	}
	for _, p := range rest {
		srcs, o, err := sources(p, opts.VerifyImages)
		if o == nil {
			o = &opened{}
		}
		all = append(all, o)
		if err != nil {
			if len(srcs) == 0 {
				inputErrs = append(inputErrs, &InputError{Path: p, Err: err})
			}
			problem(report.Problem{Path: p, Message: err.Error()})
		}
		for _, pr := range o.problems {
			problem(pr)
		}
		o.hold() // until every source of p is discovered
		for i, src := range srcs {
			if err := discover(src, o, i == 0 && o.nested); err != nil {
				if ctx.Err() != nil {
					finish()
					return r, err
				}
				if o.nested && errors.Is(err, errNoHives) {
					// An archive or image inside the folder: the folder is
					// usable, that part of it held nothing.
					problem(report.Problem{Path: src.Name, Message: err.Error()})
					continue
				}
				inputErrs = append(inputErrs, &InputError{Path: p, Err: err})
				problem(report.Problem{Path: p, Message: err.Error()})
			}
		}
		o.release()
	}
	for _, res := range runJobs(ctx, jobs, opts) {
		r.Findings = append(r.Findings, res.findings...)
		r.Analyzers = append(r.Analyzers, res.runs...)
		r.Problems = append(r.Problems, res.problems...)
		r.Inputs = append(r.Inputs, res.inputs...)
		if res.host != nil {
			r.Hosts = append(r.Hosts, *res.host)
		}
	}
	for _, p := range opts.ov.unused() {
		problem(p)
	}
	finish()
	if opts.Allow != nil {
		for _, p := range opts.Allow.Apply(r, now(), opts.ShowSuppressed) {
			problem(p)
		}
		r.Finalize()
		if opts.Shard.Count <= 1 {
			for _, a := range r.Allow {
				if a.Stale() {
					log.Warn().Str("entry", a.Where).Msg("allowlist entry matched no finding: stale, or no longer matching what it was written for")
				}
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return r, err
	}
	log.Debug().Int("hosts", len(r.Hosts)).Int("findings", len(r.Findings)).Msg("scan done")
	return r, errors.Join(inputErrs...)
}

// discoveryProblems are what discovery of one source could not use.
func discoveryProblems(res *evidence.Result) []report.Problem {
	var out []report.Problem
	for _, p := range res.Problems {
		out = append(out, report.Problem{Path: p.Path, Message: p.Message})
	}
	for _, lf := range res.OrphanLogs {
		out = append(out, report.Problem{Path: lf.Display, Message: "transaction log without its hive beside it: not applied"})
	}
	return out
}

// sources turns one command-line path into evidence sources.
// For a disk image or archive it also returns what to close (and report)
// once the sources are scanned; for a folder, the archives and disk images
// inside it are sources too.
func sources(p string, verify bool) ([]evidence.Source, *opened, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, err
	}
	if st.IsDir() {
		return dirSources(p, verify)
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
	if archive.Identify(head) != "" {
		srcs, o, err := archiveSources(p)
		if !errors.Is(err, archive.ErrNotArchive) {
			return srcs, o, err
		}
	}
	srcs, img, err := imageSources(p, verify)
	if img == nil {
		return srcs, nil, err
	}
	return srcs, &opened{images: []*openImage{img}}, err
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

// scanHost reads one host, runs the analyzers and deleted-record recovery
// over it and returns its part of the report. Its hives are released when
// it returns: what the result keeps of them is copied first.
func scanHost(ctx context.Context, src evidence.Source, h *evidence.Host, opts Options) hostResult {
	log := zerolog.Ctx(ctx)
	lopts := evidence.LoadOptions{Hive: opts.Hive, KindOf: opts.ov.kindOf, MapAbove: opts.mapAbove(), Spare: opts.spare}
	if !opts.NoLogs {
		lopts.Replay = replay
	}
	log.Info().Str("host", h.Name).Int("hives", len(h.Hives)).Msg("reading host")
	var out hostResult
	loaded := new(evidence.Loaded) // holds the mappings even when a fault cuts the load short
	loadDone := false
	var rec *recovery
	err := evidence.Guard(func() {
		evidence.LoadInto(ctx, src, h, lopts, loaded)
		loadDone = true
		if !opts.NoDeleted {
			// Recovered beside the live analysis when a core is spare.
			rec = startRecovery(ctx, deletedScope(loaded.Set, opts.Analyzers), opts.spare)
		}
		out = analyseHost(ctx, src, h, loaded, opts, rec)
	})
	if rec != nil {
		rec.stop() // its helpers read the hives: done before they are released
	}
	if loaded.Helpers > 0 {
		log.Debug().Str("host", h.Name).Int("helpers", loaded.Helpers).Msg("hives read beside each other")
	}
	if err != nil {
		// A mapped hive changed under the scan: what was found before the
		// fault is lost with the host's state, the inputs are still listed.
		desc := report.Host{Name: h.Name, Root: h.Root, HiveKinds: []string{}, Users: []report.User{}}
		var files []evidence.File
		if loadDone {
			desc.Name, desc.Root, files = loaded.Set.Host, loaded.Set.Root, loaded.Files
			// What the host's description needs was mostly read before
			// the fault; a fault here leaves the plain description.
			_ = evidence.Guard(func() { desc = describeHost(loaded.Set) })
		} else {
			for _, c := range h.Hives {
				files = append(files, evidence.File{Path: c.Path, Display: c.Display, Role: "hive", Size: c.Size, Kind: hive.KindUnknown.String(), Err: err})
			}
		}
		name := desc.Name
		out = hostResult{host: &desc, problems: []report.Problem{{Host: name, Message: "host not scanned to the end, its findings are left out: " + err.Error()}}}
		for _, f := range files {
			out.inputs = append(out.inputs, input(src, h, name, f))
			out.bytes += f.Size
		}
		log.Error().Err(err).Str("host", name).Msg("host not scanned to the end")
	}
	if loaded.Mapped > 0 {
		detach(out.findings)
		log.Debug().Str("host", h.Name).Int("mapped", loaded.Mapped).Msg("hives read through mapped files")
	}
	if err := loaded.Close(); err != nil {
		log.Warn().Err(err).Str("host", h.Name).Msg("releasing mapped hives")
	}
	return out
}

// detach copies the binary data of findings, which may point into a mapped
// hive that is about to be released.
func detach(fs []report.Finding) {
	for i := range fs {
		if b, ok := fs[i].Data.([]byte); ok {
			fs[i].Data = bytes.Clone(b)
		}
	}
}

// analyseHost runs the analyzers over a loaded host and takes the
// deleted records from rec (startRecovery; nil with Options.NoDeleted),
// which the caller stops before the host's mappings are released.
func analyseHost(ctx context.Context, src evidence.Source, h *evidence.Host, loaded *evidence.Loaded, opts Options, rec *recovery) hostResult {
	var out hostResult
	for _, p := range loaded.Problems {
		out.problems = append(out.problems, report.Problem{Host: loaded.Set.Host, Path: p.Path, Message: p.Message})
	}
	var live []report.Finding
	var runs []report.AnalyzerRun
	var host *analysis.Host
	if opts.Analyzers != nil {
		res := analyzers.Run(ctx, loaded.Set, opts.Analyzers)
		live, runs, host = res.Findings, res.Runs, res.Host
		out.findings = append(out.findings, res.Findings...)
		out.runs = append(out.runs, res.Runs...)
		out.problems = append(out.problems, res.Problems...)
	}
	out.problems = append(out.problems, unclassified(loaded, runs, needsOf(opts.Analyzers))...)
	out.problems = append(out.problems, crowded(loaded)...)
	var delNotes map[string][]string
	if !opts.NoDeleted {
		found, problems, notes := scanDeleted(ctx, rec, opts.Analyzers, live)
		out.findings = append(out.findings, found...)
		out.problems = append(out.problems, problems...)
		delNotes = notes
	}
	if opts.Analyzers != nil && !opts.NoTargets && loaded.Set.Volume != nil {
		found, problems := targets.Attach(ctx, host, loaded.Set, out.findings)
		out.findings = targets.Link(append(out.findings, found...))
		out.problems = append(out.problems, problems...)
	}
	for _, f := range loaded.Files {
		in := input(src, h, loaded.Set.Host, f)
		in.Notes = append(in.Notes, delNotes[f.Display]...)
		out.inputs = append(out.inputs, in)
		out.bytes += f.Size
	}
	desc := describeHost(loaded.Set)
	out.host = &desc
	return out
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
	if f.Role == "text" {
		in.Dirty, in.ChecksumOK = false, false
		in.Notes = append(in.Notes, "text file of the Windows folder, read for its legacy autostart lines (analyzer inifiles)")
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
var errNoHives = errors.New("no registry hives found (hives are found by their regf signature, in folders, archives and disk images)")

// errNotEvidence is returned for files that are neither hives nor images.
var errNotEvidence = errors.New("not a registry hive, transaction log or disk image with an NTFS volume")
