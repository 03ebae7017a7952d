package scan

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// nt4KnownDLLs is the KnownDLLs key of Windows NT 4.0 (Microsoft's "Windows
// NT 4.0 KnownDLLs" article; analyzers/sessionmanager/baselines/knowndlls/nt4.txt).
var nt4KnownDLLs = []string{"advapi32", "comdlg32", "crtdll", "gdi32", "kernel32", "lz32", "olecli32", "olesvr32", "rpcrt4", "shell32", "user32", "version"}

// overwritten lists the deleted copies of Windows' own values that NT 4.0
// leaves in freed cells (an older copy of each, replaced when the value was
// rewritten), by key below the control set.
var overwritten = []struct{ key, name, data string }{
	{`Services\EventLog`, "ImagePath", `%SystemRoot%\system32\services.exe`},
	{`Services\Spooler`, "ImagePath", `%SystemRoot%\system32\spoolss.exe`},
	{`Services\LanmanServer`, "ImagePath", `%SystemRoot%\system32\services.exe`},
	{`Services\LanmanWorkstation`, "ImagePath", `%SystemRoot%\system32\services.exe`},
	{`Control\Session Manager\SubSystems`, "Windows", `%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows SharedSection=1024,3072 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=winsrv:ConServerDllInitialization,2 ProfileControl=Off MaxRequestThreads=16`},
}

// nt4System builds an NT 4.0 SYSTEM hive (regf 1.3, lf lists) in the shape
// Microsoft documents for NT 4.0 and the corpus XP hives show for the keys NT
// 4.0 shares with XP: two control sets, the Spooler running spoolss.exe,
// ProtectionMode 0, the NT 4.0 KnownDLLs, and in freed cells older copies of
// service image paths and the SubSystems Windows line whose first bytes the
// free-cell link overwrote.
func nt4System(t *testing.T) []byte {
	t.Helper()
	cs := func() *hivetest.Key {
		k := &hivetest.Key{Name: "ControlSet"}
		sm := samples.Set(k, `Control\Session Manager`,
			hivetest.MultiSZ("BootExecute", "autocheck autochk *"),
			hivetest.DWORD("ProtectionMode", 0),
			hivetest.DWORD("GlobalFlag", 0),
			hivetest.MultiSZ("ObjectDirectories", `\Windows`, `\RPC Control`))
		_ = sm
		kd := samples.Set(k, `Control\Session Manager\KnownDLLs`, hivetest.ExpandSZ("DllDirectory", `%SystemRoot%\system32`))
		for _, d := range nt4KnownDLLs {
			kd.Values = append(kd.Values, hivetest.SZ(strings.ToUpper(d[:1])+d[1:], d+".dll"))
		}
		samples.Set(k, `Control\Session Manager\SubSystems`,
			hivetest.ExpandSZ("Windows", overwritten[4].data),
			hivetest.ExpandSZ("Debug", ""),
			hivetest.ExpandSZ("Os2", `%SystemRoot%\system32\os2ss.exe`),
			hivetest.ExpandSZ("Posix", `%SystemRoot%\system32\psxss.exe`),
			hivetest.MultiSZ("Required", "Debug", "Windows"),
			hivetest.MultiSZ("Optional", "Os2", "Posix"))
		samples.Set(k, `Control\Session Manager\Environment`,
			hivetest.ExpandSZ("ComSpec", `%SystemRoot%\system32\cmd.exe`),
			hivetest.SZ("OS", "Windows_NT"),
			hivetest.ExpandSZ("Path", `%SystemRoot%\system32;%SystemRoot%`),
			hivetest.SZ("windir", `%SystemRoot%`))
		samples.Set(k, `Control\Session Manager\Memory Management`, hivetest.MultiSZ("PagingFiles", `C:\pagefile.sys 27 77`))
		svc := func(name, image, display string, typ uint32) {
			samples.Set(k, `Services\`+name, hivetest.ExpandSZ("ImagePath", image), hivetest.DWORD("Type", typ),
				hivetest.DWORD("Start", 2), hivetest.DWORD("ErrorControl", 1), hivetest.SZ("DisplayName", display), hivetest.SZ("ObjectName", "LocalSystem"))
		}
		svc("EventLog", `%SystemRoot%\system32\services.exe`, "EventLog", 0x20)
		svc("Spooler", `%SystemRoot%\system32\spoolss.exe`, "Spooler", 0x110)
		svc("LanmanServer", `%SystemRoot%\system32\services.exe`, "Server", 0x20)
		svc("LanmanWorkstation", `%SystemRoot%\system32\services.exe`, "Workstation", 0x20)
		for _, o := range overwritten {
			key := samples.At(k, o.key)
			key.DeletedValues = append(key.DeletedValues, hivetest.ExpandSZ(o.name, o.data))
		}
		return k
	}
	one, two := cs(), cs()
	one.Name, two.Name = "ControlSet001", "ControlSet002"
	root := &hivetest.Key{Name: "CMI-CreateHive{2A7FB991-7BBE-4F9D-B91E-7CB51D4737F5}", Subkeys: []*hivetest.Key{
		one, two,
		{Name: "Select", Values: []hivetest.Value{hivetest.DWORD("Current", 1), hivetest.DWORD("Default", 1), hivetest.DWORD("Failed", 0), hivetest.DWORD("LastKnownGood", 2)}},
		{Name: "Setup", Values: []hivetest.Value{hivetest.DWORD("SetupType", 0), hivetest.SZ("CmdLine", "setup -newsetup")}},
	}}
	b, err := hivetest.Build(root, hivetest.Options{Minor: 3, FileName: `\SystemRoot\System32\Config\SYSTEM`})
	if err != nil {
		t.Fatal(err)
	}
	// NT 4.0 links a freed cell into its bin's free list through the cell's
	// first 4 bytes: the first two UTF-16 characters of each old copy are
	// gone ("%S" of "%SystemRoot%").
	for _, set := range []string{"ControlSet001", "ControlSet002"} {
		for _, o := range overwritten {
			vk, ok := b.DeletedValueCell(set+`\`+o.key, o.name)
			if !ok {
				t.Fatalf("no deleted %s in %s", o.name, o.key)
			}
			data := binary.LittleEndian.Uint32(b.Bytes[4096+vk+4+8:])
			binary.LittleEndian.PutUint32(b.Bytes[4096+int(data)+4:], 0xFFFFFFFF)
		}
	}
	b.Fix()
	return b.Bytes
}

// nt4Software builds the matching SOFTWARE hive: version 4.0 build 1381,
// NT 4.0's Winlogon and shell folders (profiles under %SystemRoot%\Profiles),
// and a Run value that was written and deleted from the middle of its list.
func nt4Software(t *testing.T) []byte {
	t.Helper()
	root := &hivetest.Key{Name: "CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}", Subkeys: []*hivetest.Key{
		{Name: "Classes"}, {Name: "Description"}, {Name: "Program Groups"}, {Name: "Secure"}, {Name: "Windows 3.1 Migration Status"},
	}}
	samples.Set(root, `Microsoft\Windows NT\CurrentVersion`,
		hivetest.SZ("CurrentVersion", "4.0"), hivetest.SZ("CurrentBuildNumber", "1381"),
		hivetest.SZ("CSDVersion", "Service Pack 6"), hivetest.SZ("SystemRoot", `C:\WINNT`),
		hivetest.SZ("ProductName", "Microsoft Windows NT"))
	samples.Set(root, `Microsoft\Windows NT\CurrentVersion\Winlogon`,
		hivetest.SZ("Shell", "Explorer.exe"), hivetest.SZ("Userinit", `C:\WINNT\system32\userinit,nddeagnt.exe`),
		hivetest.SZ("System", "lsass.exe"), hivetest.SZ("VmApplet", `rundll32 shell32,Control_RunDLL "sysdm.cpl"`))
	samples.Set(root, `Microsoft\Windows\CurrentVersion\Explorer\Shell Folders`,
		hivetest.SZ("Common Startup", `C:\WINNT\Profiles\All Users\Start Menu\Programs\Startup`))
	samples.Set(root, `Microsoft\Windows\CurrentVersion\Explorer\User Shell Folders`,
		hivetest.ExpandSZ("Common Startup", `%SystemRoot%\Profiles\All Users\Start Menu\Programs\Startup`))
	samples.Set(root, `Microsoft\Windows\CurrentVersion\Run`,
		hivetest.SZ("Synchronization Manager", `mobsync.exe /logon`),
		hivetest.SZ("Updater", `C:\WINNT\Temp\smss.exe`),
		hivetest.SZ("NAV Agent", `C:\PROGRA~1\NAVNT\navapw32.exe`))
	b, err := hivetest.Build(root, hivetest.Options{Minor: 3, FileName: `\SystemRoot\System32\Config\SOFTWARE`})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.FreeValue(`Microsoft\Windows\CurrentVersion\Run`, "Updater"); err != nil {
		t.Fatal(err)
	}
	b.Fix()
	return b.Bytes
}

// A clean NT 4.0 host gives no finding above low: its carved copies of
// Windows' own values are duplicates or judged as carved, spoolss.exe is
// NT 4.0's spooler, ProtectionMode 0 and the NT 4.0 KnownDLLs are its
// defaults, and its shell folders sit in %SystemRoot%\Profiles. The one
// planted value, deleted from the middle of the Run list, is reported at
// the Run key.
func TestNT4HostNoFalseAlarms(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nt4")
	if err := os.MkdirAll(filepath.Join(dir, "WINNT", "system32", "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"SYSTEM": nt4System(t), "SOFTWARE": nt4Software(t)} {
		if err := os.WriteFile(filepath.Join(dir, "WINNT", "system32", "config", name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Run(context.Background(), Options{Paths: []string{dir}, Analyzers: analyzers.All()})
	if err != nil {
		t.Fatal(err)
	}
	var run []report.Finding
	for _, f := range r.Findings {
		if strings.HasSuffix(f.Key, `CurrentVersion\Run`) && f.Value != nil && *f.Value == "Updater" {
			run = append(run, f)
			continue
		}
		if f.Severity > report.Low {
			t.Errorf("false alarm on NT 4.0: %s %s %s %v %q: %s", f.Severity, f.Rule, f.Key, deref(f.Value), f.Data, f.Title)
		}
		if strings.Contains(f.Key, "deleted values of unknown keys") {
			t.Errorf("deleted value left in the unknown bucket: %+v", f)
		}
	}
	if len(run) != 1 || !run[0].Deleted || run[0].Severity != report.Critical || run[0].Confidence != "intact" {
		t.Fatalf("the deleted Run value should be one critical deleted finding at the Run key: %+v", run)
	}
	if !strings.Contains(run[0].Detail, "likely owner") {
		t.Errorf("a placement by evidence should say so: %s", run[0].Detail)
	}
	var notes string
	for _, in := range r.Inputs {
		notes += strings.Join(in.Notes, "\n") + "\n"
	}
	if !strings.Contains(notes, "10 equal to a live value") {
		t.Errorf("the 10 overwritten copies should be recognised as duplicates of the live values:\n%s", notes)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<key>"
	}
	return *s
}
