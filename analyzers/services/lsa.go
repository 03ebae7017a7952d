package services

import (
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// LSA reports packages that lsass.exe loads beyond Windows' own.
var LSA = &analysis.Analyzer{
	Name: "lsa",
	Doc: `LSA packages: authentication, notification (password filter) and security packages
lsass.exe loads every DLL named in Control\Lsa "Authentication Packages",
"Notification Packages" (password filters, which see every new password in
clear text), "Security Packages" and Lsa\OSConfig "Security Packages" (SSPs,
which see logon credentials). Each entry is compared with the names Windows
ships (msv1_0; scecli, rassfm, fpnwclnt; kerberos, msv1_0, schannel, wdigest,
tspkg, pku2u, cloudap, livessp, negoexts and a few older ones); any other
entry is high, whether a bare name loaded from System32 or a path. Microsoft's
optional SshdPinAuthLsa (Windows 10 developer-mode SSH) is low. Every control
set is read.`,
	Needs:  []hive.Kind{hive.KindSystem},
	Attack: []string{"T1547.002", "T1547.005", "T1556.002"},
	Run:    runLSA,
}

// lsaLists are the LSA values, the DLLs Windows ships for each, and the
// technique an extra entry means.
var lsaLists = []struct {
	key, value string
	defaults   map[string]bool
	attack     string
	what       string
}{
	{`Control\Lsa`, "Authentication Packages", lsaSet("msv1_0"), "T1547.002",
		"an authentication package: lsass.exe loads it at boot and hands it every logon"},
	{`Control\Lsa`, "Notification Packages", lsaSet("scecli", "rassfm", "fpnwclnt"), "T1556.002",
		"a password filter: lsass.exe passes it every new or changed password in clear text"},
	{`Control\Lsa`, "Security Packages", lsaSet("kerberos", "msv1_0", "schannel", "wdigest", "tspkg", "pku2u", "cloudap", "livessp", "negoexts", "msnsspc", "msapsspc", "digest"), "T1547.005",
		"a security support provider: lsass.exe loads it and it sees logon credentials (mimilib, the Mimikatz SSP, is the classic example)"},
	{`Control\Lsa\OSConfig`, "Security Packages", lsaSet("kerberos", "msv1_0", "schannel", "wdigest", "tspkg", "pku2u", "cloudap", "livessp", "negoexts", "msnsspc", "msapsspc", "digest"), "T1547.005",
		"a security support provider: lsass.exe loads it and it sees logon credentials"},
}

// lsaOptional are Microsoft packages that optional Windows features add.
var lsaOptional = lsaSet("sshdpinauthlsa")

func lsaSet(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n+".dll"] = true
	}
	return m
}

func runLSA(p *analysis.Pass) error {
	env := p.Env(nil)
	var out []report.Finding
	err := p.EachControlSet(func(e *hive.Entry, cs hive.ControlSet) error {
		for _, l := range lsaLists {
			k, ok, err := analysis.OptionalKey(cs.Key, l.key)
			if !ok {
				if err != nil {
					return err
				}
				continue
			}
			v, ok, err := analysis.OptionalValue(k, l.value)
			if !ok {
				if err != nil {
					return err
				}
				continue
			}
			entries, err := v.Strings()
			if err != nil {
				return err
			}
			for _, entry := range entries {
				entry = strings.TrimSpace(entry)
				if entry == "" {
					continue
				}
				f := analysis.InSet(analysis.AtValue(e, k, v), cs)
				if !analysis.DLLEntry(&f, entry, l.defaults, report.High, env, l.attack) {
					continue
				}
				f.Rule = "lsa.package"
				f.Title = fmt.Sprintf("LSA %s: %s is not a Windows default", l.value, entry)
				f.Detail = fmt.Sprintf("%s lists \"%s\", %s. %s", l.value, entry, l.what, f.Detail)
				if name, bare := analysis.DLLName(entry); bare && lsaOptional[name] {
					f.Severity = report.Low
					f.Rule = "lsa.optional-package"
					f.Title = fmt.Sprintf("LSA %s: optional Microsoft package %s", l.value, entry)
					f.Detail = fmt.Sprintf("%s lists \"%s\", Microsoft's package for the SSH server of Windows 10 developer mode. Confirm developer mode is expected on this host and that %s is signed by Microsoft.", l.value, entry, name)
				}
				out = append(out, f)
			}
		}
		return nil
	})
	p.Report(out...)
	return err
}
