package office

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// stockLocation is a trusted location Office creates itself.
type stockLocation struct {
	path   string
	source string
}

// Sources of the stock trusted locations.
const (
	srcTrustedDoc    = "https://learn.microsoft.com/microsoft-365-apps/security/trusted-locations (the default trusted locations of Access, Excel, PowerPoint and Word)"
	srcTrustedCorpus = "corpus: plaso NTUSER-WIN7.DAT (Office 2010) and regipy NTUSER_with_winscp.DAT (Microsoft 365), Trusted Locations\\Location0..5"
)

// stockLocations are the folders Office makes trusted locations at
// install: the user's Templates, XLSTART, Word Startup and AddIns folders,
// and Office's own Templates, Document Themes, XLSTART, STARTUP, Library
// and ACCWIZ folders, for every install layout (MSI OfficeNN, Click-to-Run
// root\OfficeNN and Microsoft Office 15\root) in both Program Files.
var stockLocations = func() []stockLocation {
	out := []stockLocation{
		{`%APPDATA%\Microsoft\Templates`, srcTrustedCorpus},
		{`%APPDATA%\Microsoft\Excel\XLSTART`, srcTrustedCorpus},
		{`%APPDATA%\Microsoft\Word\Startup`, srcTrustedCorpus},
		{`%APPDATA%\Microsoft\Addins`, srcTrustedCorpus},
	}
	for _, pf := range []string{`%ProgramFiles%`, `%ProgramFiles(x86)%`} {
		for _, n := range []string{"12", "14", "15", "16"} {
			installs := []string{`Microsoft Office\`, `Microsoft Office\root\`}
			if n == "15" {
				installs = append(installs, `Microsoft Office 15\root\`)
			}
			for _, in := range installs {
				for _, sub := range []string{"XLSTART", "STARTUP", "Library", "ACCWIZ"} {
					out = append(out, stockLocation{pf + `\` + in + `Office` + n + `\` + sub, srcTrustedDoc})
				}
				out = append(out,
					stockLocation{pf + `\` + in + `Templates`, srcTrustedDoc},
					stockLocation{pf + `\` + in + `Document Themes ` + n, srcTrustedDoc})
			}
		}
	}
	return out
}()

// trustedRoots are the Trusted Locations keys below a hive's root:
// <root>\<version>\<application>\Security\Trusted Locations.
var (
	userTrustedRoots    = []string{`Software\Microsoft\Office`, `Software\Policies\Microsoft\Office`}
	machineTrustedRoots = []string{`Policies\Microsoft\Office`}
)

// trustedLocations reports trusted locations other than Office's own.
func trustedLocations(p *analysis.Pass, _ *classes) error {
	var errs []error
	visit := func(e *hive.Entry, roots []string) {
		root, err := e.Root()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Path, err))
			return
		}
		for _, r := range roots {
			for _, ver := range officeVersions[1:] { // trusted locations came with Office 2007
				apps, err := analysis.Subkeys(root, r+`\`+ver)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s\\%s\\%s: %w", e.Path, r, ver, err))
				}
				for _, app := range apps {
					tl, ok, err := analysis.OptionalKey(app, `Security\Trusted Locations`)
					if err != nil {
						errs = append(errs, fmt.Errorf("%s%s: %w", e.Path, app.Path(), err))
					}
					if !ok {
						continue
					}
					fs, err := trustedIn(p, e, app.Name(), tl)
					p.Report(fs...)
					if err != nil {
						errs = append(errs, fmt.Errorf("%s%s: %w", e.Path, tl.Path(), err))
					}
				}
			}
		}
	}
	for _, e := range analysis.UserHives(p.Set) {
		visit(e, userTrustedRoots)
	}
	for _, e := range p.Set.ByKind(hive.KindSoftware) {
		visit(e, machineTrustedRoots)
	}
	return errors.Join(errs...)
}

// trustedIn judges the locations below one Trusted Locations key.
func trustedIn(p *analysis.Pass, e *hive.Entry, app string, tl *hive.Key) ([]report.Finding, error) {
	var errs []error
	network, _, _, err := analysis.Uint(tl, "AllowNetworkLocations")
	errs = append(errs, err)
	allDisabled, _, _, err := analysis.Uint(tl, "AllLocationsDisabled")
	errs = append(errs, err)
	locs, err := tl.Subkeys()
	errs = append(errs, err)
	env := p.Env(e)
	var out []report.Finding
	for _, k := range locs {
		v, path, err := analysis.Text(k, "Path")
		errs = append(errs, err)
		if path == "" {
			continue
		}
		if isStockLocation(path, env) {
			continue
		}
		sub, _, _, err := analysis.Uint(k, "AllowSubfolders")
		errs = append(errs, err)
		_, desc, err := analysis.Text(k, "Description")
		errs = append(errs, err)
		out = append(out, trustedFinding(e, k, v, app, path, desc, sub == 1, network == 1, allDisabled == 1, env))
	}
	return out, errors.Join(errs...)
}

// isStockLocation reports whether folder path is one Office creates.
func isStockLocation(path string, env winpath.Env) bool {
	for _, s := range stockLocations {
		if analysis.SamePath(path, s.path, env) {
			return true
		}
	}
	return false
}

func trustedFinding(e *hive.Entry, k *hive.Key, v *hive.Value, app, path, desc string, subfolders, network, allDisabled bool, env winpath.Env) report.Finding {
	f := analysis.AtValue(e, k, v)
	f.Rule = "office.trusted-location"
	f.Attack = []string{"T1562.001", "T1137"}
	folder := winpath.Resolve(path, env)
	why := trustedRisk(folder)
	sev := report.Low
	if why != "" {
		sev = report.Medium
		why = " This one " + why + "."
	}
	notes := why
	if folder.UNC && !network {
		sev = report.Low
		notes += " AllowNetworkLocations is not 1 beside it, so Office ignores a network folder for now; one value change makes it count."
	}
	if allDisabled {
		sev = report.Low
		notes += " AllLocationsDisabled is 1: Office trusts no location at all for now."
	}
	if subfolders {
		notes += " AllowSubfolders is 1: every folder below it is trusted too."
	}
	if desc != "" {
		notes += fmt.Sprintf(" Its description: \"%s\".", desc)
	}
	f.Severity = sev
	f.Title = fmt.Sprintf("%s trusts documents in %s", app, folder.Full)
	f.Detail = fmt.Sprintf("A trusted location is a folder whose documents %s opens with macros, add-ins and active content enabled, without Protected View and without a prompt, for %s. Office creates its own (Templates, XLSTART, STARTUP, Library under Program Files and AppData\\Roaming\\Microsoft); %s is not one of them. A folder the user (or anyone, for a share) can write to, the root of a drive, Downloads or Temp turns every document dropped there into code that runs at a double click.%s List the folder's documents, look for macros in them, and ask who added it (the location key's last-write time).", app, analysis.Whose(e), path, notes)
	noteProfile(&f, e)
	return f
}

// trustedRisk says why trusting folder is risky ("" when it is not): a
// share, the root of a drive, Downloads, Temp or another folder the user
// can write to. The path assessor judges files, so a document inside the
// folder is judged.
func trustedRisk(folder winpath.Path) string {
	inside := winpath.Resolve(folder.Full+`\document.docm`, winpath.Env{})
	switch {
	case folder.UNC:
		return "is a network folder: whoever can write to the share decides what runs"
	case isDriveRoot(folder):
		return "is the root of a drive"
	case isDownloads(folder):
		return "is a Downloads folder, where the browser saves every file from the web"
	case isTemp(folder):
		return "is a temporary folder, where archives and mail attachments are unpacked"
	case winpath.IsUserWritable(inside):
		return "is a folder the user, and so any program running as the user, can write to"
	}
	return ""
}

// isTemp reports a folder named Temp or Tmp, or one below it.
func isTemp(p winpath.Path) bool {
	for _, el := range strings.Split(strings.ToLower(p.Full), `\`) {
		if el == "temp" || el == "tmp" {
			return true
		}
	}
	return false
}

// isDriveRoot reports a folder that is the root of a drive (C:\).
func isDriveRoot(p winpath.Path) bool {
	return !p.UNC && len(p.Full) <= 3 && len(p.Full) >= 2 && p.Full[1] == ':'
}

// isDownloads reports a Downloads folder (a user's, or any named so).
func isDownloads(p winpath.Path) bool {
	for _, el := range strings.Split(strings.ToLower(p.Full), `\`) {
		if el == "downloads" {
			return true
		}
	}
	return false
}
