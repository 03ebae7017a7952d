package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/hivescan/hivescan/analyzers"
)

func analyzersCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "analyzers",
		Usage: "list the analyzers, the hives they read and the ATT&CK techniques they report",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table or json"},
			&cli.StringSliceFlag{Name: "rules", Usage: "also list the analyzers of check `FILE` or folder (and so check it loads; format: docs/rules.md); repeatable"},
		}, sigmaFlags(false)...),
		Action: func(c *cli.Context) error {
			if c.Bool("sigma") || len(c.StringSlice("sigma-dir")) > 0 {
				return listSigma(c, stdout)
			}
			list, err := analyzers.WithRules(analyzers.All(), c.StringSlice("rules"))
			if err != nil {
				return usageErr("--rules: %v\n(the check file format is in docs/rules.md)", err)
			}
			switch strings.ToLower(c.String("format")) {
			case "json":
				type row struct {
					Name   string   `json:"name"`
					Title  string   `json:"title"`
					Doc    string   `json:"doc"`
					Needs  []string `json:"needs"`
					Attack []string `json:"attack"`
				}
				rows := make([]row, 0, len(list))
				for _, a := range list {
					r := row{Name: a.Name, Title: a.Title(), Doc: a.Doc, Attack: a.Attack, Needs: []string{}}
					for _, k := range a.Needs {
						r.Needs = append(r.Needs, k.String())
					}
					rows = append(rows, r)
				}
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			case "table", "":
				tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tHIVES\tATT&CK\tTITLE")
				for _, a := range list {
					needs := make([]string, len(a.Needs))
					for i, k := range a.Needs {
						needs[i] = k.String()
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Name, strings.Join(needs, ","), strings.Join(a.Attack, ","), a.Title())
				}
				return tw.Flush()
			}
			return usageErr("analyzers: unknown format %q (table or json)", c.String("format"))
		},
	}
}

func versionCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version",
		Action: func(c *cli.Context) error {
			_, err := fmt.Fprintf(stdout, "hivescan %s\n", version)
			return err
		},
	}
}
