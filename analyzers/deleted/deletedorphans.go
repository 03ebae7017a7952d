package deleted

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// DeletedOrphans judges deleted values whose key could not be told.
var DeletedOrphans = &analysis.Analyzer{
	Name: "deletedorphans",
	Doc: `Deleted values of unknown keys: command lines and payloads left in freed cells
A value deleted from the middle of its key's list leaves no trace of which key
held it, so no location analyzer can place it. This analyzer reads those
values in the recovered records of SYSTEM, SOFTWARE, NTUSER and DEFAULT
hives and reports those whose content alone is damning: a command line the
path assessor calls critical (a fake system process), a launcher command it
rates high (encoded PowerShell, mshta...), or a PE file stored in a value. Someone wrote them, and
someone removed them.`,
	Needs:  []hive.Kind{hive.KindSystem, hive.KindSoftware, hive.KindNTUser, hive.KindDefault},
	Attack: []string{"T1070", "T1112"},
	Run:    runDeletedOrphans,
}

func runDeletedOrphans(p *analysis.Pass) error {
	var out []report.Finding
	var errs []error
	for _, e := range p.Set.Entries {
		if !e.Deleted || !autostartHive(e.Kind()) {
			continue
		}
		if _, err := e.Key(hive.DeletedUnknownKey); errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
			continue
		}
		env := p.Env(nil)
		// The bucket holds values of unknown keys, and below it deleted
		// keys whose parent is unknown, at their partial path.
		err := e.Walk(p.Context(), `\`+hive.DeletedUnknownKey, func(k *hive.Key, err error) error {
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
				return nil
			}
			vals, err := k.Values()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
			}
			for _, v := range vals {
				if err := p.Context().Err(); err != nil {
					return err
				}
				if f, ok := judgeOrphan(e, k, v, env); ok {
					out = append(out, f)
				}
			}
			return nil
		})
		if err != nil {
			p.Report(out...)
			return err
		}
	}
	p.Report(out...)
	return errors.Join(errs...)
}

// judgeOrphan reports an orphaned deleted value whose content the assessor
// rates high or above: as a command line when it is text, for embedded
// payloads when it is binary.
func judgeOrphan(e *hive.Entry, k *hive.Key, v *hive.Value, env winpath.Env) (report.Finding, bool) {
	f := analysis.AtValue(e, k, v)
	f.LastWrite = time.Time{} // the key is unknown, and so is its last write
	f.Rule = "deleted.orphan-value"
	f.Title = fmt.Sprintf("Deleted value \"%s\" of an unknown key holds a suspicious command", v.Name())
	f.Detail = fmt.Sprintf("A value named \"%s\" (%s) was deleted from a key hivescan cannot identify (the key's value list no longer names it); its data survives in a freed cell. Search the timeline for what wrote and removed it, and collect anything it names.", v.Name(), v.Type())
	if partial := strings.TrimPrefix(strings.TrimPrefix(k.Path(), `\`+hive.DeletedUnknownKey), `\`); partial != "" {
		f.Title = fmt.Sprintf("Deleted value \"%s\" of deleted key ...\\%s holds a suspicious command", v.Name(), partial)
		f.Detail = fmt.Sprintf("A value named \"%s\" (%s) belonged to the deleted key ...\\%s, whose parents above that are lost (their cells were reused), so its full path is unknown; its data survives in a freed cell. Search the timeline for what wrote and removed it, and collect anything it names.", v.Name(), v.Type(), partial)
	}
	switch v.Type() {
	case hive.RegSZ, hive.RegExpandSZ, hive.RegMultiSZ:
		lines, _ := v.Strings() // carved data is often cut short: judge what decodes
		best := winpath.Assessment{}
		for _, l := range lines {
			if !looksRunnable(l) {
				continue
			}
			if a := winpath.Assess(l, env); a.Severity > best.Severity {
				best = a
			}
		}
		// Without its key a value is only worth raising when its content
		// alone is damning: a critical verdict (a fake system process), or
		// a launcher command (encoded PowerShell, mshta ...) rated high.
		if best.Severity < report.Critical && (best.Severity < report.High || best.Command.Launcher == "") {
			return f, false
		}
		analysis.Assessed(&f, best)
		return f, true
	default:
		b, err := v.Bytes()
		if err != nil {
			return f, false
		}
		reasons := winpath.ScanData(b)
		sev := report.Info
		for _, r := range reasons {
			sev = report.Max(sev, r.Severity)
		}
		if sev < report.High {
			return f, false
		}
		f.Title = fmt.Sprintf("Deleted value \"%s\" of an unknown key holds a payload", v.Name())
		analysis.Assessed(&f, winpath.Assessment{Severity: sev, Reasons: reasons})
		return f, true
	}
}

// autostartHive reports the kinds whose values Windows may run: those with
// autostart locations. Amcache, USRCLASS and others record paths of programs
// that ran, which a deleted value of theirs may name without meaning harm.
func autostartHive(k hive.Kind) bool {
	switch k {
	case hive.KindSystem, hive.KindSoftware, hive.KindNTUser, hive.KindDefault:
		return true
	}
	return false
}

// runnableExt are the extensions of files Windows runs or loads.
var runnableExt = []string{".exe", ".dll", ".sys", ".scr", ".com", ".cpl", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js", ".jse", ".wsf", ".hta", ".msi", ".lnk"}

// looksRunnable reports whether text from a value of unknown purpose reads
// like a command line: it runs a known launcher (PowerShell, mshta, rundll32,
// cmd ...) or names a program file with its extension. Registry strings of
// every other kind (volume names, device ids, tokens) are not judged as
// command lines: without their key nothing says Windows would run them.
func looksRunnable(text string) bool {
	if winpath.ParseCommandLine(text).Launcher != "" {
		return true
	}
	lower := strings.ToLower(text)
	for _, ext := range runnableExt {
		if i := strings.Index(lower, ext); i > 0 {
			end := i + len(ext)
			if end == len(lower) || strings.ContainsRune(` "',;`, rune(lower[end])) {
				return true
			}
		}
	}
	return false
}
