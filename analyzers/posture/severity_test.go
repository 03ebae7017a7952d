package posture

import (
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/checks"
	"github.com/hivescan/hivescan/report"
)

// analystSeverities is the severity table an analyst agreed to for the
// settings most often changed by intruders (Windows 10 severities). A
// change to a row's severity in the YAML must be made here too, on purpose.
var analystSeverities = map[string]report.Severity{
	"defender.disableantispyware":       report.High,
	"defender.realtime-off":             report.High,
	"defender.service-disabled":         report.High,
	"defender.threat-action-allow":      report.High,
	"defender.tamper-protection-off":    report.Medium,
	"uac.disabled":                      report.High,
	"uac.no-prompt":                     report.Medium,
	"uac.remote-token-filter-off":       report.Medium,
	"credentials.wdigest-cleartext":     report.High,
	"credentials.autologon-password":    report.High,
	"credentials.lsa-protection-off":    report.Low,
	"credentials.restricted-admin-on":   report.Medium,
	"remoteaccess.rdp-enabled":          report.Low,
	"remoteaccess.nla-off":              report.Medium,
	"logging.channel-disabled":          report.High,
	"logging.autologger-stopped":        report.Medium,
	"logging.dotnet-etw-off":            report.High,
	"logging.amsi-off":                  report.High,
	"logging.scriptblock-logging-off":   report.Medium,
	"logging.eventlog-service-disabled": report.High,
	"hardening.firewall-off":            report.Medium,
	"hardening.smartscreen-off":         report.Medium,
	"hardening.smartscreen-policy-off":  report.Low,
	"hardening.extension-forced":        report.Medium,
}

func TestAnalystSeverities(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range family {
		f, ok := checks.FileOf(a)
		if !ok {
			t.Fatalf("%s has no table", a.Name)
		}
		for _, c := range f.Checks {
			if c.Source == "" {
				t.Errorf("%s: no source", c.Rule)
			}
			want, ok := analystSeverities[c.Rule]
			if !ok {
				continue
			}
			seen[c.Rule] = true
			if got := c.SeverityFor(analysis.Fam10); got != want {
				t.Errorf("%s: %v on Windows 10, the analyst table says %v", c.Rule, got, want)
			}
		}
	}
	for r := range analystSeverities {
		if !seen[r] {
			t.Errorf("%s: no such row", r)
		}
	}
}
