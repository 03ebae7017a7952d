package services

import (
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// Services reports services and drivers whose image, DLL, failure command or
// name is out of place.
var Services = &analysis.Analyzer{
	Name: "services",
	Doc: `Services and drivers: images, service DLLs, failure commands and names
Every Services\* key of every control set is a program or driver that the
service control manager or the kernel loads, usually as SYSTEM. Reported:
kernel drivers not named .sys or loaded from outside System32\drivers and the
DriverStore (critical from user-writable folders); services whose image sits
in a user-writable folder, carries a critical process name out of place
(smss.exe in System32\drivers), is an unquoted path with spaces, or is judged
risky by the path assessor; service DLLs (Parameters\ServiceDll) not named
.dll or outside System32; failure commands that run when the service fails;
display names that claim Windows or Microsoft for a non-Microsoft image; and
remote-execution services such as PSEXESVC. Services whose files lie where
only Windows and Microsoft products install (System32, DriverStore, the
Windows subfolders, Program Files\Microsoft*, Windows Defender) and that trip
no rule are not reported; every other service is listed at info, once when
control sets agree.`,
	Needs:  []hive.Kind{hive.KindSystem},
	Attack: []string{"T1543.003", "T1036.004", "T1036.005", "T1574.009", "T1569.002"},
	Run:    runServices,
}

// svcKey is what one Services\<name> key says.
type svcKey struct {
	e       *hive.Entry
	cs      hive.ControlSet
	key     *hive.Key
	typ     uint64
	hasType bool
	start   uint64
	account string

	image     *hive.Value
	imagePath string
	dllKey    *hive.Key
	dll       *hive.Value
	dllPath   string
	failCmd   *hive.Value
	failText  string
	failRuns  bool
	display   *hive.Value
	dispName  string
	group     string // the svchost group of an ImagePath "svchost.exe -k <group>"
	svchost   bool   // ImagePath runs svchost.exe with a group
}

func (s svcKey) isDriver() bool { return s.hasType && s.typ&0xF != 0 }

func runServices(p *analysis.Pass) error {
	env := p.Env(nil)
	verdicts := newSvcVerdicts(env)
	var out []report.Finding
	err := p.EachControlSet(func(e *hive.Entry, cs hive.ControlSet) error {
		keys, err := analysis.Subkeys(cs.Key, "Services")
		for _, k := range keys {
			if err := p.Context().Err(); err != nil {
				return err
			}
			s, rerr := svcRead(e, cs, k)
			out = append(out, s.judge(verdicts)...)
			if rerr != nil {
				err = fmt.Errorf("%s: %w", k.Path(), rerr)
			}
		}
		return err
	})
	p.Report(svcDropRepeatedInventory(out)...)
	return err
}

func svcRead(e *hive.Entry, cs hive.ControlSet, k *hive.Key) (svcKey, error) {
	s := svcKey{e: e, cs: cs, key: k}
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var err error
	s.typ, _, s.hasType, err = analysis.Uint(k, "Type")
	keep(err)
	var hasStart bool
	s.start, _, hasStart, err = analysis.Uint(k, "Start")
	keep(err)
	if !hasStart {
		s.start = 99
	}
	_, s.account, err = analysis.Text(k, "ObjectName")
	keep(err)
	s.image, s.imagePath, err = analysis.Text(k, "ImagePath")
	keep(err)
	s.group, s.svchost = svchostGroupOf(s.imagePath)
	s.display, s.dispName, err = analysis.Text(k, "DisplayName")
	keep(err)
	s.failCmd, s.failText, err = analysis.Text(k, "FailureCommand")
	keep(err)
	if v, ok, err := analysis.OptionalValue(k, "FailureActions"); ok {
		b, err := v.Bytes()
		keep(err)
		s.failRuns = svcFailureRunsCommand(b)
	} else {
		keep(err)
	}
	s.dllKey = k
	if p, ok, err := analysis.OptionalKey(k, "Parameters"); ok {
		if v, dll, err := analysis.Text(p, "ServiceDll"); v != nil {
			s.dllKey, s.dll, s.dllPath = p, v, dll
		} else {
			keep(err)
		}
	} else {
		keep(err)
	}
	if s.dll == nil {
		s.dll, s.dllPath, err = analysis.Text(k, "ServiceDll")
		keep(err)
	}
	return s, errors.Join(errs...)
}

// svcFailureRunsCommand reports whether a SERVICE_FAILURE_ACTIONS blob (reset
// period, reboot message, command, action count, actions offset, then 8-byte
// {type, delay} actions) holds SC_ACTION_RUN_COMMAND (3).
func svcFailureRunsCommand(b []byte) bool {
	if len(b) < 20 {
		return false
	}
	n := int(binary.LittleEndian.Uint32(b[12:16]))
	for i := 0; i < n && 20+8*i+8 <= len(b); i++ {
		if binary.LittleEndian.Uint32(b[20+8*i:]) == 3 {
			return true
		}
	}
	return false
}

func (s svcKey) judge(c *svcVerdicts) []report.Finding {
	var out []report.Finding
	imgMS := true
	if s.image != nil && s.imagePath != "" {
		f, ms, ok := s.judgeImage(c)
		imgMS = ms
		if ok {
			out = append(out, f)
		}
	} else if !s.isDriver() {
		return nil // not a service (performance or event-log registration)
	}
	dllMS := true
	if s.dll != nil && s.dllPath != "" {
		f, ms, ok := s.judgeServiceDll(c)
		dllMS = ms
		if ok {
			out = append(out, f)
		}
	}
	if f, ok := s.judgeFailureCommand(c.env); ok {
		out = append(out, f)
	}
	if f, ok := s.judgeDisplayName(imgMS && dllMS); ok {
		out = append(out, f)
	}
	if len(out) == 0 && (!imgMS || !dllMS) {
		f := analysis.InSet(analysis.At(s.e, s.key), s.cs)
		if s.image != nil {
			f = analysis.InSet(analysis.AtValue(s.e, s.key, s.image), s.cs)
		}
		f.Rule, f.Severity = "service.inventory", report.Info
		f.Title = fmt.Sprintf("Service %s (not a Windows or Microsoft location)", s.key.Name())
		f.Detail = s.about() + " Its files are outside the locations Windows and Microsoft products use; nothing else stands out. Listed for inventory: confirm the product is expected on this host."
		if s.dll != nil && !dllMS {
			f.Detail += " Service DLL: " + s.dllPath + "."
		}
		f.Attack = []string{"T1543.003"}
		out = append(out, f)
	}
	return out
}

// about describes the service for a detail line.
func (s svcKey) about() string {
	acct := s.account
	if acct == "" {
		acct = "LocalSystem"
		if s.isDriver() {
			acct = "the kernel"
		}
	}
	return fmt.Sprintf("Service %s (%s, start %s, runs as %s, image \"%s\").", s.key.Name(), svcTypeName(s.typ, s.hasType), svcStartName(s.start), acct, s.imagePath)
}

func svcTypeName(t uint64, ok bool) string {
	if !ok {
		return "no Type"
	}
	switch {
	case t&1 != 0:
		return "kernel driver"
	case t&2 != 0:
		return "file system driver"
	case t&0xC != 0:
		return "driver"
	case t&0x40 != 0:
		return "per-user service"
	case t&0x20 != 0:
		return "shared-process service"
	case t&0x10 != 0:
		return "own-process service"
	}
	return fmt.Sprintf("type 0x%x", t)
}

func svcStartName(n uint64) string {
	switch n {
	case 0:
		return "boot"
	case 1:
		return "system"
	case 2:
		return "automatic"
	case 3:
		return "on demand"
	case 4:
		return "disabled"
	case 99:
		return "not set"
	}
	return fmt.Sprint(n)
}

// svcRemoteExec are service images left by remote-execution tools.
var svcRemoteExec = regexp.MustCompile(`(?i)^(psexesvc|paexec[-_a-z0-9]*|remcomsvc|csexecsvc|winexesvc)\.exe$`)

// svcInterpreters are the command interpreters and script hosts no
// Windows service runs as its image (winpath launcher names).
var svcInterpreters = map[string]bool{"cmd": true, "powershell": true, "pwsh": true, "mshta": true, "wscript": true, "cscript": true}

// judgeImage judges ImagePath; ms reports a Microsoft location.
func (s svcKey) judgeImage(c *svcVerdicts) (f report.Finding, ms, ok bool) {
	f = analysis.InSet(analysis.AtValue(s.e, s.key, s.image), s.cs)
	f.Attack = []string{"T1543.003"}
	role := svcImage
	if s.isDriver() {
		role = svcDriver
	}
	v := c.of(s.imagePath, role)
	a, p, ms := v.a, v.a.Path, v.ms
	f.Detail = s.about()
	var rule string
	if s.isDriver() {
		rule = s.judgeDriverPath(&f, v)
	} else if v.writable && !ms {
		rule, f.Severity = "service.user-writable", report.High
		f.Title = fmt.Sprintf("Service %s runs from a user-writable folder", s.key.Name())
		f.Detail += fmt.Sprintf(" %s is in %s, which standard users can write: whoever replaces the file runs code as %s at the next start. Collect the file and check its signer and hash.", p.Base, p.Dir, svcAccount(s.account))
	}
	if svcRemoteExec.MatchString(p.Base) {
		f.Severity = report.Max(f.Severity, report.Medium)
		if rule == "" {
			rule = "service.remote-exec"
			f.Title = fmt.Sprintf("Remote-execution service %s (%s)", s.key.Name(), p.Base)
		}
		f.Detail += " " + p.Base + " is the service a remote-execution tool (PsExec and its clones) installs on the target to run commands sent over SMB: someone ran commands on this host remotely. Correlate the key's last-write time with logons (event 4624 type 3) and service installs (event 7045)."
		f.Attack = analysis.AppendUnique(f.Attack, "T1569.002")
	}
	if host := a.Command.Launcher; !s.isDriver() && svcInterpreters[host] {
		f.Severity = report.Max(f.Severity, report.High)
		if rule == "" {
			rule = "service.interpreter"
			f.Title = fmt.Sprintf("Service %s runs a command through %s", s.key.Name(), p.Base)
		}
		f.Detail += fmt.Sprintf(" A service's image is normally a program built to be a service; this one is the %s interpreter, told to run %q as %s at each start. That is how remote-execution frameworks, service-based lateral movement and the tscon session hijack run commands, and Windows registers no such service. Read the command, then correlate the key's last-write time with service installs (event 7045).", host, a.Command.ArgString, svcAccount(s.account))
		f.Attack = analysis.AppendUnique(f.Attack, "T1569.002", "T1059")
	}
	analysis.Assessed(&f, a)
	switch {
	case analysis.HasReason(a, "masquerade."):
		rule = "service.image-masquerade"
		f.Title = fmt.Sprintf("Service %s runs %s from %s", s.key.Name(), p.Base, p.Dir)
	case rule != "":
	case analysis.HasReason(a, "path.unquoted"):
		rule = "service.unquoted-path"
		f.Title = fmt.Sprintf("Service %s has an unquoted image path with spaces", s.key.Name())
	case f.Severity > report.Info:
		rule = "service.image"
		f.Title = fmt.Sprintf("Service %s runs %s", s.key.Name(), p.Full)
	default:
		return f, ms, false
	}
	f.Rule = rule
	return f, ms, true
}

func svcAccount(acct string) string {
	if acct == "" {
		return "LocalSystem"
	}
	return acct
}

// judgeDriverPath applies the driver rules to f and returns the rule id ("" when none).
func (s svcKey) judgeDriverPath(f *report.Finding, v svcPathVerdict) string {
	p, ms := v.a.Path, v.ms
	rule := ""
	d, root := strings.ToLower(p.Dir), strings.ToLower(p.SystemRoot)
	inDrivers := d == root+`\system32\drivers` || strings.HasPrefix(d, root+`\system32\driverstore\`)
	if p.Ext != ".sys" {
		rule, f.Severity = "service.driver-extension", report.High
		f.Title = fmt.Sprintf("Driver %s loads %s, not a .sys file", s.key.Name(), p.Base)
		f.Detail += " Kernel drivers are .sys files; a driver image named otherwise is disguised. Collect it and check its signer."
	}
	if inDrivers || ms {
		return rule
	}
	sev, where := report.High, "outside System32\\drivers and the DriverStore"
	switch {
	case v.writable:
		sev, where = report.Critical, "from a folder standard users can write ("+p.Dir+")"
	case v.programFiles:
		sev, where = report.Low, "from its product's Program Files folder ("+p.Dir+")"
	}
	f.Severity = report.Max(f.Severity, sev)
	if rule == "" {
		rule = "service.driver-location"
		f.Title = fmt.Sprintf("Driver %s loads %s %s", s.key.Name(), p.Base, where)
	}
	f.Detail += fmt.Sprintf(" The kernel loads %s %s; drivers normally live in System32\\drivers or the DriverStore. Kernel code runs with full control of the machine: collect the file, check its signer and whether it is a known vulnerable or rootkit driver.", p.Full, where)
	f.Attack = analysis.AppendUnique(f.Attack, "T1014")
	return rule
}

// judgeServiceDll judges Parameters\ServiceDll; ms reports a Microsoft location.
func (s svcKey) judgeServiceDll(c *svcVerdicts) (f report.Finding, ms, ok bool) {
	f = analysis.InSet(analysis.AtValue(s.e, s.dllKey, s.dll), s.cs)
	f.Attack = []string{"T1543.003"}
	v := c.of(s.dllPath, svcDLL)
	a, p, ms := v.a, v.a.Path, v.ms
	switch {
	case s.svchost:
		f.Detail = s.about() + fmt.Sprintf(" svchost.exe -k %s loads its service DLL %s into the svchost process of that group, beside Windows' own services of the group when they share one.", s.group, p.Full)
	case s.image != nil && s.imagePath != "":
		f.Detail = s.about() + fmt.Sprintf(" Its service DLL is %s; only svchost.exe loads a ServiceDll, and this image is not \"svchost.exe -k <group>\", so the DLL is dormant until the ImagePath is pointed at svchost.", p.Full)
	default:
		f.Detail = s.about() + fmt.Sprintf(" svchost.exe loads its service DLL %s.", p.Full)
	}
	if p.Ext != ".dll" {
		f.Severity = report.High
		f.Detail += " The file is not named .dll: service DLLs that hide as other file types are a known trick."
	}
	switch {
	case v.inSystem32 || ms:
	case v.writable:
		f.Severity = report.Max(f.Severity, report.High)
		f.Detail += " It lies in a folder standard users can write, so anyone can replace the code svchost runs as " + svcAccount(s.account) + "."
	default:
		f.Severity = report.Max(f.Severity, report.Medium)
		f.Detail += " Windows' own service DLLs all live in System32; a service DLL elsewhere is either a third-party svchost service (rare) or a hijacked one."
	}
	analysis.Assessed(&f, a)
	if f.Severity == report.Info {
		return f, ms, false
	}
	f.Rule = "service.servicedll"
	f.Title = fmt.Sprintf("Service %s loads DLL %s", s.key.Name(), p.Full)
	f.Detail += " Collect the DLL and check its signer and hash; compare with the service's usual DLL."
	return f, ms, true
}

// judgeFailureCommand judges FailureCommand when FailureActions runs it.
func (s svcKey) judgeFailureCommand(env winpath.Env) (report.Finding, bool) {
	if s.failCmd == nil || s.failText == "" || !s.failRuns {
		return report.Finding{}, false
	}
	f := analysis.InSet(analysis.AtValue(s.e, s.key, s.failCmd), s.cs)
	f.Attack = []string{"T1543.003"}
	a := analysis.TrustMicrosoft(winpath.Assess(s.failText, env))
	if a.Severity == report.Info && a.Command.Launcher == "" && analysis.MicrosoftPath(a.Path) {
		return f, false
	}
	f.Rule, f.Severity = "service.failure-command", report.Low
	f.Title = fmt.Sprintf("Service %s runs a command when it fails", s.key.Name())
	f.Detail = s.about() + fmt.Sprintf(" Its recovery actions run \"%s\" (as %s) each time the service fails: a way to get code run by making a service crash. Vendors use it for recovery scripts; confirm the command is the product's own.", s.failText, svcAccount(s.account))
	if winpath.IsUserWritable(a.Path) && !analysis.MicrosoftPath(a.Path) {
		f.Severity = report.High
		f.Detail += " The program sits in a folder standard users can write, so anyone can choose what runs as " + svcAccount(s.account) + "."
	}
	analysis.Assessed(&f, a)
	return f, true
}

// svcMSDisplayName matches display names that claim to be Windows or Microsoft.
var svcMSDisplayName = regexp.MustCompile(`(?i)\b(microsoft|windows)\b`)

// judgeDisplayName reports a Windows- or Microsoft-sounding display name on
// a service whose files are not in Microsoft locations.
func (s svcKey) judgeDisplayName(microsoft bool) (report.Finding, bool) {
	if microsoft || s.display == nil || strings.HasPrefix(s.dispName, "@") || !svcMSDisplayName.MatchString(s.dispName) {
		return report.Finding{}, false
	}
	f := analysis.InSet(analysis.AtValue(s.e, s.key, s.display), s.cs)
	f.Rule, f.Severity = "service.display-name-mimic", report.Medium
	f.Title = fmt.Sprintf("Service %s is named \"%s\" but is not a Microsoft component", s.key.Name(), s.dispName)
	f.Detail = s.about() + " The display name suggests a Windows or Microsoft component, yet its files are outside the locations Windows and Microsoft products use. Malware names its services after Windows ones to pass a glance at services.msc. Check the image's signer."
	f.Attack = []string{"T1036.004", "T1543.003"}
	return f, true
}

// svcDropRepeatedInventory removes inventory findings of a non-current control
// set that the current set reports identically.
func svcDropRepeatedInventory(fs []report.Finding) []report.Finding {
	type id struct{ hive, key, data string }
	current := map[id]bool{}
	idOf := func(f report.Finding) id {
		return id{f.Hive, strings.ToLower(analysis.StripControlSet(f.Key)), fmt.Sprint(f.Data)}
	}
	for _, f := range fs {
		if f.Rule == "service.inventory" && analysis.HasRole(f.ControlSetRole, hive.RoleCurrent) {
			current[idOf(f)] = true
		}
	}
	out := fs[:0]
	for _, f := range fs {
		if f.Rule == "service.inventory" && !analysis.HasRole(f.ControlSetRole, hive.RoleCurrent) && current[idOf(f)] {
			continue
		}
		out = append(out, f)
	}
	return out
}
