package sessionmanager

import (
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// PendingRenames reports the file renames and deletes smss.exe performs at
// the next boot.
var PendingRenames = &analysis.Analyzer{
	Name: "pendingrenames",
	Doc: `Pending file operations: files smss.exe renames, replaces or deletes at the next boot
Session Manager\PendingFileRenameOperations (and ...Operations2) hold pairs of
paths: smss.exe moves each source to its destination at the next boot, before
any process holds the files open; a destination starting with "!" replaces an
existing file and an empty destination deletes the source.
AllowProtectedRenames lets the operations overwrite protected system files.
Installers and Windows Update use this for files in use; attackers use it to
swap a system binary before anything can check it, or to delete evidence at
the next boot. Every operation is listed; replacing or creating programs in
the Windows folders, touching critical system binaries or moving files out of
user-writable folders is raised.`,
	Needs:  []hive.Kind{hive.KindSystem},
	Attack: []string{"T1574", "T1036.005", "T1070.004"},
	Run:    runPendingRenames,
}

// criticalBinaries are system files (beyond winpath.CriticalName's process
// names) whose replacement takes over every process or the kernel.
var criticalBinaries = map[string]bool{
	"ntdll.dll": true, "kernel32.dll": true, "kernelbase.dll": true, "user32.dll": true,
	"advapi32.dll": true, "sechost.dll": true, "rpcrt4.dll": true, "combase.dll": true,
	"ntoskrnl.exe": true, "hal.dll": true, "winload.exe": true, "winload.efi": true,
	"winresume.exe": true, "winresume.efi": true, "ci.dll": true, "cng.sys": true,
	"ksecdd.sys": true, "win32k.sys": true, "win32kbase.sys": true, "win32kfull.sys": true,
	"lsasrv.dll": true, "msv1_0.dll": true, "samsrv.dll": true, "kerberos.dll": true,
	"wdigest.dll": true, "basesrv.dll": true, "winsrv.dll": true, "csrsrv.dll": true,
	"sxssrv.dll": true, "autochk.exe": true, "ntfs.sys": true, "tcpip.sys": true,
}

// pendingOp is one operation of a pending-rename value.
type pendingOp struct {
	Source, Dest string // as written (Dest without "!")
	Replace      bool   // Dest started with "!"
}

func (op pendingOp) kind() string {
	switch {
	case op.Dest == "":
		return "delete"
	case op.Replace:
		return "replace"
	}
	return "rename"
}

// parsePendingOps splits the raw REG_MULTI_SZ data into operations. Empty
// strings matter here (an empty destination means delete), so the data is
// split at every UTF-16 NUL; the list ends at an empty source, as smss.exe
// reads it.
func parsePendingOps(b []byte) []pendingOp {
	var parts []string
	start := 0
	n := len(b) &^ 1
	for i := 0; i < n; i += 2 {
		if b[i] == 0 && b[i+1] == 0 {
			parts = append(parts, hive.DecodeString(b[start:i]))
			start = i + 2
		}
	}
	if start < n {
		parts = append(parts, hive.DecodeString(b[start:n]))
	}
	var ops []pendingOp
	for i := 0; i < len(parts); i += 2 {
		if parts[i] == "" {
			break
		}
		op := pendingOp{Source: parts[i]}
		if i+1 < len(parts) {
			op.Dest = parts[i+1]
		}
		if strings.HasPrefix(op.Dest, "!") {
			op.Dest, op.Replace = op.Dest[1:], true
		}
		ops = append(ops, op)
	}
	return ops
}

func runPendingRenames(p *analysis.Pass) error {
	env := p.Env(nil)
	var out []report.Finding
	err := p.EachSessionManager(func(e *hive.Entry, cs hive.ControlSet, sm *hive.Key) error {
		allow, av, _, err := analysis.Uint(sm, "AllowProtectedRenames")
		errs := []error{err}
		for _, name := range []string{"PendingFileRenameOperations", "PendingFileRenameOperations2"} {
			v, ok, err := analysis.OptionalValue(sm, name)
			if !ok {
				if err != nil {
					errs = append(errs, err)
				}
				continue
			}
			b, err := v.Bytes()
			if err != nil {
				errs = append(errs, err)
			}
			ops := parsePendingOps(b)
			times := map[pendingOp]int{}
			for _, op := range ops {
				times[op]++
			}
			for _, op := range ops {
				if times[op] == 0 {
					continue // already reported
				}
				f := analysis.SMValue(e, cs, sm, v)
				describePendingOp(&f, op, allow != 0, env)
				if times[op] > 1 {
					f.Detail += fmt.Sprintf(" The value lists this operation %d times.", times[op])
				}
				times[op] = 0
				out = append(out, f)
			}
		}
		if allow != 0 {
			f := analysis.SMValue(e, cs, sm, av)
			f.Rule, f.Severity = "pending.allow-protected", report.Low
			f.Title = "AllowProtectedRenames lets pending renames overwrite protected system files"
			f.Detail = "With AllowProtectedRenames set, smss.exe performs the pending file operations even on files Windows Resource Protection guards. Windows Update and some installers set it for one boot; it is cleared afterwards. Review the pending operations listed with it and, when none are pending, find out what set it."
			out = append(out, f)
		}
		return analysis.JoinErrs(errs)
	})
	p.Report(out...)
	return err
}

// describePendingOp fills rule, severity, title and detail for one operation.
func describePendingOp(f *report.Finding, op pendingOp, allowProtected bool, env winpath.Env) {
	src := winpath.Resolve(op.Source, env)
	target := src
	if op.Dest != "" {
		target = winpath.Resolve(op.Dest, env)
	}
	f.Data = []string{op.Source, pendingDest(op)}
	f.Rule, f.Severity = "pending.operation", report.Info
	var what string
	switch op.kind() {
	case "delete":
		what = fmt.Sprintf("delete %s", src.Full)
	case "replace":
		what = fmt.Sprintf("replace %s with %s", target.Full, src.Full)
	default:
		what = fmt.Sprintf("move %s to %s", src.Full, target.Full)
	}
	f.Title = "At the next boot smss.exe will " + what
	f.Detail = "smss.exe performs this operation at the next boot, before services, logon or security software start (" + op.kind() + ")."
	exe := analysis.IsExecutable(target)
	systemDir := winpath.IsSystemDir(target)
	critical := criticalBinaries[strings.ToLower(target.Base)]
	if _, ok := winpath.CriticalName(target.Base); ok {
		critical = true
	}
	fromWritable := op.kind() != "delete" && winpath.IsUserWritable(src)
	switch {
	case critical && systemDir:
		f.Rule, f.Severity = "pending.critical-target", report.Critical
		f.Title = fmt.Sprintf("Pending operation will %s a critical system binary (%s)", op.kind(), target.Base)
		f.Detail += fmt.Sprintf(" %s is a core Windows binary: replacing or deleting it before boot completes hands an attacker every process (or the kernel), or stops Windows from booting. Collect %s and, if present, the source %s; compare hashes with a clean copy of the same build.", target.Base, target.Full, src.Full)
		f.Attack = analysis.AppendUnique(f.Attack, "T1574", "T1036.005")
	case fromWritable && exe:
		f.Rule, f.Severity = "pending.user-writable-source", report.High
		if systemDir {
			f.Severity = report.Critical
		}
		f.Title = fmt.Sprintf("Pending operation moves a program from a user-writable folder to %s", target.Full)
		f.Detail += fmt.Sprintf(" The source %s sits in a folder standard users (and malware running as them) can write to, and the destination is a program or library that Windows will load. Collect the source file now (it is still there until the next boot) and the current %s.", src.Full, target.Full)
		f.Attack = analysis.AppendUnique(f.Attack, "T1574")
	case exe && systemDir:
		f.Rule, f.Severity = "pending.system-binary", report.High
		f.Title = fmt.Sprintf("Pending operation will %s a program in a Windows system folder (%s)", op.kind(), target.Full)
		f.Detail += fmt.Sprintf(" %s is an executable or library in the Windows folder, System32 or drivers; Windows Update normally stages such files in WinSxS instead. Collect %s and the source %s, check their signatures and correlate with the installer or update that wrote the value.", target.Base, target.Full, src.Full)
		if op.kind() == "delete" {
			f.Attack = analysis.AppendUnique(f.Attack, "T1070.004")
		} else {
			f.Attack = analysis.AppendUnique(f.Attack, "T1574")
		}
	default:
		f.Detail += " Installers and updates use this for files that were in use. Check that the paths belong to software installed around the key's last-write time."
	}
	if op.kind() != "delete" {
		a := winpath.AssessPath(op.Dest, env)
		if a.Severity > report.Low {
			analysis.Assessed(f, a)
		}
	}
	if allowProtected && f.Severity >= report.High {
		f.Detail += " AllowProtectedRenames is set, so the operation goes through even if the file is protected."
	}
}

func pendingDest(op pendingOp) string {
	if op.Replace {
		return "!" + op.Dest
	}
	return op.Dest
}
