package sessionmanager

import (
	"context"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"

	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// The session-manager-tampered sample host trips every Session Manager
// analyzer with the rule planted for it; the clean host trips none above info.
func TestSessionManagerSampleHosts(t *testing.T) {
	h := samples.SessionManagerTampered()
	res := analysis.Run(context.Background(), analysistest.HostOf(t, h.Name, h.Hives...), family)
	got := map[string]report.Severity{}
	for _, f := range res.Findings {
		got[f.Rule] = report.Max(got[f.Rule], f.Severity)
	}
	want := map[string]report.Severity{
		"bootexecute.nondefault":         report.Critical,
		"pending.critical-target":        report.Critical,
		"pending.operation":              report.Info,
		"pending.allow-protected":        report.Low,
		"knowndlls.unknown":              report.Medium,
		"knowndlls.excluded":             report.High,
		"environment.path-user-writable": report.Medium,
		"environment.cor-profiler":       report.High,
		"environment.user-windir":        report.High,
		"subsystems.csrss-path":          report.Critical,
		"dosdevices.redirected":          report.High,
		"appcertdlls.entry":              report.High,
		"pagingfiles.inventory":          report.Info,
		"pagingfiles.other-volume":       report.Low,
		"pagingfiles.clear-at-shutdown":  report.Low,
		"smswitches.globalflag":          report.High,
		"smswitches.protectionmode-off":  report.Medium,
		"setup.cmdline":                  report.High,
	}
	for rule, sev := range want {
		if got[rule] != sev {
			t.Errorf("%s: got %v, want %v", rule, got[rule], sev)
		}
	}
	for rule := range got {
		if _, ok := want[rule]; !ok {
			t.Errorf("unexpected rule %s (%v)", rule, got[rule])
		}
	}
	for _, r := range res.Runs {
		if r.Status != report.Ran || r.Findings == 0 {
			t.Errorf("%s: %s %s, %d findings on the tampered host", r.Name, r.Status, r.Reason, r.Findings)
		}
	}

	clean := samples.CleanHost()
	res = analysis.Run(context.Background(), analysistest.HostOf(t, clean.Name, clean.Hives...), family)
	for _, f := range res.Findings {
		if f.Severity > report.Info {
			t.Errorf("clean host: %s %v %s", f.Rule, f.Severity, f.Title)
		}
	}
}
