package analysis

import (
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/report"
)

// svcHasReason reports whether a carries a reason whose rule starts with prefix.
func HasReason(a winpath.Assessment, prefix string) bool {
	for _, r := range a.Reasons {
		if strings.HasPrefix(r.Rule, prefix) {
			return true
		}
	}
	return false
}

// svcMicrosoftPath reports whether p lies where only Windows and Microsoft
// products install: inside the Windows folder (System32, SysWOW64,
// DriverStore, servicing, Microsoft.NET ... but not the Windows folder itself
// nor its user-writable folders such as Temp and Tasks), under Program Files
// in a Microsoft* or "Windows *" folder, Internet Explorer or Common
// Files\Microsoft Shared, or in Windows Defender's ProgramData folders,
// which only SYSTEM and administrators can write. It judges the text of the
// path only; a file planted there by an administrator passes.
func MicrosoftPath(p winpath.Path) bool {
	if p.Full == "" || p.UNC || p.GlobalRoot || p.Stream != "" {
		return false
	}
	d := strings.ToLower(p.Dir)
	elems := strings.Split(d, `\`)
	if len(elems) >= 4 && elems[1] == "programdata" && elems[2] == "microsoft" &&
		(elems[3] == "windows defender" || elems[3] == "windows defender advanced threat protection") {
		return true
	}
	if winpath.IsUserWritable(p) {
		return false
	}
	if root := strings.ToLower(p.SystemRoot); root != "" && strings.HasPrefix(d, root+`\`) {
		return true
	}
	if len(elems) >= 3 && svcIsProgramFiles(elems[1]) {
		v := elems[2]
		if strings.HasPrefix(v, "microsoft") || strings.HasPrefix(v, "windows ") || v == "internet explorer" {
			return true
		}
		if (v == "common files" || v == "common~1") && len(elems) >= 4 && elems[3] == "microsoft shared" {
			return true
		}
	}
	return false
}

// svcInProgramFiles reports whether p lies under a Program Files folder.
func InProgramFiles(p winpath.Path) bool {
	elems := strings.Split(strings.ToLower(p.Dir), `\`)
	return !p.UNC && !p.GlobalRoot && len(elems) >= 2 && svcIsProgramFiles(elems[1])
}

func svcIsProgramFiles(e string) bool {
	return e == "program files" || e == "program files (x86)" || e == "progra~1" || e == "progra~2"
}

// svcInSystem32 reports whether p lies directly in System32 or SysWOW64 (the
// folders LoadLibrary searches for a bare DLL name).
func InSystem32(p winpath.Path) bool {
	if p.Full == "" || p.UNC || p.GlobalRoot || p.Stream != "" {
		return false
	}
	d, root := strings.ToLower(p.Dir), strings.ToLower(p.SystemRoot)
	return d == root+`\system32` || d == root+`\syswow64` || d == root+`\sysnative`
}

// svcDLLName returns the lower-case file name of a DLL entry as LoadLibrary
// would complete it ("scecli" -> "scecli.dll"), and whether the entry is a
// bare name (no folder).
func DLLName(entry string) (name string, bare bool) {
	e := strings.Trim(strings.TrimSpace(entry), `"`)
	bare = !strings.ContainsAny(e, `\/:%`)
	i := strings.LastIndexAny(e, `\/`)
	name = strings.ToLower(e[i+1:])
	if name != "" && !strings.Contains(name, ".") {
		name += ".dll"
	}
	return name, bare
}

// svcDLLEntry judges one DLL named in a list of default DLLs (print
// monitors, netsh helpers, time providers, LSA packages ...): a default name
// loaded from System32 is quiet (ok false); an unknown bare name gets
// unknownSev (it loads from System32, which only administrators can
// write); a path anywhere else is high, and the path assessor can raise it.
func DLLEntry(f *report.Finding, entry string, defaults map[string]bool, unknownSev report.Severity, env winpath.Env, attack ...string) (ok bool) {
	name, bare := DLLName(entry)
	if name == "" {
		return false
	}
	path := entry
	if bare {
		path = `%SystemRoot%\System32\` + name
	}
	a := winpath.AssessPath(path, env)
	f.Attack = AppendUnique(f.Attack, attack...)
	switch {
	case defaults[name] && (bare || InSystem32(a.Path)) && a.Severity == report.Info:
		return false
	case bare || InSystem32(a.Path):
		f.Severity = unknownSev
		f.Detail = fmt.Sprintf("\"%s\" is not a Windows default; Windows loads %s from System32, which only administrators can write. Identify the product it belongs to, and check the file's signer and hash.", entry, a.Path.Full)
	default:
		f.Severity = report.High
		f.Detail = fmt.Sprintf("\"%s\" names a DLL outside System32 (%s); Windows defaults are bare names loaded from System32. Collect the file and check its signer and hash.", entry, a.Path.Full)
	}
	Assessed(f, a)
	return true
}

// svcTrustMicrosoft drops the path assessor's user-writable reason for a
// path svcMicrosoftPath accepts (Windows Defender's ProgramData folders,
// which only SYSTEM and administrators can write).
func TrustMicrosoft(a winpath.Assessment) winpath.Assessment {
	if !MicrosoftPath(a.Path) {
		return a
	}
	var keep []winpath.Reason
	a.Severity = report.Info
	for _, r := range a.Reasons {
		if r.Rule == "location.user-writable" {
			continue
		}
		keep = append(keep, r)
		a.Severity = report.Max(a.Severity, r.Severity)
	}
	a.Reasons = keep
	return a
}

// svcSoftwareRoots returns the native and 32-bit views of a SOFTWARE path.
func SoftwareRoots(path string) []string {
	return []string{path, `Wow6432Node\` + path}
}
