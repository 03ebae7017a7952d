package tasks

import (
	"encoding/hex"
	"fmt"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// tarraskSource is Microsoft's description of the hidden-task technique.
const tarraskSource = "Microsoft Threat Intelligence, \"Tarrask malware uses scheduled tasks for defense evasion\", 2022-04-12, https://www.microsoft.com/en-us/security/blog/2022/04/12/tarrask-malware-uses-scheduled-tasks-for-defense-evasion/"

// checkSD reports a Tree entry whose security descriptor is gone: Task
// Scheduler then leaves the task out of every enumeration (schtasks /query,
// the console, the COM API) while it keeps running.
func (s *scan) checkSD(t treeTask, te *hive.Key) {
	v, ok, err := analysis.OptionalValue(t.key, "SD")
	if err != nil {
		s.fail(t.key, err)
		return
	}
	var why string
	f := analysis.At(s.e, t.key)
	f.Value = report.ValueName("SD")
	if !ok {
		why = "has no SD value"
	} else {
		b, err := v.Bytes()
		if err != nil {
			s.fail(t.key, fmt.Errorf("value SD: %w", err))
			return
		}
		f.Data = hex.EncodeToString(b)
		switch {
		case len(b) == 0:
			why = "has an empty SD value"
		case len(b) < 20 || b[0] != 1:
			why = fmt.Sprintf("has an SD value of %d bytes that is not a security descriptor (Windows writes a self-relative descriptor of revision 1, at least 20 bytes)", len(b))
		default:
			return
		}
	}
	f.Rule = "tasks.hidden"
	f.Severity = report.High
	f.Attack = []string{"T1053.005", "T1564"}
	f.Title = fmt.Sprintf("Scheduled task %s is hidden: its Tree entry lacks a security descriptor", t.path)
	f.Detail = fmt.Sprintf("The Tree entry of task %s %s. Without its security descriptor Task Scheduler leaves the task out of schtasks /query, the Task Scheduler console and the COM API, yet still runs it: the technique of the Tarrask malware (HAFNIUM), which deletes the SD value as SYSTEM (source: %s). Windows never registers a task without one.", t.path, why, tarraskSource)
	if te != nil {
		f.Detail += " " + s.actionSummary(te)
	}
	f.Detail += " Collect the task's XML file (Windows\\System32\\Tasks" + t.path + ", which may also be deleted), the Task Scheduler operational log, and the program it runs."
	s.out = append(s.out, f)
}

// qualysSource describes hiding a task through its Index value.
const qualysSource = "Qualys, \"Defending against scheduled task attacks in Windows environments\", 2022-06-20, https://blog.qualys.com/vulnerabilities-threat-research/2022/06/20/defending-against-scheduled-task-attacks-in-windows-environments (SigmaHQ rules 5b16df71 and 526cc8bc)"

// checkIndex reports a Tree entry whose Index is 0 (medium: schtasks and
// the console no longer list the task) or absent (low).
func (s *scan) checkIndex(t treeTask) {
	n, v, found, err := analysis.Uint(t.key, "Index")
	if err != nil {
		s.fail(t.key, err)
		return
	}
	if found && n != 0 {
		return
	}
	f := analysis.At(s.e, t.key)
	f.Value = report.ValueName("Index")
	f.Rule = "tasks.index"
	f.Attack = []string{"T1053.005", "T1564"}
	if found {
		f = analysis.AtValue(s.e, t.key, v)
		f.Rule, f.Attack = "tasks.index", []string{"T1053.005", "T1564"}
		f.Severity = report.Medium
		f.Title = fmt.Sprintf("Scheduled task %s has Index 0: hidden from task listings", t.path)
		f.Detail = fmt.Sprintf("The Tree entry of task %s has Index 0. Task Scheduler writes a non-zero Index when it registers a task; set to 0 by a registry edit, it takes the task out of schtasks /query and the Task Scheduler console while the task still runs (source: %s; the SD variant: %s).", t.path, qualysSource, tarraskSource)
	} else {
		f.Severity = report.Low
		f.Title = fmt.Sprintf("Scheduled task %s has no Index in its Tree entry", t.path)
		f.Detail = fmt.Sprintf("The Tree entry of task %s has no Index value, which Task Scheduler writes for every task it registers; deleting it hides the task from listings (source: %s).", t.path, qualysSource)
	}
	f.Detail += " Check the task's XML file (Windows\\System32\\Tasks" + t.path + ") and what it runs."
	s.out = append(s.out, f)
}

// orphanTree reports a Tree entry whose Id names no Tasks entry.
func (s *scan) orphanTree(t treeTask) {
	f := analysis.At(s.e, t.key)
	f.Value = report.ValueName("Id")
	f.Data = t.id
	f.Rule = "tasks.orphan-tree"
	f.Severity = report.Medium
	f.Attack = []string{"T1053.005", "T1070"}
	f.Title = fmt.Sprintf("Scheduled task %s has no Tasks entry", t.path)
	f.Detail = fmt.Sprintf("The Tree entry of task %s names the id %s, but TaskCache\\Tasks has no such key. Task Scheduler writes and deletes both together, so one without the other was deleted or edited by hand (or the hive is damaged): a trace of a task removed to cover tracks, or of a half-written one. The Tree key's last-write time dates the change; look for the task's XML file in Windows\\System32\\Tasks and in the Task Scheduler operational log (events 106, 140, 141).", t.path, t.id)
	s.out = append(s.out, f)
}

// orphanTask reports a Tasks entry no Tree entry names.
func (s *scan) orphanTask(k *hive.Key, path string) {
	f := analysis.At(s.e, k)
	f.Rule = "tasks.orphan-task"
	f.Severity = report.Medium
	f.Attack = []string{"T1053.005", "T1070"}
	f.Title = fmt.Sprintf("Scheduled task %s has no Tree entry", path)
	f.Detail = fmt.Sprintf("TaskCache\\Tasks\\%s (task %s) is named by no Tree entry. Task Scheduler writes and deletes both together, so one without the other was deleted or edited by hand (or the hive is damaged): a task removed from Tree no longer shows in any listing. %s The key's last-write time dates the last change; look for the task's XML file in Windows\\System32\\Tasks and in the Task Scheduler operational log.", k.Name(), path, s.actionSummary(k))
	s.out = append(s.out, f)
}

// staleLists reports trigger-list entries (Boot, Logon, Plain,
// Maintenance) naming no Tasks entry.
func (s *scan) staleLists(lists map[string][]listEntry, entries map[string]*hive.Key) {
	for _, id := range sortedIDs(lists) {
		if entries[id] != nil {
			continue
		}
		for _, le := range lists[id] {
			f := analysis.At(s.e, le.key)
			f.Rule = "tasks.orphan-trigger"
			f.Severity = report.Low
			f.Attack = []string{"T1053.005", "T1070"}
			f.Title = fmt.Sprintf("TaskCache\\%s names task %s, which has no Tasks entry", le.list, le.key.Name())
			f.Detail = fmt.Sprintf("TaskCache\\%s\\%s lists a task by id, but TaskCache\\Tasks has no such key: the task was removed without Task Scheduler, which deletes both. The key's last-write time tells when the list entry was written.", le.list, le.key.Name())
			s.out = append(s.out, f)
		}
	}
}
