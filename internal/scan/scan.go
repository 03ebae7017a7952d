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
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/archive"
	"github.com/hivescan/hivescan/hive/evidence"
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
	// Jobs is how many hosts are scanned at once (runtime.NumCPU() when 0).
	Jobs int
	// Shard, when Count > 1, limits the scan to the hosts this shard owns.
	Shard Shard
	// Progress, when not nil, is told about hosts as they are scanned.
	Progress Progress
	Version  string
	Args     []string
	Now      func() time.Time // clock; time.Now when nil
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
	// Problems that belong to no host are reported by the first shard only.
	general := opts.Shard.Count <= 1 || opts.Shard.Index == 0
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
	for _, p := range opts.Paths {
		srcs, o, err := sources(p, opts.VerifyImages)
		if o == nil {
			o = &opened{}
		}
		all = append(all, o)
		if err != nil {
			if len(srcs) == 0 {
				inputErrs = append(inputErrs, &InputError{Path: p, Err: err})
			}
			if general {
				r.Problems = append(r.Problems, report.Problem{Path: p, Message: err.Error()})
			}
		}
		if general {
			r.Problems = append(r.Problems, o.problems...)
		}
		o.hold() // until every source of p is discovered
		for i, src := range srcs {
			res, err := evidence.Discover(ctx, src, evidence.Options{})
			if err != nil {
				if ctx.Err() != nil {
					finish()
					return r, err
				}
				inputErrs = append(inputErrs, &InputError{Path: p, Err: err})
				if general {
					r.Problems = append(r.Problems, report.Problem{Path: p, Message: err.Error()})
				}
				continue
			}
			if general {
				r.Problems = append(r.Problems, discoveryProblems(res, i == 0 && o.nested)...)
			}
			for _, h := range res.Hosts {
				if opts.Shard.Owns(hostIdentity(src, h)) {
					o.hold()
					jobs = append(jobs, &job{src: src, host: h, owner: o})
				}
			}
		}
		o.release()
	}
	results := runJobs(ctx, jobs, opts)
	for _, res := range results {
		r.Findings = append(r.Findings, res.findings...)
		r.Analyzers = append(r.Analyzers, res.runs...)
		r.Problems = append(r.Problems, res.problems...)
		r.Inputs = append(r.Inputs, res.inputs...)
		if res.host != nil {
			r.Hosts = append(r.Hosts, *res.host)
		}
	}
	finish()
	if err := ctx.Err(); err != nil {
		return r, err
	}
	log.Debug().Int("hosts", len(r.Hosts)).Int("findings", len(r.Findings)).Msg("scan done")
	return r, errors.Join(inputErrs...)
}

// discoveryProblems are what discovery of one source could not use. A
// folder whose hives are all inside archives or images it holds (quietEmpty)
// is not reported as empty.
func discoveryProblems(res *evidence.Result, quietEmpty bool) []report.Problem {
	var out []report.Problem
	for _, p := range res.Problems {
		out = append(out, report.Problem{Path: p.Path, Message: p.Message})
	}
	for _, lf := range res.OrphanLogs {
		out = append(out, report.Problem{Path: lf.Display, Message: "transaction log without its hive beside it: not applied"})
	}
	if len(res.Hosts) == 0 && len(res.Problems) == 0 && !quietEmpty {
		out = append(out, report.Problem{Path: res.Source.Name, Message: "no registry hives found"})
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
	switch hive.Identify(head) {
	case hive.PrimaryHive:
		dir, base := filepath.Split(p)
		if dir == "" {
			dir = "."
		}
		return []evidence.Source{{FS: os.DirFS(dir), Root: ".", Name: p, Paths: []string{base},
			Display: func(string) string { return p }}}, nil, nil
	case hive.LogFile:
		return nil, nil, fmt.Errorf("a transaction log, not a hive: give the hive (or its folder) and hivescan pairs the logs")
	case hive.Win9xRegistry:
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
// over it and returns its part of the report.
func scanHost(ctx context.Context, src evidence.Source, h *evidence.Host, opts Options) hostResult {
	log := zerolog.Ctx(ctx)
	var out hostResult
	lopts := evidence.LoadOptions{Hive: opts.Hive}
	if !opts.NoLogs {
		lopts.Replay = replay
	}
	log.Info().Str("host", h.Name).Int("hives", len(h.Hives)).Msg("reading host")
	loaded := evidence.Load(ctx, src, h, lopts)
	for _, p := range loaded.Problems {
		out.problems = append(out.problems, report.Problem{Host: h.Name, Path: p.Path, Message: p.Message})
	}
	var live []report.Finding
	if opts.Analyzers != nil {
		res := analyzers.Run(ctx, loaded.Set, opts.Analyzers)
		live = res.Findings
		out.findings = append(out.findings, res.Findings...)
		out.runs = append(out.runs, res.Runs...)
		out.problems = append(out.problems, res.Problems...)
	}
	var delNotes map[string][]string
	if !opts.NoDeleted {
		found, problems, notes := scanDeleted(ctx, deletedScope(loaded.Set, opts.Analyzers), opts.Analyzers, live)
		out.findings = append(out.findings, found...)
		out.problems = append(out.problems, problems...)
		delNotes = notes
	}
	for _, f := range loaded.Files {
		in := input(src, h, f)
		in.Notes = append(in.Notes, delNotes[f.Display]...)
		out.inputs = append(out.inputs, in)
		out.bytes += f.Size
	}
	host := describeHost(loaded.Set)
	out.host = &host
	return out
}

func input(src evidence.Source, h *evidence.Host, f evidence.File) report.Input {
	in := report.Input{
		Path:       f.Display,
		Source:     src.Name,
		Kind:       f.Kind,
		Host:       h.Name,
		User:       f.User,
		Label:      f.Label,
		Size:       f.Size,
		SHA256:     f.SHA256,
		HeaderTime: f.HeaderTime,
		Dirty:      f.Dirty,
		ChecksumOK: f.ChecksumOK,
		Logs:       f.Logs,
		Notes:      f.Notes,
		FileTimes:  fileTimes(f),
	}
	if f.Role == "log" {
		in.ChecksumOK = false
		in.Notes = append(in.Notes, "transaction log")
	}
	if f.Err != nil {
		in.Notes = append(in.Notes, "not read: "+f.Err.Error())
	}
	return in
}

// describeHost summarises a host for the report.
func describeHost(set *hive.Set) report.Host {
	h := report.Host{Name: set.Host, Root: set.Root, HiveKinds: []string{}, Users: []report.User{}}
	for _, k := range set.Kinds() {
		h.HiveKinds = append(h.HiveKinds, k.String())
	}
	users := map[string]bool{}
	for _, e := range set.Entries {
		if (e.Kind() == hive.KindNTUser || e.Kind() == hive.KindUsrClass) && e.User != "" && !users[e.User] {
			users[e.User] = true
			h.Users = append(h.Users, report.User{Name: e.User})
		}
	}
	sort.Slice(h.Users, func(i, j int) bool { return h.Users[i].Name < h.Users[j].Name })
	if sys := set.System(); sys != nil {
		sets, _ := sys.ControlSets()
		for _, cs := range sets {
			roles := cs.Roles
			if roles == nil {
				roles = []string{}
			}
			h.ControlSets = append(h.ControlSets, report.ControlSet{Name: cs.Name, Roles: roles})
			if cs.IsCurrent() {
				h.TimeZone = textValue(cs.Key, `Control\TimeZoneInformation`, "TimeZoneKeyName")
			}
		}
	}
	if sw := set.Software(); sw != nil {
		if root, err := sw.Root(); err == nil {
			cv := `Microsoft\Windows NT\CurrentVersion`
			name := textValue(root, cv, "ProductName")
			build := textValue(root, cv, "CurrentBuildNumber")
			if build == "" {
				build = textValue(root, cv, "CurrentBuild")
			}
			h.OS = strings.TrimSpace(strings.Join([]string{name, build}, " "))
		}
	}
	return h
}

func textValue(k *hive.Key, path, name string) string {
	sub, err := k.Key(path)
	if err != nil {
		return ""
	}
	v, err := sub.Value(name)
	if err != nil {
		return ""
	}
	s, _ := v.Text()
	return s
}

// errNotEvidence is returned for files that are neither hives nor images.
var errNotEvidence = errors.New("not a registry hive, transaction log or disk image with an NTFS volume")
