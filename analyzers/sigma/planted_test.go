package sigma

import (
	"sort"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/report"
)

// plantedSet is a host whose hives hold one attacker write for each of ten
// embedded SigmaHQ rules, beside stock values those rules also look at.
func plantedSet(t testing.TB) *hive.Set {
	ctl := k("Control", nil,
		nest([]string{"SecurityProviders"}, k("WDigest", vals(hivetest.DWORD("UseLogonCredential", 1)))),
		nest([]string{"LsaExtensionConfig"}, k("LsaSrv", vals(hivetest.MultiSZ("Extensions", "lsasrv.dll", "efslsaext.dll", `C:\ProgramData\lsaext.dll`)))),
		nest([]string{"ContentIndex", "Language"}, k("English_US", vals(
			hivetest.SZ("StemmerClass", "{61A48126-EF74-4d4a-9DDA-43FD542CAD1E}"), // stock
			hivetest.SZ("StemmerDLLPathOverride", `C:\Users\Public\stem.dll`)))),
		nest([]string{"Terminal Server", "WinStations"}, k("RDP-Tcp", vals(hivetest.DWORD("Shadow", 2)))),
		k("Session Manager", vals(hivetest.MultiSZ("BootExecute", "autocheck autochk *", `C:\Windows\Temp\wiper.exe`))),
		k("MiniNt", nil),
	)
	svcs := k("Services", nil,
		nest([]string{"WinSock2"}, k("Parameters", vals(hivetest.SZ("AutodialDLL", `C:\Users\Public\dial.dll`)))),
		nest([]string{"EventLog"}, k("Security", vals(hivetest.ExpandSZ("File", `C:\Windows\Temp\sec.evtx`)))),
	)
	sys := builtHive(t, `\SystemRoot\System32\Config\SYSTEM`,
		k("Select", vals(hivetest.DWORD("Current", 1), hivetest.DWORD("Default", 1))),
		k("ControlSet001", nil, ctl, svcs))
	sw := builtHive(t, `\SystemRoot\System32\Config\SOFTWARE`, k("Classes", nil),
		nest([]string{"Microsoft", "Windows NT", "CurrentVersion", "Winlogon"}, k("Notify", nil, k("evil", vals(hivetest.SZ("DllName", `C:\Users\Public\n.dll`))))))
	nt := builtHive(t, `\??\C:\Users\mallory\ntuser.dat`, k("Environment", nil),
		nest([]string{"Software", "Microsoft", "Windows", "CurrentVersion", "Explorer"}, k("User Shell Folders", vals(hivetest.ExpandSZ("Startup", `C:\Windows\Temp\s`)))))
	uc := builtHive(t, `\??\C:\Users\mallory\AppData\Local\Microsoft\Windows\UsrClass.dat`, k("CLSID", nil),
		nest([]string{"AppX82a6gwre4fdg3bt635tn5ctqjf8msdd2", "Shell", "open"}, k("command", vals(hivetest.SZ("", `C:\Windows\Temp\p.exe`), hivetest.SZ("DelegateExecute", "")))))
	set := &hive.Set{Host: "planted"}
	for _, e := range []*hive.Entry{{Hive: sys, Path: "SYSTEM"}, {Hive: sw, Path: "SOFTWARE"}, {Hive: nt, Path: "NTUSER.DAT", User: "mallory"}, {Hive: uc, Path: "UsrClass.dat", User: "mallory"}} {
		set.Add(e)
	}
	return set
}

func TestPlantedTenRules(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string]string{}
	for _, r := range rs.Rules {
		byFile[r.File] = RuleName(r)
	}
	want := []string{
		"windows/registry/registry_set/registry_set_wdigest_enable_uselogoncredential.yml",
		"windows/registry/registry_set/registry_set_persistence_lsa_extension.yml",
		"windows/registry/registry_set/registry_set_persistence_natural_language.yml",
		"windows/registry/registry_set/registry_set_terminal_server_tampering.yml",
		"windows/registry/registry_set/registry_set_asep_reg_keys_modification_session_manager.yml",
		"windows/registry/registry_event/registry_event_disable_security_events_logging_adding_reg_key_minint.yml",
		"windows/registry/registry_set/registry_set_persistence_autodial_dll.yml",
		"windows/registry/registry_set/registry_set_evtx_file_key_tamper.yml",
		"windows/registry/registry_set/registry_set_susp_user_shell_folders.yml",
		"windows/registry/registry_event/registry_event_bypass_via_wsreset.yml",
	}
	found := map[string][]report.Finding{}
	for _, f := range runRules(t, plantedSet(t), Options{}, rs) {
		found[f.Rule] = append(found[f.Rule], f)
	}
	for _, file := range want {
		id, ok := byFile[file]
		if !ok {
			t.Errorf("%s: not in the embedded set", file)
			continue
		}
		fs := found[id]
		if len(fs) == 0 {
			t.Errorf("%s (%s): no finding", file, id)
			continue
		}
		above := false
		for _, f := range fs {
			if f.Severity > report.Info {
				above = true
			} else if f.Value == nil || *f.Value != "StemmerClass" {
				t.Errorf("%s: %s reported as info (known-good)", file, f.Key)
			}
		}
		if !above {
			t.Errorf("%s: the planted write is reported only as info", file)
		}
	}
	var all []string
	for id := range found {
		all = append(all, id)
	}
	sort.Strings(all)
	t.Logf("%d rules matched: %v", len(all), all)
}
