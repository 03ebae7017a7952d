package services

import (
	"errors"
	"fmt"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// Netsh reports netsh helper DLLs beyond Windows' own.
var Netsh = &analysis.Analyzer{
	Name: "netsh",
	Doc: `Netsh helper DLLs
netsh.exe loads every DLL named by a value of SOFTWARE\Microsoft\NetSh
(native and Wow6432Node) each time it runs, and VPN clients and scripts run
netsh often, sometimes as SYSTEM. Windows' own helpers (ifmon, rasmontr,
authfwcfg, dhcpcmonitor, dot3cfg, fwcfg, hnetmon, netiohlp, nettrace,
nshhttp, nshipsec, nshwfp, p2pnetsh, peerdistsh, rpcnsh, WcnNetsh, whhelper,
wlancfg, wshelper, wwancfg and older ones) are quiet; another bare DLL name
is medium, a path outside System32 high.`,
	Needs:  []hive.Kind{hive.KindSoftware},
	Attack: []string{"T1546.007"},
	Run:    runNetsh,
}

var netshDefaults = map[string]bool{
	"ifmon.dll": true, "rasmontr.dll": true, "authfwcfg.dll": true, "dhcpcmonitor.dll": true,
	"dot3cfg.dll": true, "fwcfg.dll": true, "hnetmon.dll": true, "netiohlp.dll": true,
	"nettrace.dll": true, "nshhttp.dll": true, "nshipsec.dll": true, "nshwfp.dll": true,
	"p2pnetsh.dll": true, "peerdistsh.dll": true, "rpcnsh.dll": true, "wcnnetsh.dll": true,
	"whhelper.dll": true, "wlancfg.dll": true, "wshelper.dll": true, "wwancfg.dll": true,
	"napmontr.dll": true, "ipmontr.dll": true, "ippromon.dll": true, "ipv6mon.dll": true,
	"dhcpmon.dll": true, "aaaamon.dll": true, "dnsnetsh.dll": true, "winsmon.dll": true,
	"mprmon.dll": true, "ipxmontr.dll": true, "ipxpromn.dll": true, "nshbridge.dll": true,
}

func runNetsh(p *analysis.Pass) error {
	env := p.Env(nil)
	return p.EachSoftware(func(e *hive.Entry, root *hive.Key) error { return netshHive(p, e, root, env) })
}

// netshHive judges the netsh helpers of one SOFTWARE hive.
func netshHive(p *analysis.Pass, e *hive.Entry, root *hive.Key, env winpath.Env) error {
	var out []report.Finding
	var errs []error
	for _, path := range analysis.SoftwareRoots(`Microsoft\NetSh`) {
		k, ok, err := analysis.OptionalKey(root, path)
		if !ok {
			errs = append(errs, err)
			continue
		}
		vals, err := k.Values()
		errs = append(errs, err)
		for _, v := range vals {
			dll, _, err := analysis.ValueText(v)
			errs = append(errs, err)
			if dll == "" {
				continue
			}
			f := analysis.AtValue(e, k, v)
			if !analysis.DLLEntry(&f, dll, netshDefaults, report.Medium, env, "T1546.007") {
				continue
			}
			f.Rule = "netsh.helper"
			f.Title = fmt.Sprintf("Netsh helper \"%s\" loads %s", v.Name(), dll)
			f.Detail = "netsh.exe loads this helper DLL every time it runs, with the rights of whoever runs netsh. " + f.Detail
			out = append(out, f)
		}
	}
	p.Report(out...)
	return errors.Join(errs...)
}
