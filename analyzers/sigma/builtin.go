package sigma

import (
	"embed"
	"sync"
)

// BuiltinCommit is the SigmaHQ commit the embedded rules were copied from.
const BuiltinCommit = "8eaafff1f2845a696050e05e72ba1140ee190698"

// BuiltinSource names the embedded rule set in reports.
const BuiltinSource = "SigmaHQ@8eaafff1f284"

//go:embed sigmahq/rules sigmahq/LICENSE sigmahq/LICENSE.Detection.Rules.md sigmahq/NOTICE.md
var builtinFS embed.FS

// License is the Detection Rule License 1.1 text the embedded rules are
// shipped under, followed by the notice saying where they come from.
func License() string {
	drl, _ := builtinFS.ReadFile("sigmahq/LICENSE.Detection.Rules.md") // embedded: cannot fail
	notice, _ := builtinFS.ReadFile("sigmahq/NOTICE.md")
	return string(notice) + "\n" + string(drl)
}

var builtin = sync.OnceValues(func() (*Rules, error) {
	return Load(builtinFS, "sigmahq/rules", BuiltinSource, "https://github.com/SigmaHQ/sigma/blob/"+BuiltinCommit+"/rules/")
})

// Builtin returns the embedded SigmaHQ registry rules (rules/windows/registry
// at BuiltinCommit, under the Detection Rule License 1.1; see License). It is
// loaded once; callers must not modify it.
func Builtin() (*Rules, error) { return builtin() }
