package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/Velocidex/yaml/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/report"
)

// runTasks runs one in-process scan per task with the arguments args(i)
// and the job engine's environment env(i), then merges the parts: every
// host of the sample evidence is found exactly once.
func runTasks(t *testing.T, n int, args func(i int) []string, env func(i int) map[string]string, parts func(i int) string) {
	t.Helper()
	var files []string
	for i := range n {
		for k, v := range env(i) {
			t.Setenv(k, v)
		}
		code, _, stderr := runCLI(t, args(i)...)
		if code != 0 && code != exitFindings && code != exitProblems {
			t.Fatalf("task %d %q: exit %d: %s", i, args(i), code, stderr)
		}
		files = append(files, parts(i))
	}
	code, out, stderr := runCLI(t, append([]string{"merge", "--format", "json"}, files...)...)
	if code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	var merged, whole report.Report
	json.Unmarshal([]byte(out), &merged)
	_, wholeOut, _ := runCLI(t, "scan", "--format", "json", evidence)
	json.Unmarshal([]byte(wholeOut), &whole)
	if len(whole.Hosts) == 0 || !cmp.Equal(whole.Hosts, merged.Hosts) || !cmp.Equal(whole.Findings, merged.Findings) {
		t.Errorf("the tasks' merged report differs from one scan: %d hosts, %d findings, want %d, %d", len(merged.Hosts), len(merged.Findings), len(whole.Hosts), len(whole.Findings))
	}
}

type yamlMap = map[interface{}]interface{}

func dig(t *testing.T, v interface{}, path ...interface{}) interface{} {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(yamlMap)
			if !ok {
				t.Fatalf("%v: not a mapping at %q", path, k)
			}
			v = m[k]
		case int:
			l, ok := v.([]interface{})
			if !ok || k >= len(l) {
				t.Fatalf("%v: no item %d", path, k)
			}
			v = l[k]
		}
	}
	return v
}

// The Kubernetes example is an Indexed Job whose pods, given the index
// Kubernetes sets, scan disjoint shards that merge into the whole scan.
func TestDeployKubernetes(t *testing.T) {
	b, err := os.ReadFile("../../deploy/kubernetes/indexed-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var job interface{}
	if err := yaml.Unmarshal(b, &job); err != nil {
		t.Fatal(err)
	}
	if dig(t, job, "kind") != "Job" || dig(t, job, "spec", "completionMode") != "Indexed" {
		t.Fatalf("not an Indexed Job")
	}
	n, _ := dig(t, job, "spec", "completions").(int)
	if n < 2 {
		t.Fatalf("completions %v", dig(t, job, "spec", "completions"))
	}
	c := dig(t, job, "spec", "template", "spec", "containers", 0)
	env := map[string]string{}
	for _, e := range dig(t, c, "env").([]interface{}) {
		env[dig(t, e, "name").(string)] = fmt.Sprint(dig(t, e, "value"))
	}
	if env["HIVESCAN_SHARD_COUNT"] != strconv.Itoa(n) {
		t.Errorf("HIVESCAN_SHARD_COUNT %q, completions %d", env["HIVESCAN_SHARD_COUNT"], n)
	}
	for _, m := range dig(t, c, "volumeMounts").([]interface{}) {
		if dig(t, m, "name") == "evidence" && dig(t, m, "readOnly") != true {
			t.Error("evidence mounted writable")
		}
	}
	var args []string
	for _, a := range dig(t, c, "args").([]interface{}) {
		args = append(args, a.(string))
	}
	for _, want := range []string{"scan", "--shard=auto", "--format=json", "--quiet"} {
		if !strings.Contains(strings.Join(args, " "), want) {
			t.Errorf("args %q lack %s", args, want)
		}
	}
	out := t.TempDir()
	render := func(i int) []string {
		var r []string
		for _, a := range args {
			a = strings.ReplaceAll(a, "$(JOB_COMPLETION_INDEX)", strconv.Itoa(i))
			a = strings.ReplaceAll(a, "/out/", out+"/")
			if a == "/evidence" {
				a = evidence
			}
			r = append(r, a)
		}
		return r
	}
	runTasks(t, n, render,
		func(i int) map[string]string {
			return map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i), "HIVESCAN_SHARD_COUNT": env["HIVESCAN_SHARD_COUNT"]}
		},
		func(i int) string { return filepath.Join(out, fmt.Sprintf("part-%d.json", i)) })
}

// The Slurm example, run as Slurm runs each array task (with a stand-in
// for hivescan that records its arguments), passes flags that scan
// disjoint shards merging into the whole scan.
func TestDeploySlurm(t *testing.T) {
	script, err := filepath.Abs("../../deploy/slurm/array.sh")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^#SBATCH --array=0-(\d+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no #SBATCH --array=0-N")
	}
	last, _ := strconv.Atoi(string(m[1]))
	n := last + 1
	dir := t.TempDir()
	fake := filepath.Join(dir, "fake-hivescan")
	os.WriteFile(fake, []byte("#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$ARGS_FILE\"\n"), 0o755)
	slurmEnv := func(i int) map[string]string {
		return map[string]string{"SLURM_ARRAY_TASK_ID": strconv.Itoa(i), "SLURM_ARRAY_TASK_COUNT": strconv.Itoa(n),
			"SLURM_ARRAY_TASK_MIN": "0", "SLURM_CPUS_PER_TASK": "2"}
	}
	out := filepath.Join(dir, "parts")
	args := func(i int) []string {
		argsFile := filepath.Join(dir, fmt.Sprintf("args-%d", i))
		cmd := exec.Command("bash", script)
		cmd.Env = append(os.Environ(), "EVIDENCE="+evidence, "OUT="+out, "HIVESCAN="+fake, "ARGS_FILE="+argsFile)
		for k, v := range slurmEnv(i) {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("array.sh: %v\n%s", err, b)
		}
		b, err := os.ReadFile(argsFile)
		if err != nil {
			t.Fatal(err)
		}
		a := strings.Split(strings.TrimSpace(string(b)), "\n")
		want := []string{"scan", "--shard", "auto", "--jobs", "2", "--quiet", "--format", "json", "--output", filepath.Join(out, fmt.Sprintf("part-%d.json", i)), evidence}
		if diff := cmp.Diff(want, a); diff != "" {
			t.Fatalf("task %d flags (-want +got):\n%s", i, diff)
		}
		return a
	}
	runTasks(t, n, args, slurmEnv, func(i int) string { return filepath.Join(out, fmt.Sprintf("part-%d.json", i)) })
}
