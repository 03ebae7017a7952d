package sigma

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
)

// goldenSet is one host with a hive of every mapped kind (and an AMCACHE,
// which is not mapped), every data type, two control sets and a profile
// whose SID ProfileList gives.
func goldenSet(t testing.TB) *hive.Set {
	sys := builtHive(t, `\SystemRoot\System32\Config\SYSTEM`,
		k("Select", vals(hivetest.DWORD("Current", 2), hivetest.DWORD("Default", 2), hivetest.DWORD("LastKnownGood", 1))),
		k("ControlSet001", nil, nest([]string{"Services"}, k("Svc", vals(hivetest.ExpandSZ("ImagePath", `%SystemRoot%\old.sys`))))),
		k("ControlSet002", nil, nest([]string{"Services"}, k("Svc", vals(
			hivetest.ExpandSZ("ImagePath", `%SystemRoot%\new.sys`),
			hivetest.DWORD("Start", 1),
			hivetest.QWORD("Stamp", 0x0000000100000002),
			hivetest.Binary("Blob", []byte{1, 2, 3}),
			hivetest.MultiSZ("DependOnService", "RpcSs", "Tcpip"),
			hivetest.MultiSZ("Empty"),
			hivetest.SZ("Description", ""),
			hivetest.SZ("", "default data"),
		)))),
		k("MountedDevices", vals(hivetest.Binary(`\DosDevices\C:`, []byte{0xde, 0xad}))),
	)
	sw := builtHive(t, `\SystemRoot\System32\Config\SOFTWARE`, k("Classes", nil),
		nest([]string{"Microsoft", "Windows NT", "CurrentVersion", "ProfileList"}, k("S-1-5-21-1-2-3-1001", vals(hivetest.ExpandSZ("ProfileImagePath", `C:\Users\alice`)))),
		nest([]string{"Wow6432Node", "Microsoft", "Windows", "CurrentVersion"}, k("Run", vals(hivetest.SZ("Tool", `C:\x86\tool.exe`)))),
	)
	nt := builtHive(t, `\??\C:\Users\alice\ntuser.dat`, nest([]string{"Software", "Microsoft", "Windows", "CurrentVersion"}, k("Run", vals(hivetest.SZ("A", "a.exe")))))
	nb := builtHive(t, `\??\C:\Users\bob\ntuser.dat`, k("Environment", vals(hivetest.SZ("TEMP", `%USERPROFILE%\t`))))
	uc := builtHive(t, `\??\C:\Users\alice\AppData\Local\Microsoft\Windows\UsrClass.dat`, nest([]string{"CLSID"}, k("{00000000-0000-0000-0000-000000000001}", vals(hivetest.SZ("", "x")))))
	def := builtHive(t, `\SystemRoot\System32\Config\DEFAULT`, k("Control Panel", vals(hivetest.SZ("Beep", "Yes"))))
	sam := builtHive(t, `\SystemRoot\System32\Config\SAM`, nest([]string{"SAM", "Domains"}, k("Account", vals(hivetest.Binary("F", []byte{0})))))
	sec := builtHive(t, `\SystemRoot\System32\Config\SECURITY`, k("RXACT", nil), nest([]string{"Policy"}, k("PolAdtEv", vals(hivetest.Binary("", []byte{0})))))
	am := builtHive(t, `\??\C:\Windows\AppCompat\Programs\Amcache.hve`, nest([]string{"Root"}, k("InventoryApplicationFile", vals(hivetest.SZ("x", "y")))))
	set := &hive.Set{Host: "golden"}
	for _, e := range []*hive.Entry{
		{Hive: sys, Path: "SYSTEM"}, {Hive: sw, Path: "SOFTWARE"}, {Hive: nt, Path: "alice/NTUSER.DAT", User: "alice"},
		{Hive: nb, Path: "bob/NTUSER.DAT", User: "bob"}, {Hive: uc, Path: "alice/UsrClass.dat", User: "alice"},
		{Hive: def, Path: "DEFAULT"}, {Hive: sam, Path: "SAM"}, {Hive: sec, Path: "SECURITY"}, {Hive: am, Path: "Amcache.hve"},
	} {
		set.Add(e)
	}
	return set
}

func TestEventsGolden(t *testing.T) {
	set := goldenSet(t)
	var b strings.Builder
	for _, e := range set.Entries {
		fmt.Fprintf(&b, "# %s %s\n", e.Kind(), e.Path)
	}
	err := Events(context.Background(), set, func(ev *Event) error {
		cs := ""
		if ev.ControlSet != nil {
			cs = fmt.Sprintf(" [%s %v]", ev.ControlSet.Name, ev.ControlSet.Roles)
		}
		if ev.Value == nil {
			fmt.Fprintf(&b, "%s %s%s\n", ev.EventType, ev.TargetObject, cs)
		} else {
			fmt.Fprintf(&b, "%s %s = %s (%s)%s\n", ev.EventType, ev.TargetObject, ev.Details, ev.Value.Type(), cs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "events.golden", b.String())
}

func TestDetails(t *testing.T) {
	for _, c := range []struct {
		t    hive.ValueType
		d    any
		want string
	}{
		{hive.RegDWORD, uint64(1), "DWORD (0x00000001)"},
		{hive.RegDWORDBigEndian, uint64(0xabcdef01), "DWORD (0xabcdef01)"},
		{hive.RegQWORD, uint64(0x1122334455667788), "QWORD (0x11223344-0x55667788)"},
		{hive.RegSZ, `C:\x.exe`, `C:\x.exe`},
		{hive.RegSZ, "", "(Empty)"},
		{hive.RegMultiSZ, []string{"a", "b"}, "a b"},
		{hive.RegMultiSZ, []string{}, "(Empty)"},
		{hive.RegBinary, []byte{1}, "Binary Data"},
		{hive.RegDWORD, []byte{1, 2}, "Binary Data"}, // wrong size: not an integer
	} {
		if got := Details(c.t, c.d); got != c.want {
			t.Errorf("Details(%v, %v) = %q, want %q", c.t, c.d, got, c.want)
		}
	}
}
