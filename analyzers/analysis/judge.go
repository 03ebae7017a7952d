package analysis

import (
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// asJudge sets the severity, risk and ATT&CK ids of an autostart finding: the
// severity is the location's base severity or the assessment's, whichever is
// higher; the techniques are the location's followed by the assessment's;
// the assessment is appended to the detail.
func Judge(f *report.Finding, base report.Severity, technique string, a winpath.Assessment) {
	JudgeCapped(f, base, technique, a, nil)
}

// asJudgeCapped is asJudge with the severity of some assessor rules lowered:
// a reason whose rule is in caps and whose severity is at most
// caps[rule].UpTo counts as caps[rule].to. It is for rules that mean little
// in the location's context (a per-user entry naming a file the same user
// can write anyway).
func JudgeCapped(f *report.Finding, base report.Severity, technique string, a winpath.Assessment, caps map[string]Cap) {
	if len(caps) > 0 {
		reasons := make([]winpath.Reason, len(a.Reasons))
		a.Severity = report.Info
		for i, r := range a.Reasons {
			if c, ok := caps[r.Rule]; ok && r.Severity <= c.UpTo && r.Severity > c.To {
				r.Severity = c.To
			}
			reasons[i] = r
			a.Severity = report.Max(a.Severity, r.Severity)
		}
		a.Reasons = reasons
	}
	f.Severity = report.Max(f.Severity, base)
	Assessed(f, a, technique)
}

// asCap lowers an assessor rule's severity up to UpTo down to to.
type Cap struct{ UpTo, To report.Severity }

// asStepDown lowers s by one step, never below Info.
func StepDown(s report.Severity) report.Severity {
	if s > report.Info {
		return s - 1
	}
	return s
}

// asSplitList splits a comma-separated list of programs (Winlogon Userinit,
// Shell, win.ini Load), dropping empty items.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// asUserHives returns the NTUSER hives, then the DEFAULT hives, of set.
func UserHives(set *hive.Set) []*hive.Entry {
	return append(set.Users(), set.ByKind(hive.KindDefault)...)
}

// asWhose names the scope of a hive for a detail: every user (SOFTWARE), one
// user (NTUSER) or the LocalSystem profile (DEFAULT).
func Whose(e *hive.Entry) string {
	switch e.Kind() {
	case hive.KindNTUser:
		if e.User != "" {
			return "user " + e.User
		}
		return "the user owning this NTUSER.DAT"
	case hive.KindDefault:
		return "the LocalSystem profile (HKU\\.DEFAULT)"
	}
	return "every user"
}

// defaultProfileNote explains entries found in the DEFAULT hive.
const DefaultProfileNote = "This entry sits in the DEFAULT hive, the profile of LocalSystem (HKU\\.DEFAULT and HKU\\S-1-5-18). No one logs on interactively with it, so Windows rarely acts on it; it is where a program running as SYSTEM lands when it writes to HKEY_CURRENT_USER, which makes such an entry a sign of SYSTEM-level code trying to persist."

// asWindowsVersion returns the host's CurrentVersion ("6.3", "5.1",
// "4.0"; "10.0" for Windows 10 and later), or "" when unknown.
func WindowsVersion(set *hive.Set) string { return hostVersion(set).Version }

// asVersionBefore reports whether CurrentVersion ver ("5.1", "6.3") is older
// than major.minor; an unreadable version is not.
func VersionBefore(ver string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(ver, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma < major || ma == major && mi < minor
}

// asSameImage reports whether command lines cmd and want start the same
// program, after expansion and normalisation.
// A program named without an extension is run as .exe (NT 4.0 ships
// Userinit as "...\system32\userinit").
func SameImage(cmd, want string, env winpath.Env) bool {
	full := func(c string) string {
		p := winpath.Resolve(winpath.ParseCommandLine(c).Image, env).Full
		if p != "" && !strings.Contains(p[strings.LastIndexByte(p, '\\')+1:], ".") {
			p += ".exe"
		}
		return p
	}
	got := full(cmd)
	return got != "" && strings.EqualFold(got, full(want))
}

// asSameCommand reports whether command lines a and b start the same program
// with the same arguments (letter case ignored).
func SameCommand(a, b string, env winpath.Env) bool {
	if !SameImage(a, b, env) {
		return false
	}
	ca, cb := winpath.ParseCommandLine(a), winpath.ParseCommandLine(b)
	return strings.EqualFold(strings.Join(ca.Args, " "), strings.Join(cb.Args, " "))
}
