package inproc

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// Winsock reports the transport (LSP) and namespace (NSP) providers of the
// Winsock catalogs that are not Windows' own.
var Winsock = &analysis.Analyzer{
	Name: "winsock",
	Doc: `Winsock catalogs: layered service providers (LSP) and namespace providers (NSP) loaded into every networked process
SYSTEM Services\WinSock2\Parameters keeps two catalogs, 32-bit
(Catalog_Entries) and 64-bit (Catalog_Entries64): Protocol_Catalog9, whose
PackedCatalogItem values start with the transport provider's DLL path, and
NameSpace_Catalog5, whose LibraryPath names each namespace provider.
ws2_32.dll loads them into every process that opens a socket or resolves a
name. Windows' own providers in System32 (mswsock, pnrpnsp, napinsp,
NLAapi, winrnr, wshbth, rsvpsp) are quiet; another DLL in System32 or a
vendor's in Program Files is low (VMware's vsocklib is common), anything
else medium, and the path assessor can raise each. One finding per DLL and
catalog, naming how many entries use it.`,
	Needs:  []hive.Kind{hive.KindSystem},
	Attack: []string{"T1547", "T1557"},
	Run:    runWinsock,
}

// winsockSource documents the catalogs and the PackedCatalogItem layout
// (the provider's DLL path as a NUL-terminated ANSI string of at most
// MAX_PATH bytes, then its WSAPROTOCOL_INFOW; ReactOS ws2_32 dcatitem.c
// reads it so, and the corpus's hives agree).
const winsockSource = "https://learn.microsoft.com/windows/win32/winsock/categorizing-layered-service-providers-and-applications ; ReactOS dll/win32/ws2_32/src/dcatitem.c"

// windowsProviders are the DLLs of Windows' own Winsock providers (corpus:
// regipy Windows 7, 8.1 and 10 and the XP SYSTEM hive).
var windowsProviders = map[string]bool{
	"mswsock.dll": true, "pnrpnsp.dll": true, "napinsp.dll": true, "nlaapi.dll": true, "winrnr.dll": true,
	"wshbth.dll": true, "rsvpsp.dll": true, "wshtcpip.dll": true, "rasadhlp.dll": true,
}

// maxPath is MAX_PATH, the size of the path field of a PackedCatalogItem.
const maxPath = 260

// catalogPath returns the DLL path a PackedCatalogItem starts with.
func catalogPath(b []byte) (string, bool) {
	if len(b) > maxPath {
		b = b[:maxPath]
	}
	i := bytes.IndexByte(b, 0)
	if i <= 0 {
		return "", false
	}
	for _, c := range b[:i] {
		if c < 0x20 || c > 0x7e {
			return "", false // not a path: a damaged or unknown layout
		}
	}
	return string(b[:i]), true
}

type provider struct {
	key   *hive.Key
	val   *hive.Value
	dll   string // as the first entry writes it
	count int
}

var catalogs = []struct{ path, value, what string }{
	{`Services\WinSock2\Parameters\Protocol_Catalog9\Catalog_Entries`, "PackedCatalogItem", "transport provider (LSP, 32-bit catalog)"},
	{`Services\WinSock2\Parameters\Protocol_Catalog9\Catalog_Entries64`, "PackedCatalogItem", "transport provider (LSP, 64-bit catalog)"},
	{`Services\WinSock2\Parameters\NameSpace_Catalog5\Catalog_Entries`, "LibraryPath", "namespace provider (NSP, 32-bit catalog)"},
	{`Services\WinSock2\Parameters\NameSpace_Catalog5\Catalog_Entries64`, "LibraryPath", "namespace provider (NSP, 64-bit catalog)"},
}

func runWinsock(p *analysis.Pass) error {
	env := p.Env(nil)
	return p.EachControlSet(func(e *hive.Entry, cs hive.ControlSet) error {
		var errs []error
		for _, cat := range catalogs {
			subs, err := analysis.Subkeys(cs.Key, cat.path)
			errs = append(errs, err)
			byDLL := map[string]*provider{}
			for _, k := range subs {
				v, found, err := analysis.OptionalValue(k, cat.value)
				if !found {
					errs = append(errs, err)
					continue
				}
				var dll string
				if cat.value == "PackedCatalogItem" {
					b, err := v.Bytes()
					if err != nil {
						errs = append(errs, fmt.Errorf("%s\\%s: %w", k.Path(), cat.value, err))
						continue
					}
					s, ok := catalogPath(b)
					if !ok {
						errs = append(errs, fmt.Errorf("%s\\%s: no provider path at its start (%d bytes)", k.Path(), cat.value, len(b)))
						continue
					}
					dll = s
				} else {
					s, ok, err := analysis.ValueText(v)
					if !ok || s == "" {
						errs = append(errs, err)
						continue
					}
					dll = s
				}
				pr := byDLL[strings.ToLower(dll)]
				if pr == nil {
					pr = &provider{key: k, val: v, dll: dll}
					byDLL[strings.ToLower(dll)] = pr
				}
				pr.count++
			}
			dlls := make([]string, 0, len(byDLL))
			for d := range byDLL {
				dlls = append(dlls, d)
			}
			sort.Strings(dlls)
			for _, d := range dlls {
				pr := byDLL[d]
				if f, ok := judgeProvider(e, cs, cat.what, cat.value, pr, pr.dll, env); ok {
					p.Report(f)
				}
			}
		}
		return joinUnique(errs)
	})
}

// joinUnique joins errs, each message once (a damaged Services key fails
// every catalog the same way).
func joinUnique(errs []error) error {
	seen := map[string]bool{}
	var out []error
	for _, err := range errs {
		if err != nil && !seen[err.Error()] {
			seen[err.Error()] = true
			out = append(out, err)
		}
	}
	return errors.Join(out...)
}

func judgeProvider(e *hive.Entry, cs hive.ControlSet, what, value string, pr *provider, dll string, env winpath.Env) (report.Finding, bool) {
	a := winpath.AssessPath(dll, env)
	var base report.Severity
	var why string
	switch {
	case analysis.InSystem32(a.Path) && windowsProviders[strings.ToLower(a.Path.Base)] && a.Severity == report.Info:
		return report.Finding{}, false
	case analysis.InSystem32(a.Path) || analysis.InProgramFiles(a.Path):
		base, why = report.Low, "It is not one of Windows' providers but sits where installed products put theirs (VMware's vsocklib, VPN and security agents): confirm the product."
	default:
		base, why = report.Medium, "It sits outside Windows and Program Files folders, where no product installs a Winsock provider."
	}
	f := analysis.InSet(analysis.AtValue(e, pr.key, pr.val), cs)
	f.Data = dll // the path, not the whole binary catalog item
	f.Rule = "winsock.provider"
	f.Title = fmt.Sprintf("Winsock %s %s", strings.SplitN(what, " (", 2)[0], a.Path.Base)
	f.Detail = fmt.Sprintf("ws2_32.dll loads the %s %s, named by %d catalog entr%s (%s of %s), into every process that uses sockets. %s Collect the DLL, check its signer, and compare the catalog with netsh winsock show catalog output of a clean build.",
		what, dll, pr.count, plural(pr.count), value, pr.key.Path(), why)
	analysis.Judge(&f, base, "T1547", a)
	return f, true
}

func plural(n int) string {
	if n == 1 {
		return "y"
	}
	return "ies"
}
