package office

import "testing"

// FuzzParsers feeds registry text to the parsers of OPEN values, file URLs
// and names: they never panic.
func FuzzParsers(f *testing.F) {
	for _, s := range []string{`/R "C:\a\x.xll"`, `/A "Prog.ID"`, `/F /R"x"`, `/`, `""`, `file:///C:/a%20b/x.vsto|vstolocal`, `file://srv/share/x.dll`, "file:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = parseOpen(s)
		_ = fileURLPath(s)
		_ = baseName(s)
		_ = isCLSID(s)
		_ = isOpenName(s)
	})
}
