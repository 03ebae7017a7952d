package services

import (
	"context"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/analyzers/ifeo"

	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// The committed sample host fake-smss-service yields exactly its three
// planted entries; the clean host yields nothing.
func TestServiceFamilySampleHosts(t *testing.T) {
	clean := analysis.Run(context.Background(), analysistest.HostOf(t, "clean", samples.CleanHost().Hives...), withIFEO)
	if len(clean.Findings) != 0 || len(clean.Problems) != 0 {
		t.Fatalf("clean host: %+v %+v", clean.Findings, clean.Problems)
	}
	h := samples.FakeSmssService()
	res := analysis.Run(context.Background(), analysistest.HostOf(t, h.Name, h.Hives...), withIFEO)
	if len(res.Problems) != 0 {
		t.Fatalf("problems: %+v", res.Problems)
	}
	want := map[string]report.Severity{
		"service.image-masquerade":   report.Critical,
		"ifeo.debugger":              report.Critical,
		"lsa.package":                report.High,
		"service.display-name-mimic": report.Medium,
	}
	got := map[string]report.Severity{}
	for _, f := range res.Findings {
		got[f.Rule] = f.Severity
		if f.HiveKind == "SYSTEM" && (f.ControlSet != "ControlSet001" || f.ControlSetRole[0] != "current") {
			t.Errorf("%s: control set %q %v", f.Rule, f.ControlSet, f.ControlSetRole)
		}
	}
	if len(got) != len(want) || len(res.Findings) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for r, s := range want {
		if got[r] != s {
			t.Errorf("%s: got %s, want %s", r, got[r], s)
		}
	}
}

// withIFEO is the services family with the ifeo analyzer, which the sample
// hosts and corpus expectations of this family were written for (IFEO was
// one of the service analyzers before it became its own family).
var withIFEO = append(family[:len(family):len(family)], ifeo.IFEO)
