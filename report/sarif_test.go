package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var sarifSchemaPath = filepath.Join("..", "testdata", "sarif", "sarif-schema-2.1.0.json")

func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(sarifSchemaPath)
	if err != nil {
		t.Fatalf("compiling the SARIF schema: %v", err)
	}
	return sch
}

func validateSARIF(t *testing.T, sch *jsonschema.Schema, doc []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	return sch.Validate(inst)
}

func TestSARIFGolden(t *testing.T) {
	checkGolden(t, "sarif.golden", writeFormat(t, "sarif", Options{Analyzers: []AnalyzerDoc{
		{Name: "session-manager", Doc: "Session Manager boot programs\nBootExecute and friends run before Windows starts.", Attack: []string{"T1547.001"}},
	}}, fixtureWide()))
}

// The output of every report we have fixtures for is valid SARIF 2.1.0, and
// the validator does reject a broken document.
func TestSARIFSchema(t *testing.T) {
	sch := sarifSchema(t)
	for name, r := range map[string]*Report{"wide": fixtureWide(), "empty": {ToolVersion: "1.2.3"}, "bare": {}} {
		out := writeFormat(t, "sarif", Options{}, r)
		if err := validateSARIF(t, sch, out); err != nil {
			t.Errorf("%s: SARIF output does not match the schema: %v\n%s", name, err, out)
		}
	}
	var doc map[string]any
	if err := json.Unmarshal(writeFormat(t, "sarif", Options{}, fixtureWide()), &doc); err != nil {
		t.Fatal(err)
	}
	run := doc["runs"].([]any)[0].(map[string]any)
	run["results"].([]any)[0].(map[string]any)["level"] = "fatal"
	broken, _ := json.Marshal(doc)
	if err := validateSARIF(t, sch, broken); err == nil {
		t.Error("a result with level \"fatal\" passed the schema: the validator checks nothing")
	}
}

func TestSARIFContent(t *testing.T) {
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string         `json:"id"`
						Help       map[string]any `json:"help"`
						Properties struct {
							Tags     []string `json:"tags"`
							Severity string   `json:"security-severity"`
						} `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Artifacts []struct {
				Location struct {
					URI       string `json:"uri"`
					URIBaseID string `json:"uriBaseId"`
				} `json:"location"`
				Hashes map[string]string `json:"hashes"`
			} `json:"artifacts"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Kind      string `json:"kind"`
				Locations []struct {
					Physical struct {
						Artifact struct {
							URI   string `json:"uri"`
							Index *int   `json:"index"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
					Logical []struct {
						FQN  string `json:"fullyQualifiedName"`
						Kind string `json:"kind"`
					} `json:"logicalLocations"`
				} `json:"locations"`
				Partial    map[string]string `json:"partialFingerprints"`
				Properties map[string]any    `json:"properties"`
			} `json:"results"`
			Invocations []struct {
				Success       bool `json:"executionSuccessful"`
				Notifications []struct {
					Level   string         `json:"level"`
					Message map[string]any `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	r := fixtureWide()
	if err := json.Unmarshal(writeFormat(t, "sarif", Options{}, r), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	v := view(r, Options{})
	if len(run.Results) != len(v.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(v.Findings))
	}
	wantLevel := map[Severity]string{Critical: "error", High: "error", Medium: "warning", Low: "note", Info: "none"}
	for i, res := range run.Results {
		f := v.Findings[i]
		if res.Partial[sarifFingerprintKey] != f.Fingerprint {
			t.Errorf("result %d: partial fingerprint %q, finding %q", i, res.Partial[sarifFingerprintKey], f.Fingerprint)
		}
		if res.Level != wantLevel[f.Severity] || (f.Severity == Info) != (res.Kind == "informational") {
			t.Errorf("result %d (%s): level %s kind %s", i, f.Severity, res.Level, res.Kind)
		}
		if rule := run.Tool.Driver.Rules[res.RuleIndex]; rule.ID != res.RuleID {
			t.Errorf("result %d: ruleIndex points at %s, ruleId %s", i, rule.ID, res.RuleID)
		}
		loc := res.Locations[0]
		if !strings.HasSuffix(loc.Logical[0].FQN, strings.Trim(f.Key, `\`)) || loc.Logical[0].Kind != "object" {
			t.Errorf("result %d: logical location %+v for key %q", i, loc.Logical[0], f.Key)
		}
		if (f.Value != nil) != (len(loc.Logical) == 2) {
			t.Errorf("result %d: %d logical locations, value %v", i, len(loc.Logical), f.Value)
		}
		if loc.Physical.Artifact.URI != strings.ReplaceAll(f.Hive, " ", "%20") {
			t.Errorf("result %d: artifact %q for hive %q", i, loc.Physical.Artifact.URI, f.Hive)
		}
	}
	bootExecute := run.Results[0]
	if got := bootExecute.Locations[0].Logical[1].FQN; got != `HKLM\SYSTEM\ControlSet001\Control\Session Manager\BootExecute` {
		t.Errorf("BootExecute value FQN %q", got)
	}
	if cs, _ := bootExecute.Properties["control_sets"].([]any); len(cs) != 2 {
		t.Errorf("merged finding lists %d control sets, want 2", len(cs))
	}
	var alice string
	for _, res := range run.Results {
		if res.RuleID == "run-keys/formula-in-data" {
			alice = res.Locations[0].Logical[0].FQN
		}
	}
	if alice != `HKU\S-1-5-21-1-2-3-1001\Software\Microsoft\Windows\CurrentVersion\Run` {
		t.Errorf("NTUSER key FQN %q, want the user's SID under HKU", alice)
	}
	for _, rule := range run.Tool.Driver.Rules {
		if rule.Help["text"] == "" || len(rule.Properties.Tags) < 1 || rule.Properties.Severity == "" {
			t.Errorf("rule %s lacks help, tags or security-severity: %+v", rule.ID, rule)
		}
		if rule.ID == "session-manager/fake-smss" && !strings.Contains(strings.Join(rule.Properties.Tags, " "), "T1547.001") {
			t.Errorf("rule %s tags %v lack its ATT&CK technique", rule.ID, rule.Properties.Tags)
		}
	}
	if len(run.Artifacts) != len(r.Inputs) || run.Artifacts[0].Location.URIBaseID != "EVIDENCE" {
		t.Errorf("artifacts %+v", run.Artifacts)
	}
	inv := run.Invocations[0]
	// Every problem, and the failed and the skipped analyzer.
	if want := len(r.Problems) + 2; inv.Success || len(inv.Notifications) != want {
		t.Errorf("invocation success %v with %d notifications, want false and %d", inv.Success, len(inv.Notifications), want)
	}
}
