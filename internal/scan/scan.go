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
	"strings"
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
	Version      string
	Args         []string
	Now          func() time.Time // clock; time.Now when nil
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
	var inputErrs []error
	for _, p := range opts.Paths {
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
	return imageSources(p, verify)
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
	if len(res.Hosts) == 0 && len(res.Problems) == 0 {
		r.Problems = append(r.Problems, report.Problem{Path: src.Name, Message: "no registry hives found"})
	}
	lopts := evidence.LoadOptions{Hive: opts.Hive}
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
			r.Problems = append(r.Problems, report.Problem{Host: h.Name, Path: p.Path, Message: p.Message})
		}
		var live []report.Finding
		if opts.Analyzers != nil {
			res := analyzers.Run(ctx, loaded.Set, opts.Analyzers)
			live = res.Findings
			r.Findings = append(r.Findings, res.Findings...)
			r.Analyzers = append(r.Analyzers, res.Runs...)
			r.Problems = append(r.Problems, res.Problems...)
		}
		var delNotes map[string][]string
		if !opts.NoDeleted {
			found, problems, notes := scanDeleted(ctx, loaded.Set, opts.Analyzers, live)
			r.Findings = append(r.Findings, found...)
			r.Problems = append(r.Problems, problems...)
			delNotes = notes
		}
		for _, f := range loaded.Files {
			in := input(src, h, f)
			in.Notes = append(in.Notes, delNotes[f.Display]...)
			r.Inputs = append(r.Inputs, in)
		}
		r.Hosts = append(r.Hosts, describeHost(loaded.Set))
	}
	return nil
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
