package sessionmanager

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// PagingFiles lists the paging files smss.exe creates, so responders know
// which to collect.
var PagingFiles = &analysis.Analyzer{
	Name: "pagingfiles",
	Doc: `Memory Management: the paging files smss.exe creates at boot
smss.exe creates the paging files named in Session Manager\Memory
Management\PagingFiles at boot (ExistingPageFiles records the ones in use).
Paging files hold memory pages of every process and are evidence: this lists
where they are, notes paging files off the system volume (easily left
behind in a collection), a disabled paging file, and ClearPageFileAtShutdown,
which wipes the file at every shutdown.`,
	Needs:  []hive.Kind{hive.KindSystem},
	Attack: []string{"T1070"},
	Run:    runPagingFiles,
}

// pagingEntry is one PagingFiles line: "C:\pagefile.sys 1024 4096".
type pagingEntry struct {
	Path     string
	Min, Max string
}

func parsePagingFiles(lines []string) []pagingEntry {
	var out []pagingEntry
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		pe := pagingEntry{Path: f[0]}
		// a path with spaces: the sizes are the last two numeric fields
		if len(f) >= 3 && isDigits(f[len(f)-1]) && isDigits(f[len(f)-2]) {
			pe.Path, pe.Min, pe.Max = strings.Join(f[:len(f)-2], " "), f[len(f)-2], f[len(f)-1]
		} else {
			pe.Path = strings.Join(f, " ")
		}
		out = append(out, pe)
	}
	return out
}

func isDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

func runPagingFiles(p *analysis.Pass) error {
	env := p.Env(nil)
	sysDrive := strings.ToUpper(env.Expand(`%SystemDrive%`))
	var out []report.Finding
	err := p.EachSessionManager(func(e *hive.Entry, cs hive.ControlSet, sm *hive.Key) error {
		k, ok, err := analysis.OptionalKey(sm, "Memory Management")
		if !ok {
			return err
		}
		v, ok, err := analysis.OptionalValue(k, "PagingFiles")
		if !ok {
			return err // absent (a differencing hive): nothing to say
		}
		var errs []error
		lines, err := analysis.ValueLines(v)
		errs = append(errs, err)
		entries := parsePagingFiles(lines)
		var existing []string
		ev, ok, err := analysis.OptionalValue(k, "ExistingPageFiles")
		errs = append(errs, err)
		if ok {
			existing, err = analysis.ValueLines(ev)
			errs = append(errs, err)
		}
		clear, cv, _, err := analysis.Uint(k, "ClearPageFileAtShutdown")
		errs = append(errs, err)
		onOS, _, hasOnOS, err := analysis.Uint(k, "PagefileOnOsVolume")
		errs = append(errs, err)

		f := analysis.SMValue(e, cs, k, v)
		f.Rule, f.Severity = "pagingfiles.inventory", report.Info
		var collect []string
		for _, p := range existing {
			collect = append(collect, winpath.Resolve(p, env).Full)
		}
		var where []string
		for _, pe := range entries {
			s := pe.Path
			if strings.HasPrefix(pe.Path, "?:") {
				s += " (system-managed, on whichever volume Windows picks)"
			}
			if pe.Min != "" {
				s += fmt.Sprintf(" (%s-%s MB)", pe.Min, pe.Max)
			}
			where = append(where, s)
		}
		f.Title = "Paging files: " + strings.Join(where, "; ")
		if len(entries) == 0 {
			f.Title = "No paging file is configured"
		}
		f.Detail = "smss.exe creates these paging files at boot; they hold pages of process memory (command lines, credentials, decrypted data) and should be collected with the hives."
		if len(collect) > 0 {
			f.Detail += " Files in use at the last boot (ExistingPageFiles): " + strings.Join(collect, ", ") + "."
		}
		if hasOnOS {
			f.Detail += fmt.Sprintf(" PagefileOnOsVolume = %d.", onOS)
		}
		out = append(out, f)

		if len(entries) == 0 {
			g := analysis.SMValue(e, cs, k, v)
			g.Rule, g.Severity = "pagingfiles.disabled", report.Low
			g.Attack = []string{"T1070"}
			g.Title = "Paging is disabled: PagingFiles is empty"
			g.Detail = "With no paging file, Windows writes no process memory to disk and cannot write a full crash dump; that removes an evidence source. Some systems with much memory are configured this way; check when the key was last written."
			out = append(out, g)
		}
		for _, p := range append(entriesPaths(entries), existing...) {
			r := winpath.Resolve(p, env)
			drive := ""
			if len(r.Full) >= 2 && r.Full[1] == ':' {
				drive = strings.ToUpper(r.Full[:2])
			}
			if drive == "" || drive == "?:" || drive == sysDrive {
				continue
			}
			g := analysis.SMValue(e, cs, k, v)
			g.Data = p
			g.Rule, g.Severity = "pagingfiles.other-volume", report.Low
			g.Title = "A paging file lives on " + drive + ", not the system volume"
			g.Detail = fmt.Sprintf("%s is outside the system volume %s: collections that copy only the system drive miss it. Collect %s as well.", r.Full, sysDrive, r.Full)
			out = append(out, g)
		}
		if clear != 0 {
			g := analysis.SMValue(e, cs, k, cv)
			g.Rule, g.Severity = "pagingfiles.clear-at-shutdown", report.Low
			g.Attack = []string{"T1070"}
			g.Title = "The paging file is wiped at every shutdown"
			g.Detail = "ClearPageFileAtShutdown = 1 makes Windows overwrite the paging file when it shuts down, so a powered-off machine keeps no paged memory. Security baselines set it; on other hosts find out who did. Collect memory and the paging file before shutting a live host down."
			out = append(out, g)
		}
		return errors.Join(errs...)
	})
	p.Report(out...)
	return err
}

func entriesPaths(es []pagingEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Path)
	}
	return out
}
