package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// Flags may follow paths ("hivescan scan DIR -f jsonl"): urfave/cli v2, like
// Go's flag package, stops at the first argument that is not a flag, so the
// command line is reordered before it is parsed, with every flag of the
// command (and its value) moved before the arguments. "--" still ends the
// flags: what follows it stays an argument, in place. urfave/cli v3 parses
// flags after arguments itself, but moving to it rewrites every command for
// this one behaviour; the reordering is the same rule in one place, tested
// for every command.

// commandLine is a command line split into its parts.
type commandLine struct {
	global  []string // flags before the command name
	command string   // "" when none was given
	cmd     *cli.Command
	flags   []string // the command's flags, with their values
	args    []string // the command's arguments, in order
	// dangling is a flag that takes a value but ends the command line.
	dangling string
}

// reorder returns args (program name first) with each command's flags moved
// before its arguments, and the command it names (nil when the name is not a
// command, or when none is given).
func reorder(app *cli.App, args []string) ([]string, commandLine) {
	var cl commandLine
	if len(args) == 0 {
		return args, cl
	}
	i := 1
	for ; i < len(args); i++ {
		a := args[i]
		if !isFlag(a) {
			break
		}
		cl.global = append(cl.global, a)
		if a == "--" {
			i++
			break
		}
		if needsValue(app.Flags, a) && i+1 < len(args) {
			i++
			cl.global = append(cl.global, args[i])
		}
	}
	if i >= len(args) || cl.global != nil && cl.global[len(cl.global)-1] == "--" {
		return args, cl
	}
	cl.command = args[i]
	cl.cmd = app.Command(cl.command)
	if cl.cmd == nil {
		return args, cl
	}
	rest := args[i+1:]
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		switch {
		case a == "--":
			cl.args = append(cl.args, rest[j+1:]...)
			j = len(rest)
		case isFlag(a) && needsValue(cl.cmd.Flags, a) && j+1 == len(rest):
			cl.dangling = a
		case isFlag(a):
			cl.flags = append(cl.flags, a)
			if needsValue(cl.cmd.Flags, a) {
				j++
				cl.flags = append(cl.flags, rest[j])
			}
		default:
			cl.args = append(cl.args, a)
		}
	}
	out := append([]string{args[0]}, cl.global...)
	out = append(out, cl.command)
	out = append(out, cl.flags...)
	for _, a := range cl.args {
		if strings.HasPrefix(a, "-") {
			out = append(out, "--")
			break
		}
	}
	return append(out, cl.args...), cl
}

// isFlag reports whether a looks like a flag ("-" alone is an argument).
func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' }

// needsValue reports whether the flag a (without "=value") is one of flags
// that takes a value, so the next argument belongs to it. Boolean flags,
// unknown flags and "--name=value" take nothing more.
func needsValue(flags []cli.Flag, a string) bool {
	if strings.Contains(a, "=") {
		return false
	}
	name := strings.TrimLeft(a, "-")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if _, ok := f.(*cli.BoolFlag); ok {
				return false
			}
			return true
		}
	}
	return false
}
