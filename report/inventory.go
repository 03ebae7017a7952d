package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteInventory writes the hosts and hive files of a report as text: what
// "hivescan hives" prints. Names from the evidence are escaped as in the
// table format.
func WriteInventory(w io.Writer, r *Report) error {
	c := *r
	c.Finalize()
	byHost := map[string][]Input{}
	for _, in := range c.Inputs {
		byHost[in.Host] = append(byHost[in.Host], in)
	}
	writeImages(w, c.Images)
	for i, h := range c.Hosts {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "HOST %s\n", escapeText(h.Name))
		fmt.Fprintf(w, "  root:         %s\n", escapeText(h.Root))
		for _, kv := range [][2]string{
			{"computer:", h.ComputerName}, {"os:", h.OS}, {"edition:", h.Edition},
			{"installed:", h.InstallDate}, {"shut down:", h.ShutdownTime}, {"time zone:", h.TimeZone},
		} {
			if kv[1] != "" {
				fmt.Fprintf(w, "  %-13s %s\n", kv[0], escapeText(kv[1]))
			}
		}
		if len(h.ControlSets) > 0 {
			var cs []string
			for _, s := range h.ControlSets {
				cs = append(cs, withRoles(s.Name, s.Roles))
			}
			fmt.Fprintf(w, "  control sets: %s\n", strings.Join(cs, ", "))
		}
		if len(h.Users) > 0 {
			var us []string
			for _, u := range h.Users {
				if u.SID != "" {
					us = append(us, escapeText(u.Name)+" ("+escapeText(u.SID)+")")
				} else {
					us = append(us, escapeText(u.Name))
				}
			}
			fmt.Fprintf(w, "  users:        %s\n", strings.Join(us, ", "))
		}
		ins := byHost[h.Name]
		sort.SliceStable(ins, func(i, j int) bool { return ins[i].Path < ins[j].Path })
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  KIND\tUSER/LABEL\tSIZE\tSTATE\tSHA-256\tPATH")
		for _, in := range ins {
			who := in.User
			if in.Label != "" {
				who = strings.TrimSpace(who + " " + in.Label)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\n", in.Kind, orDash(escapeText(who)), in.Size, inputState(in), orDash(in.SHA256), escapeText(in.Path))
		}
		tw.Flush()
		for _, in := range ins {
			if len(in.KindBy) > 0 || len(in.KindDoubts) > 0 {
				why := strings.Join(in.KindBy, ", ")
				if len(in.KindDoubts) > 0 {
					why = strings.TrimPrefix(why+"; "+strings.Join(in.KindDoubts, "; "), "; ")
				}
				fmt.Fprintf(w, "  kind: %s: %s by %s\n", escapeText(in.Path), in.Kind, escapeText(why))
			}
			for _, n := range in.Notes {
				if n == "transaction log" {
					continue
				}
				fmt.Fprintf(w, "  note: %s: %s\n", escapeText(in.Path), escapeText(n))
			}
		}
	}
	var orphan []Problem
	for _, p := range c.Problems {
		if p.Analyzer == "" {
			orphan = append(orphan, p)
		}
	}
	if len(orphan) > 0 {
		fmt.Fprintf(w, "\nPROBLEMS (%d)\n", len(orphan))
		for _, p := range orphan {
			fmt.Fprintf(w, "  %s: %s\n", escapeText(orDash(p.Path)), escapeText(p.Message))
		}
	}
	if len(c.Hosts) == 0 && len(orphan) == 0 {
		fmt.Fprintln(w, "no registry hives found")
	}
	return nil
}

func inputState(in Input) string {
	if in.Kind == InputText {
		if in.State == InputNotRead {
			return "text," + InputNotRead
		}
		return "text"
	}
	if in.Kind == "LOG" {
		switch {
		case in.State == InputNotRead || in.State == InputNotParsed:
			return "log," + in.State
		case !in.ChecksumOK:
			return "log,bad-checksum"
		}
		return "log"
	}
	if in.State == InputNotRead {
		return InputNotRead
	}
	var s []string
	if in.State == InputNotParsed {
		s = append(s, InputNotParsed)
	}
	switch {
	case in.Dirty && len(in.Logs) > 0:
		s = append(s, "dirty+logs")
	case in.Dirty:
		s = append(s, "dirty,no-logs")
	default:
		s = append(s, "clean")
	}
	if !in.ChecksumOK {
		s = append(s, "bad-checksum")
	}
	return strings.Join(s, ",")
}
