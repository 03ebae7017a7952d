package scan_test

import (
	"cmp"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/hive/image"
	"github.com/hivescan/hivescan/internal/imagetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/internal/scan"
	"github.com/hivescan/hivescan/report"
)

const evidenceDir = "../../testdata/evidence"

// scanPaths runs the full scan with every analyzer and fails t on any error.
func scanPaths(t testing.TB, paths ...string) *report.Report {
	t.Helper()
	r, err := scan.Run(context.Background(), scan.Options{Paths: paths, Analyzers: analyzers.All()})
	if err != nil {
		t.Fatalf("scan %q: %v", paths, err)
	}
	return r
}

// volumeSize is enough NTFS for files, in whole MiB.
func volumeSize(files map[string][]byte) int64 {
	var n int64
	for _, b := range files {
		n += int64(len(b))
	}
	return (n*2>>20 + 8) << 20
}

// parityFinding is a finding without what differs by design between a disk
// image and a loose folder: the host name (the image's "disk.E01 > partition
// 2 (NTFS)" against the folder's name) and the rendering of the hive path.
type parityFinding struct {
	Fingerprint    string // recomputed with the loose scan's host name
	Analyzer       string
	Rule           string
	Severity       report.Severity
	Title          string
	Hive           string // slash path relative to the volume or folder root
	HiveKind       string
	User           string
	Key            string
	Value          *string
	Data           string // JSON
	LastWrite      time.Time
	ControlSet     string
	ControlSetRole []string
	Deleted        bool
}

type parityInput struct {
	Kind, User, Label, SHA256 string
	Size                      int64
	HeaderTime                time.Time
	Dirty, ChecksumOK         bool
}

// side is one scan seen through what must agree with the other.
type side struct {
	findings  []parityFinding
	inputs    map[string]parityInput // by slash path relative to the root
	hosts     []report.Host          // Name and Root cleared
	analyzers []report.AnalyzerRun   // Host cleared
}

// normalize reads r, whose only host is host, rendering hive paths with
// rel and fingerprints with the host name asHost.
func normalize(t *testing.T, r *report.Report, host, asHost string, rel func(string) string) side {
	t.Helper()
	s := side{inputs: map[string]parityInput{}}
	// A host whose SYSTEM hive names the computer is called by that name,
	// with the folder or image beside it.
	for _, h := range r.Hosts {
		if h.ComputerName != "" {
			host = h.ComputerName + " (" + host + ")"
		}
	}
	for _, f := range r.Findings {
		if f.Host != host {
			t.Errorf("finding %s on host %q, want %q", f.Rule, f.Host, host)
		}
		if f.Fingerprint != report.Fingerprint(f) {
			t.Errorf("finding %s: fingerprint %s is not Fingerprint(f) %s", f.Rule, f.Fingerprint, report.Fingerprint(f))
		}
		data, err := json.Marshal(f.Data)
		if err != nil {
			t.Fatal(err)
		}
		g := f
		g.Host = asHost
		s.findings = append(s.findings, parityFinding{
			Fingerprint: report.Fingerprint(g), Analyzer: f.Analyzer, Rule: f.Rule, Severity: f.Severity, Title: f.Title,
			Hive: rel(f.Hive), HiveKind: f.HiveKind, User: f.User, Key: f.Key, Value: f.Value, Data: string(data),
			LastWrite: f.LastWrite, ControlSet: f.ControlSet, ControlSetRole: f.ControlSetRole, Deleted: f.Deleted,
		})
	}
	for _, in := range r.Inputs {
		s.inputs[rel(in.Path)] = parityInput{Kind: in.Kind, User: in.User, Label: in.Label, SHA256: in.SHA256,
			Size: in.Size, HeaderTime: in.HeaderTime, Dirty: in.Dirty, ChecksumOK: in.ChecksumOK}
	}
	for _, h := range r.Hosts {
		if h.Name != host {
			t.Errorf("host %q, want %q", h.Name, host)
		}
		h.Name, h.Root = "", ""
		s.hosts = append(s.hosts, h)
	}
	// Report order breaks ties with the fingerprint, which holds the host.
	slices.SortFunc(s.findings, func(a, b parityFinding) int {
		return cmp.Or(strings.Compare(a.Fingerprint, b.Fingerprint), strings.Compare(a.Hive, b.Hive), strings.Compare(a.Rule, b.Rule))
	})
	for _, a := range r.Analyzers {
		a.Host = ""
		s.analyzers = append(s.analyzers, a)
	}
	return s
}

// TestImageParity scans every sample host from its loose folder and from
// disk images of the same hives in every layout and container: the
// findings, hashes, hosts and analyzer runs must be the same, and files
// read from an image carry their NTFS times.
func TestImageParity(t *testing.T) {
	var withFindings int
	for _, h := range samples.Hosts() {
		t.Run(h.Name, func(t *testing.T) {
			folder := filepath.Join(evidenceDir, h.Name)
			looseReport := scanPaths(t, folder)
			if len(looseReport.Problems) > 0 {
				t.Errorf("problems scanning %s: %+v", folder, looseReport.Problems)
			}
			if len(looseReport.Findings) > 0 {
				withFindings++
			}
			prefix := filepath.ToSlash(folder) + "/"
			loose := normalize(t, looseReport, h.Name, h.Name, func(p string) string {
				return strings.TrimPrefix(filepath.ToSlash(p), prefix)
			})
			if len(loose.inputs) == 0 {
				t.Fatalf("no inputs in %s", folder)
			}

			files, err := h.Build()
			if err != nil {
				t.Fatal(err)
			}
			vol := imagetest.NTFS(t, volumeSize(files), imagetest.Tree{Files: files})
			for _, l := range imagetest.Layouts() {
				disk := l.Place(t, vol)
				for _, c := range imagetest.Containers() {
					t.Run(l.Name+"/"+c.Name, func(t *testing.T) {
						p := c.Convert(t, disk.Path)
						host := filepath.Base(p) + " > " + disk.Volume
						r := scanPaths(t, p)
						if len(r.Problems) > 0 {
							t.Errorf("problems: %+v", r.Problems)
						}
						got := normalize(t, r, host, h.Name, func(p string) string {
							rest, ok := strings.CutPrefix(p, host+` > \`)
							if !ok {
								t.Errorf("path %q not inside %q", p, host)
							}
							return strings.ReplaceAll(rest, `\`, "/")
						})
						if diff := gocmp.Diff(loose, got, gocmp.AllowUnexported(side{})); diff != "" {
							t.Errorf("image differs from the loose folder (-loose +image):\n%s", diff)
						}
						for _, in := range r.Inputs {
							ft := in.FileTimes
							if ft == nil || ft.MFTRecord == 0 || ft.Created.IsZero() || ft.Modified.IsZero() || ft.FNCreated.IsZero() {
								t.Errorf("%s: no NTFS file times: %+v", in.Path, ft)
							}
						}
						checkFormat(t, p, c.Format)
					})
				}
			}
		})
	}
	if withFindings == 0 {
		t.Error("no sample host has findings: the parity is only about inventories")
	}
}

// checkFormat makes sure the image was read as the container it claims to be.
func checkFormat(t *testing.T, p, want string) {
	t.Helper()
	img, err := image.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if img.Format != want {
		t.Errorf("read as %q, want %q", img.Format, want)
	}
}
