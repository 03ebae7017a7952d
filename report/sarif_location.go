package report

import (
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// registryPath is RegistryPath for a finding; sid is its user's SID when
// known.
func registryPath(f Finding, sid string) string {
	return RegistryPath(f.HiveKind, sid, f.User, strings.Trim(f.Key, `\`))
}

func cmpOr(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// userSIDs maps host and profile name to the profile's SID.
func userSIDs(r *Report) map[[2]string]string {
	m := map[[2]string]string{}
	for _, h := range r.Hosts {
		for _, u := range h.Users {
			if u.SID != "" {
				m[[2]string{h.Name, u.Name}] = u.SID
			}
		}
	}
	return m
}

// evidenceRoots gives every Input.Source of r a SARIF uriBaseId: EVIDENCE
// when there is one source, EVIDENCE1, EVIDENCE2, ... in sorted order
// otherwise.
func evidenceRoots(r *Report) map[string]string {
	var sources []string
	seen := map[string]bool{}
	for _, in := range r.Inputs {
		if !seen[in.Source] {
			seen[in.Source] = true
			sources = append(sources, in.Source)
		}
	}
	slices.Sort(sources)
	ids := map[string]string{}
	for i, s := range sources {
		if len(sources) == 1 {
			ids[s] = "EVIDENCE"
		} else {
			ids[s] = "EVIDENCE" + strconv.Itoa(i+1)
		}
	}
	return ids
}

// relativeURI returns p relative to the evidence root it was found under,
// as a URI reference with /-separated, percent-encoded segments.
func relativeURI(p, source string) string {
	p = filepath.ToSlash(p)
	if source != "" {
		src := strings.TrimSuffix(filepath.ToSlash(source), "/")
		if rest, ok := strings.CutPrefix(p, src+"/"); ok {
			p = rest
		}
	}
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// rootURI returns an absolute file URI for an evidence root given on the
// command line, ending in a slash, or "" when the root is relative (its
// meaning depends on the working directory of the run).
func rootURI(source string) string {
	if !filepath.IsAbs(source) {
		return ""
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(source)}
	s := u.String()
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s
}
