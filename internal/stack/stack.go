// Package stack counts the autostart inventory of many hosts: every finding
// of every host grouped by where it is (hive kind and key), its value and
// its data, with paths normalised so that the same entry on two machines
// falls into one group, sorted by how few hosts have it. What only one or
// two hosts of a fleet run is where to look first (least frequency of
// occurrence).
package stack

import (
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hivescan/hivescan/report"
)

// Entry is one group: the same location, value and data on Hosts.
type Entry struct {
	Location string          `json:"location"` // hive kind and key, normalised: "SYSTEM\controlset\services\foo"
	Value    string          `json:"value"`    // value name, lower-case; "(key)" for findings about the key
	Data     string          `json:"data"`     // normalised data
	Count    int             `json:"count"`    // len(Hosts)
	Hosts    []string        `json:"hosts"`    // sorted
	Severity report.Severity `json:"severity"` // highest among the group's findings
	Rules    []string        `json:"rules"`    // analyzer/rule, sorted
	Deleted  bool            `json:"deleted"`  // some finding of the group was recovered from deleted data
	Example  Example         `json:"example"`  // the group's first finding (by host) as found
}

// Example is one finding of a group as written, before normalisation.
type Example struct {
	Host     string `json:"host"`
	HiveKind string `json:"hive_kind"`
	Key      string `json:"key"`
	Value    string `json:"value,omitempty"`
	Data     string `json:"data,omitempty"`
}

// Result is a stack of findings.
type Result struct {
	Hosts   int     `json:"hosts"` // hosts seen, with or without findings
	Entries []Entry `json:"entries"`
}

// Stack groups findings across hosts. hosts lists hosts known to have been
// scanned (from JSON reports), so that hosts without findings count in
// Result.Hosts; the hosts of the findings are added to it.
func Stack(findings []report.Finding, hosts []string) Result {
	all := map[string]bool{}
	for _, h := range hosts {
		all[h] = true
	}
	type group struct {
		e     Entry
		hosts map[string]bool
		rules map[string]bool
	}
	groups := map[string]*group{}
	sorted := slices.Clone(findings)
	slices.SortStableFunc(sorted, func(a, b report.Finding) int {
		return cmp.Or(cmp.Compare(a.Host, b.Host), cmp.Compare(a.Hive, b.Hive), cmp.Compare(a.Key, b.Key))
	})
	for _, f := range sorted {
		all[f.Host] = true
		loc := f.HiveKind + `\` + strings.TrimPrefix(NormalizeKey(f.Key), `\`)
		value := "(key)"
		if f.Value != nil {
			value = strings.ToLower(*f.Value)
		}
		raw := dataText(f.Data)
		data := NormalizePath(raw, f.User)
		id := loc + "\x00" + value + "\x00" + data
		g := groups[id]
		if g == nil {
			ex := Example{Host: f.Host, HiveKind: f.HiveKind, Key: f.Key, Data: raw}
			if f.Value != nil {
				ex.Value = *f.Value
			}
			g = &group{e: Entry{Location: loc, Value: value, Data: data, Example: ex}, hosts: map[string]bool{}, rules: map[string]bool{}}
			groups[id] = g
		}
		g.hosts[f.Host] = true
		g.rules[f.Analyzer+"/"+f.Rule] = true
		g.e.Severity = max(g.e.Severity, f.Severity)
		g.e.Deleted = g.e.Deleted || f.Deleted
	}
	res := Result{Hosts: len(all), Entries: []Entry{}}
	for _, g := range groups {
		e := g.e
		e.Hosts = keys(g.hosts)
		e.Rules = keys(g.rules)
		e.Count = len(e.Hosts)
		res.Entries = append(res.Entries, e)
	}
	slices.SortFunc(res.Entries, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.Count, b.Count), cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(a.Location, b.Location), cmp.Compare(a.Value, b.Value), cmp.Compare(a.Data, b.Data))
	})
	return res
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var (
	controlSet = regexp.MustCompile(`(?i)\\controlset\d{3}(\\|$)`)
	// Domain, local and Entra ID account SIDs; well-known SIDs (S-1-5-18)
	// say something and stay.
	accountSID = regexp.MustCompile(`(?i)\bs-1-(5-21|12-1)(-\d+){3,5}(_classes)?\b`)
	drive      = regexp.MustCompile(`(?i)(^|[^a-z0-9])[a-z]:\\`)
	profile    = regexp.MustCompile(`(?i)\\(users|documents and settings)\\([^\\]+)`)
)

// sharedProfiles are profile folders that are not one user's.
var sharedProfiles = map[string]bool{"public": true, "default": true, "default user": true, "all users": true}

// NormalizeKey lower-cases a key path, names every ControlSetNNN
// "controlset" and replaces account SIDs with "<sid>".
func NormalizeKey(key string) string {
	k := strings.ToLower(key)
	k = controlSet.ReplaceAllString(k, `\controlset$1`)
	return accountSID.ReplaceAllString(k, "<sid>")
}

// NormalizePath lower-cases text holding Windows paths and replaces what
// differs between machines for the same entry: drive letters ("?:\"),
// account SIDs ("<sid>"), the profile folder under Users or Documents and
// Settings and the finding's own user name as a path component ("<user>").
func NormalizePath(s, user string) string {
	t := strings.ToLower(s)
	t = accountSID.ReplaceAllString(t, "<sid>")
	t = drive.ReplaceAllString(t, `$1?:\`)
	t = profile.ReplaceAllStringFunc(t, func(m string) string {
		sub := profile.FindStringSubmatch(m)
		if sharedProfiles[sub[2]] {
			return m
		}
		return `\` + sub[1] + `\<user>`
	})
	if u := strings.ToLower(user); u != "" && !sharedProfiles[u] {
		t = strings.ReplaceAll(t, `\`+u+`\`, `\<user>\`)
	}
	return t
}

// dataText renders finding data as one string: lists one element a line,
// numbers as written.
func dataText(d any) string {
	switch v := d.(type) {
	case nil:
		return ""
	case string:
		return v
	case []string:
		return strings.Join(v, "\n")
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = dataText(e)
		}
		return strings.Join(parts, "\n")
	case json.Number:
		return v.String()
	case []byte:
		return fmt.Sprintf("%x", v)
	}
	return fmt.Sprint(d)
}
