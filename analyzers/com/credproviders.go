package com

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// CredProviders reports the credential providers and filters LogonUI loads.
var CredProviders = &analysis.Analyzer{
	Name: "credproviders",
	Doc: `Credential providers and filters: COM DLLs LogonUI loads and hands passwords to
SOFTWARE Microsoft\Windows\CurrentVersion\Authentication\Credential Providers
and Credential Provider Filters name CLSIDs that LogonUI.exe (as SYSTEM)
creates at every logon, unlock and credential prompt: a provider receives
what the user types, a filter decides which providers show. Each CLSID is
resolved through SOFTWARE\Classes to its InprocServer32: Windows' own
providers (authui, credprovs, smart card, biometric, certificate, Windows
Hello, FIDO, Microsoft account ...) in System32 are quiet; another DLL in
System32 is medium, a vendor's in Program Files (MFA agents) low, anything
else high, and the path assessor can raise each. A CLSID with no
registration is low (LogonUI skips it).`,
	Needs:  []hive.Kind{hive.KindSoftware},
	Attack: []string{"T1556", "T1547"},
	Run:    runCredProviders,
}

// credProviderSource documents the keys and Windows' providers.
const credProviderSource = "https://learn.microsoft.com/windows/win32/secauthn/credential-providers-in-windows ; https://attack.mitre.org/techniques/T1556/"

// windowsCredDLLs are the DLLs of Windows' own credential providers and
// filters, Windows Vista to 11 (Microsoft's credential provider
// documentation and the providers each release registers).
var windowsCredDLLs = map[string]bool{
	"authui.dll": true, "credprovs.dll": true, "credprovslegacy.dll": true, "credprovhost.dll": true,
	"smartcardcredentialprovider.dll": true, "biocredprov.dll": true, "certcredprovider.dll": true,
	"vaultcredprovider.dll": true, "trustedsignalcredprov.dll": true, "ngccredprov.dll": true,
	"devicengccredprov.dll": true, "fidocredprov.dll": true, "cxcredprov.dll": true, "wlidcredprov.dll": true,
	"facecredentialprovider.dll": true, "windows.ui.picturepassword.dll": true, "rdpcredentialprovider.dll": true,
	"tsgqec.dll": true, "wwancredprovider.dll": true,
}

var credKeys = []struct{ path, what string }{
	{`Microsoft\Windows\CurrentVersion\Authentication\Credential Providers`, "credential provider"},
	{`Microsoft\Windows\CurrentVersion\Authentication\Credential Provider Filters`, "credential provider filter"},
}

func runCredProviders(p *analysis.Pass) error {
	c, err := readClasses(p)
	errs := []error{err}
	env := p.Env(nil)
	for _, sw := range p.Set.ByKind(hive.KindSoftware) {
		root, err := sw.Root()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, ck := range credKeys {
			subs, err := analysis.Subkeys(root, ck.path)
			errs = append(errs, err)
			for _, k := range subs {
				clsid := k.Name()
				if !isCLSID(clsid) {
					continue
				}
				r, found, err := c.resolve(nil, clsid, false)
				errs = append(errs, err)
				if f, ok := judgeCredProvider(sw, k, ck.what, clsid, r, found, env); ok {
					p.Report(f)
				}
			}
		}
	}
	return errors.Join(errs...)
}

func judgeCredProvider(e *hive.Entry, k *hive.Key, what, clsid string, r registration, found bool, env winpath.Env) (report.Finding, bool) {
	f := analysis.At(e, k)
	f.Data = clsid
	f.Attack = []string{"T1556"}
	where := fmt.Sprintf("The %s %s (%s) is created by LogonUI.exe, as SYSTEM, at every logon, unlock and credential prompt", what, clsid, k.Path())
	if !found || r.inproc.data == "" {
		f.Rule, f.Severity = "credproviders.unregistered", report.Low
		f.Title = fmt.Sprintf("%s %s has no registered DLL", what, clsid)
		f.Detail = where + "; no InprocServer32 of it is in the evidence, so LogonUI skips it. An uninstalled product's leftover, or a registration whose DLL part was removed: check the CLSID in other hives (RegBack, deleted records)."
		return f, true
	}
	a := winpath.AssessPath(r.inproc.data, env)
	f.Title = fmt.Sprintf("%s loads %s", what, a.Path.Base)
	f.Detail = fmt.Sprintf("%s; its InprocServer32 is \"%s\" (%s).", where, r.inproc.data, r.view())
	var base report.Severity
	switch {
	case analysis.InSystem32(a.Path) && windowsCredDLLs[strings.ToLower(a.Path.Base)] && a.Severity == report.Info:
		return report.Finding{}, false // Windows' own
	case analysis.InSystem32(a.Path):
		f.Rule, base = "credproviders.system32", report.Medium
		f.Detail += " The DLL sits in System32 but is none of Windows' own providers: a provider placed there receives every password typed at logon. Check its signer and hash, and which product installed it."
	case analysis.InProgramFiles(a.Path) || analysis.MicrosoftPath(a.Path):
		f.Rule, base = "credproviders.installed", report.Low
		f.Detail += " The DLL belongs to an installed product (multi-factor agents such as Duo, Okta or RSA register providers); confirm the product is expected on this host."
	default:
		f.Rule, base = "credproviders.server", report.High
		f.Detail += " The DLL is outside Windows and Program Files folders, where no product installs a credential provider: treat it as a password catcher until shown otherwise. Collect it and look for the file it writes credentials to."
	}
	analysis.Judge(&f, base, "T1556", a)
	return f, true
}
