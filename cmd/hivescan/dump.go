package main

import (
	"github.com/urfave/cli/v2"
)

func dumpCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "dump",
		Usage:     "print every key and value of a hive (or of one key and below)",
		ArgsUsage: "HIVE [KEY]",
		Action: func(c *cli.Context) error {
			return usageErr("dump: not wired yet")
		},
	}
}
