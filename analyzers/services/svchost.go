package services

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// Svchost reports svchost groups that do not match the services installed.
var Svchost = &analysis.Analyzer{
	Name: "svchost",
	Doc: `Svchost groups: services named in a group, groups named by services
A shared service runs as "svchost.exe -k <group>" (its ImagePath); svchost
reads the group's list of service names from the REG_MULTI_SZ value <group>
of SOFTWARE Microsoft\Windows NT\CurrentVersion\Svchost (its settings, such
as CoInitializeSecurityParam, from the subkey of that name) and hosts only
the services listed, loading each one's Parameters\ServiceDll. Reported,
when the host has both SOFTWARE (with a Svchost key) and SYSTEM: a service
whose ImagePath names a group that Svchost does not define (medium: svchost
cannot host it, so it fails to start, which often means the group value was
removed or the service was written by hand; low when the service is
disabled); and, once per group, the
services a group lists that no control set installs (low: Windows' own
groups carry such leftovers, and a service later created under one of those
names is hosted without touching the group). A ServiceDll outside System32
is the services analyzer's service.servicedll rule, which names the group.`,
	Needs:  []hive.Kind{hive.KindSoftware, hive.KindSystem},
	Attack: []string{"T1543.003"},
	Run:    runSvchost,
}

const svchostKey = `Microsoft\Windows NT\CurrentVersion\Svchost`

// svchostSource is where the group layout is described.
const svchostSource = "https://github.com/apriorit/SvcHostDemo (the group value, the -k command line, Parameters\\ServiceDll); https://learn.microsoft.com/windows/win32/services/service-programs (svchost.exe is reserved for the operating system); https://attack.mitre.org/techniques/T1543/003/"

// svchostGroup is one group value of a Svchost key.
type svchostGroup struct {
	e        *hive.Entry
	key      *hive.Key
	val      *hive.Value
	services []string
}

// svchostHosted is a service whose ImagePath runs svchost -k group.
type svchostHosted struct {
	e     *hive.Entry
	cs    hive.ControlSet
	key   *hive.Key
	image *hive.Value
	group string
	off   bool // Start is 4 (disabled)
}

// svchostGroupOf returns the group of a "svchost.exe -k <group>" command
// line; ok is false when the program is not svchost.exe or names no group.
func svchostGroupOf(cmdline string) (group string, ok bool) {
	cl := winpath.ParseCommandLine(cmdline)
	base := cl.Image
	if i := strings.LastIndexAny(base, `\/`); i >= 0 {
		base = base[i+1:]
	}
	if !strings.EqualFold(base, "svchost.exe") && !strings.EqualFold(base, "svchost") {
		return "", false
	}
	for i, a := range cl.Args {
		if (strings.EqualFold(a, "-k") || strings.EqualFold(a, "/k")) && i+1 < len(cl.Args) {
			return cl.Args[i+1], true
		}
	}
	return "", false
}

func runSvchost(p *analysis.Pass) error {
	var errs []error
	groups := map[string]svchostGroup{}
	haveKey := false
	errs = append(errs, p.EachSoftware(func(e *hive.Entry, root *hive.Key) error {
		k, ok, err := analysis.OptionalKey(root, svchostKey)
		if !ok {
			return err
		}
		haveKey = true
		vals, err := k.Values()
		for _, v := range vals {
			if v.Type() != hive.RegMultiSZ || v.Name() == "" {
				continue
			}
			names, verr := analysis.ValueLines(v)
			errs = append(errs, verr)
			if _, dup := groups[strings.ToLower(v.Name())]; !dup {
				groups[strings.ToLower(v.Name())] = svchostGroup{e: e, key: k, val: v, services: names}
			}
		}
		return err
	}))
	installed := map[string]bool{}
	hosted := map[string]svchostHosted{} // lower-case service name → its current (else first) control set's entry
	sawSystem := false
	errs = append(errs, p.EachControlSet(func(e *hive.Entry, cs hive.ControlSet) error {
		sawSystem = true
		keys, err := analysis.Subkeys(cs.Key, "Services")
		for _, k := range keys {
			installed[strings.ToLower(k.Name())] = true
			v, img, rerr := analysis.Text(k, "ImagePath")
			errs = append(errs, rerr)
			group, ok := svchostGroupOf(img)
			if !ok {
				continue
			}
			start, _, hasStart, serr := analysis.Uint(k, "Start")
			errs = append(errs, serr)
			id := strings.ToLower(k.Name())
			if old, seen := hosted[id]; !seen || cs.IsCurrent() && !old.cs.IsCurrent() {
				hosted[id] = svchostHosted{e: e, cs: cs, key: k, image: v, group: group, off: hasStart && start == 4}
			}
		}
		return err
	}))
	if !haveKey || !sawSystem {
		return errors.Join(errs...) // one half missing: nothing can be compared
	}
	var out []report.Finding
	for _, id := range sortedKeysOf(hosted) {
		h := hosted[id]
		if _, ok := groups[strings.ToLower(h.group)]; ok {
			continue
		}
		out = append(out, svchostUnknownGroup(h))
	}
	for _, id := range sortedKeysOf(groups) {
		g := groups[id]
		var missing []string
		for _, s := range g.services {
			if !installed[strings.ToLower(s)] {
				missing = append(missing, s)
			}
		}
		if len(missing) > 0 {
			out = append(out, svchostMissing(g, missing))
		}
	}
	p.Report(out...)
	return errors.Join(errs...)
}

func sortedKeysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func svchostUnknownGroup(h svchostHosted) report.Finding {
	f := analysis.InSet(analysis.AtValue(h.e, h.key, h.image), h.cs)
	f.Rule, f.Severity = "svchost.unknown-group", report.Medium
	f.Attack = []string{"T1543.003"}
	f.Title = fmt.Sprintf("Service %s runs in svchost group %s, which Svchost does not define", h.key.Name(), h.group)
	f.Detail = fmt.Sprintf("Service %s starts as \"svchost.exe -k %s\", but SOFTWARE %s has no value %s listing that group's services. svchost.exe reads the services it may host from that value, so this service cannot start as written: either the group value was removed (check the Svchost key's last-write time and a RegBack or older copy of SOFTWARE), or the service key was written by hand for a group that was meant to be added. Compare with the service's Parameters\\ServiceDll and its install event (7045). Source: %s.", h.key.Name(), h.group, svchostKey, h.group, svchostSource)
	if h.off {
		f.Severity = report.Low
		f.Detail += " The service is disabled (Start 4), so nothing tries to start it: more likely a leftover of an upgrade or an uninstall."
	}
	return f
}

func svchostMissing(g svchostGroup, missing []string) report.Finding {
	f := analysis.AtValue(g.e, g.key, g.val)
	f.Rule, f.Severity = "svchost.group-missing-service", report.Low
	f.Attack = []string{"T1543.003"}
	f.Title = fmt.Sprintf("Svchost group %s lists %d service(s) that are not installed", g.val.Name(), len(missing))
	f.Detail = fmt.Sprintf("Group %s lists %s, but no control set has a Services key of that name. Windows' own groups (netsvcs above all) keep names of services the edition or version does not install, so this is usually a leftover. It matters because svchost hosts any service of a listed name: malware creates a service under such a name with its own ServiceDll and needs no change to the group. Nothing to collect unless a service of one of these names appears in another copy of SYSTEM. Source: %s.", g.val.Name(), strings.Join(missing, ", "), svchostSource)
	return f
}
