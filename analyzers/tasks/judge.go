package tasks

import (
	"fmt"
	"strings"
	"time"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// decoded is a Tasks entry's decoded Actions value.
type decoded struct {
	v   *hive.Value
	a   Actions
	has bool
}

// actions decodes the Actions value of Tasks entry k once; a value that
// does not decode is a problem, and the actions read before the damage are
// still judged.
func (s *scan) actions(k *hive.Key) decoded {
	if s.parsed == nil {
		s.parsed = map[uint32]decoded{}
	}
	if p, ok := s.parsed[k.Offset()]; ok {
		return p
	}
	var p decoded
	v, ok, err := analysis.OptionalValue(k, "Actions")
	s.fail(k, err)
	if ok {
		b, err := v.Bytes()
		if err != nil {
			s.fail(k, fmt.Errorf("value Actions: %w", err))
		} else {
			p.a, err = ParseActions(b)
			s.fail(k, err)
			p.v, p.has = v, true
		}
	}
	s.parsed[k.Offset()] = p
	return p
}

// actionSummary says in words what a Tasks entry runs, for the findings
// about the task itself.
func (s *scan) actionSummary(k *hive.Key) string {
	p := s.actions(k)
	if !p.has {
		return "The Tasks entry has no Actions value."
	}
	if len(p.a.Actions) == 0 {
		return "Its Actions value holds no action."
	}
	var parts []string
	for _, a := range p.a.Actions {
		switch a.Kind {
		case KindExec:
			parts = append(parts, "runs "+commandLine(a))
		case KindComHandler:
			parts = append(parts, "loads COM handler "+a.CLSID)
		case KindSendEmail:
			parts = append(parts, "sends e-mail")
		case KindShowMessage:
			parts = append(parts, "shows a message")
		}
	}
	return "The task " + strings.Join(parts, "; ") + "."
}

// judgeTask reports the actions of one task.
func (s *scan) judgeTask(path string, k *hive.Key, lists []listEntry) {
	p := s.actions(k)
	if !p.has {
		return
	}
	ms := microsoftTask(path)
	about := s.context(k, p.a, lists)
	for _, a := range p.a.Actions {
		f := analysis.AtValue(s.e, k, p.v)
		var ok bool
		switch a.Kind {
		case KindExec:
			ok = s.judgeExec(&f, path, ms, a)
		case KindComHandler:
			ok = s.judgeCOM(&f, path, ms, a)
		default:
			ok = s.judgeLegacy(&f, path, ms, a)
		}
		if ok {
			f.Detail = strings.TrimSpace(about + " " + f.Detail)
			s.out = append(s.out, f)
		}
	}
}

// microsoftTask reports a task in Microsoft's folder of the task library,
// where Windows and Microsoft products register theirs.
func microsoftTask(path string) bool {
	return strings.HasPrefix(strings.ToLower(path), `\microsoft\`)
}

// commandLine is an exec action as one command line, the program quoted as
// Task Scheduler passes it.
func commandLine(a Action) string {
	cmd := strings.TrimSpace(a.Command)
	if cmd != "" && !strings.HasPrefix(cmd, `"`) {
		cmd = `"` + cmd + `"`
	}
	return strings.TrimSpace(cmd + " " + strings.TrimSpace(a.Arguments))
}

// hidingRules are assessor rules that mark an interpreter told to hide,
// decode, download or run script: high in a task, whatever its folder.
var hidingRules = []string{"powershell.hidden", "powershell.bypass", "powershell.download", "powershell.iex", "encoded.", "lolbin.", "cmd.chain", "network.", "payload."}

func hides(a winpath.Assessment) bool {
	for _, r := range hidingRules {
		if analysis.HasReason(a, r) {
			return true
		}
	}
	return false
}

// The judge functions fill in f, located at the task's Actions value, and
// report whether the action is worth a finding.

func (s *scan) judgeExec(f *report.Finding, path string, ms bool, a Action) bool {
	cl := commandLine(a)
	if cl == "" || isWindowsDefault(path, a) {
		return false
	}
	as := analysis.TrustMicrosoft(winpath.Assess(cl, s.env))
	msProg := analysis.MicrosoftPath(as.Path) && (as.Payload.Full == "" || analysis.MicrosoftPath(as.Payload))
	if ms && msProg && as.Severity == report.Info {
		return false
	}
	f.Rule, f.Data = "tasks.exec", cl
	f.Title = fmt.Sprintf("Scheduled task %s runs %s", path, as.Path.Base)
	f.Detail = "Task Scheduler starts " + cl
	if a.WorkingDir != "" {
		f.Detail += fmt.Sprintf(" in %s", a.WorkingDir)
	}
	f.Detail += " whenever a trigger of the task fires."
	f.Severity = s.placeSeverity(f, "program", as.Path, as.Payload, msProg)
	if ms && !msProg {
		f.Severity = report.Max(f.Severity, report.Medium)
		f.Detail += " The task sits in Microsoft's folder of the task library, whose tasks run Windows' and Microsoft's programs; a task named like Windows' running another program is a common way to blend in."
	}
	analysis.Assessed(f, as, "T1053.005")
	if !ms && analysis.HasReason(as, "cmd.shell") {
		f.Severity = report.Max(f.Severity, report.Medium)
		f.Detail += " Apart from Software Inventory Logging, Windows' own tasks do not start cmd.exe: a task that does runs a script or a chain of commands. Read what it does."
	}
	if hides(as) {
		f.Severity = report.Max(f.Severity, report.High)
		f.Detail += " A scheduled interpreter told to hide its window, bypass policy, decode or download content is how loaders persist; treat the host as compromised until the command is explained."
	}
	return true
}

// placeSeverity sets the base severity of a task's program or DLL by where
// it lies, and says why in f's detail.
func (s *scan) placeSeverity(f *report.Finding, noun string, prog, payload winpath.Path, microsoft bool) report.Severity {
	inProduct := func(p winpath.Path) bool {
		return analysis.InProgramFiles(p) || analysis.MicrosoftPath(p) || perUserInstall(p)
	}
	switch {
	case microsoft:
		f.Detail += " The " + noun + " itself is Windows' or Microsoft's."
		return report.Info
	case inProduct(prog) && (payload.Full == "" || inProduct(payload)):
		f.Detail += " The " + noun + " lies where installed products keep theirs; listed for inventory. Check that the product is expected on this host."
		return report.Info
	}
	f.Detail += " The " + noun + " lies outside the Windows, Program Files and per-user program folders where installers put what their tasks run. Collect it, hash it and check its signer."
	return report.Medium
}

// perUserInstall reports a program under a profile's AppData, where
// per-user installers (OneDrive, Teams) put theirs.
func perUserInstall(p winpath.Path) bool {
	e := strings.Split(strings.ToLower(p.Dir), `\`)
	return len(e) >= 4 && e[1] == "users" && e[2] != "public" && e[3] == "appdata"
}

// comServer returns the InprocServer32 (else LocalServer32) of a CLSID
// registered in SOFTWARE\Classes (native or 32-bit).
func (s *scan) comServer(clsid string) (server, where string, found bool) {
	for _, base := range []string{`Classes\CLSID\`, `Wow6432Node\Classes\CLSID\`, `Classes\Wow6432Node\CLSID\`} {
		for _, sub := range []string{"InprocServer32", "LocalServer32"} {
			k, ok, err := analysis.OptionalKey(s.root, base+clsid+`\`+sub)
			s.fail(s.root, err)
			if !ok {
				continue
			}
			_, v, err := analysis.Text(k, "")
			s.fail(k, err)
			if v != "" {
				return v, k.Path(), true
			}
		}
	}
	return "", "", false
}

func (s *scan) judgeCOM(f *report.Finding, path string, ms bool, a Action) bool {
	f.Rule, f.Data, f.Attack = "tasks.comhandler", a.CLSID, []string{"T1053.005"}
	server, where, found := s.comServer(a.CLSID)
	if !found {
		f.Severity = report.Low
		if ms {
			f.Severity = report.Info
		}
		f.Title = fmt.Sprintf("Scheduled task %s loads COM handler %s, not registered in this hive", path, a.CLSID)
		f.Detail = fmt.Sprintf("The task's action is the COM handler %s%s, which SOFTWARE\\Classes\\CLSID does not register: the action fails unless the class is registered elsewhere (a user's Classes). Look the CLSID up in the users' UsrClass.dat hives.", a.CLSID, handlerData(a))
		return true
	}
	as := analysis.TrustMicrosoft(winpath.AssessPath(server, s.env))
	msDLL := analysis.MicrosoftPath(as.Path)
	if ms && msDLL && as.Severity == report.Info {
		return false
	}
	f.Data = a.CLSID + " " + server
	f.Title = fmt.Sprintf("Scheduled task %s loads COM handler %s", path, as.Path.Base)
	f.Detail = fmt.Sprintf("When the task runs, taskhostw.exe loads the COM handler %s, registered at %s as %s%s.", a.CLSID, where, server, handlerData(a))
	f.Severity = s.placeSeverity(f, "DLL", as.Path, winpath.Path{}, msDLL)
	if ms && !msDLL {
		f.Severity = report.Max(f.Severity, report.High)
		f.Attack = analysis.AppendUnique(f.Attack, "T1546.015")
		f.Detail += " The task sits in Microsoft's folder, whose handlers are Windows DLLs: a Windows task whose class now points elsewhere is a COM hijack that runs on the task's schedule."
	}
	analysis.Assessed(f, as, "T1053.005")
	return true
}

// handlerData is the data a COM handler is given, for a detail.
func handlerData(a Action) string {
	if a.Data == "" {
		return ""
	}
	return fmt.Sprintf(" (with data %q)", a.Data)
}

// judgeLegacy reports the deprecated e-mail and message actions of tasks
// outside Microsoft's folder.
func (s *scan) judgeLegacy(f *report.Finding, path string, ms bool, a Action) bool {
	if ms {
		return false
	}
	f.Rule, f.Severity, f.Attack = "tasks.legacy-action", report.Low, []string{"T1053.005"}
	switch a.Kind {
	case KindSendEmail:
		e := a.Email
		f.Data = e.To
		f.Title = fmt.Sprintf("Scheduled task %s sends e-mail to %s", path, e.To)
		f.Detail = fmt.Sprintf("The task's action sends e-mail (server %q, from %q, to %q, subject %q, %d attachments).", e.Server, e.From, e.To, e.Subject, len(e.Attachments))
	default:
		f.Data = a.Caption
		f.Title = fmt.Sprintf("Scheduled task %s shows a message", path)
		f.Detail = fmt.Sprintf("The task's action shows the message %q (caption %q).", a.Message, a.Caption)
	}
	f.Detail += " Windows 8 and later no longer run e-mail and message actions, so the task was written for, or by a tool that targets, older Windows."
	return true
}

// context describes a task for its findings: who it runs as, when it was
// registered and last ran, and which trigger lists name it.
//
// The values read here are labels: one that does not decode costs its part
// of the sentence, not the finding.
func (s *scan) context(k *hive.Key, a Actions, lists []listEntry) string {
	var parts []string
	if _, author, err := analysis.Text(k, "Author"); err == nil && author != "" {
		parts = append(parts, fmt.Sprintf("author %q", author))
	}
	if a.Context != "" {
		parts = append(parts, "actions run as principal "+a.Context)
	}
	if v, ok, err := analysis.OptionalValue(k, "DynamicInfo"); err == nil && ok {
		if b, err := v.Bytes(); err == nil {
			if d, err := ParseDynamicInfo(b); err == nil {
				if !d.Registered.IsZero() {
					parts = append(parts, "registered "+d.Registered.Format(time.RFC3339))
				}
				if !d.LastRun.IsZero() {
					parts = append(parts, "last run "+d.LastRun.Format(time.RFC3339))
				}
			}
		}
	}
	var names []string
	for _, le := range lists {
		names = append(names, le.list)
	}
	if len(names) > 0 {
		parts = append(parts, "listed under TaskCache\\"+strings.Join(names, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Task: " + strings.Join(parts, "; ") + " (DynamicInfo times are UTC)."
}
