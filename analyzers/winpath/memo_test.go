package winpath

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A memoised environment gives the verdicts a plain one gives, each time,
// whatever a caller does to a verdict it was handed, and a copy whose fields
// changed is judged by its own fields.
func TestMemoisedEnvGivesTheSameVerdicts(t *testing.T) {
	plain := Env{UserName: "alice", System: map[string]string{"SystemRoot": `C:\Windows`}}
	memo := plain.Memo()
	cmds := []string{
		`C:\Windows\smss.exe`, `powershell -w hidden -ep bypass -file C:\x.ps1`,
		`cmd /c copy a b & b`, `"C:\Program Files\App\app.exe" -x`, `%APPDATA%\x.exe`, ``,
	}
	for round := range 3 {
		for _, c := range cmds {
			want, got := Assess(c, plain), Assess(c, memo)
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(Env{})); diff != "" {
				t.Errorf("round %d Assess(%q) (-plain +memo):\n%s", round, c, diff)
			}
			wantP, gotP := AssessPath(c, plain), AssessPath(c, memo)
			if diff := cmp.Diff(wantP, gotP); diff != "" {
				t.Errorf("round %d AssessPath(%q) (-plain +memo):\n%s", round, c, diff)
			}
			// A caller changing what it was given changes nothing memoised.
			for i := range got.Reasons {
				got.Reasons[i].Severity, got.Reasons[i].Rule = 0, "changed"
			}
			got.Reasons = append(got.Reasons, Reason{Rule: "appended"})
			if len(got.Command.Args) > 0 {
				got.Command.Args[0] = "changed"
			}
		}
	}
	other := memo
	other.UserName = "bob"
	other.System = map[string]string{"SystemRoot": `D:\WINNT`}
	for _, c := range cmds {
		want := Assess(c, Env{UserName: "bob", System: other.System})
		if diff := cmp.Diff(want, Assess(c, other)); diff != "" {
			t.Errorf("changed copy: Assess(%q) (-plain +memo):\n%s", c, diff)
		}
	}
}
