package winpath

import (
	"encoding/base64"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hivescan/hivescan/internal/wintext"
)

// maxDecoded caps the decoded text of powershell -EncodedCommand (bytes of
// UTF-8); longer scripts are cut.
const maxDecoded = 64 << 10

// launcherNames are the host programs whose arguments name the real payload.
var launcherNames = map[string]bool{
	"rundll32": true, "regsvr32": true, "cmd": true, "powershell": true,
	"pwsh": true, "mshta": true, "wscript": true, "cscript": true,
	"certutil": true, "bitsadmin": true,
}

// launcherOf returns the launcher name for a program path, or "".
func launcherOf(image string) string {
	b := strings.ToLower(strings.TrimRight(baseName(image), " ."))
	b = strings.TrimSuffix(b, ".exe")
	if launcherNames[b] {
		return b
	}
	return ""
}

// carvedLauncher returns the launcher whose program name ends with the one
// image names, when image is a bare name (no folder) that lost its first
// letters (at least 5 remain: "wershell.exe" for powershell.exe), or "".
// It is used only for text recovered from reused cells (Env.Carved).
func carvedLauncher(image string) string {
	if strings.ContainsAny(image, `\/:`) {
		return ""
	}
	b := strings.TrimSuffix(strings.ToLower(strings.TrimRight(image, " .")), ".exe")
	if len(b) < 5 {
		return ""
	}
	names := make([]string, 0, len(launcherNames))
	for name := range launcherNames {
		names = append(names, name)
	}
	sort.Strings(names) // "script" could end cscript or wscript: the same host, told apart deterministically
	for _, name := range names {
		if len(name) > len(b) && strings.HasSuffix(name, b) {
			return name
		}
	}
	return ""
}

// dissectLauncher fills Launcher, Payload, Entry and Decoded for the
// launcher named by image.
func dissectLauncher(cl *CommandLine, image string) {
	cl.Launcher = launcherOf(image)
	switch cl.Launcher {
	case "rundll32":
		if len(cl.Args) == 0 {
			return
		}
		dll, entry, ok := strings.Cut(cl.Args[0], ",")
		if !ok && len(cl.Args) > 1 {
			entry = cl.Args[1]
		}
		cl.Payload = strings.TrimSpace(dll)
		entry = strings.TrimSpace(entry)
		if i := strings.IndexAny(entry, " \t;"); i >= 0 {
			entry = entry[:i]
		}
		cl.Entry = entry
	case "regsvr32":
		cl.Payload = firstOperand(cl.Args, false)
	case "wscript", "cscript":
		cl.Payload = firstOperand(cl.Args, true)
	case "mshta":
		if len(cl.Args) > 0 {
			cl.Payload = cl.Args[0]
		}
	case "cmd":
		cl.Payload = cmdCommand(cl.ArgString)
	case "powershell", "pwsh":
		dissectPowerShell(cl)
	}
}

// firstOperand returns the first argument that is not a switch ("/s", "-u",
// "//B" for script hosts).
func firstOperand(args []string, scriptHost bool) string {
	for _, a := range args {
		if strings.HasPrefix(a, "/") || (!scriptHost && strings.HasPrefix(a, "-")) {
			continue
		}
		return a
	}
	return ""
}

// cmdCommand returns the command that cmd.exe runs for /c, /k or /r, with one
// pair of enclosing quotes removed when the whole command is quoted.
func cmdCommand(argString string) string {
	s := argString
	for s != "" {
		s = strings.TrimLeft(s, " \t")
		if len(s) < 2 || s[0] != '/' {
			return ""
		}
		end := strings.IndexAny(s, " \t")
		if end < 0 {
			end = len(s)
		}
		sw := strings.ToLower(s[1:end])
		// "/c" may be glued to its command: cmd /cecho hi.
		if sw != "" && (sw[0] == 'c' || sw[0] == 'k' || sw[0] == 'r') {
			rest := strings.TrimSpace(s[2:])
			if len(rest) >= 2 && rest[0] == '"' && rest[len(rest)-1] == '"' && strings.Count(rest, `"`) == 2 {
				rest = rest[1 : len(rest)-1]
			}
			return rest
		}
		s = s[end:]
	}
	return ""
}

// psParam reports whether arg (with its leading dash) names the PowerShell
// parameter full: PowerShell accepts any unambiguous prefix of at least min
// letters, the listed aliases, and '/', en dash, em dash or horizontal bar in
// place of '-'.
func psParam(arg, full string, min int, aliases ...string) bool {
	name, ok := psSwitch(arg)
	if !ok || name == "" {
		return false
	}
	for _, a := range aliases {
		if name == a {
			return true
		}
	}
	return len(name) >= min && strings.HasPrefix(full, name)
}

func psSwitch(arg string) (string, bool) {
	for _, d := range []string{"-", "/", "\u2013", "\u2014", "\u2015"} {
		if strings.HasPrefix(arg, d) {
			name, _, _ := strings.Cut(arg[len(d):], ":")
			return strings.ToLower(name), true
		}
	}
	return "", false
}

func dissectPowerShell(cl *CommandLine) {
	for i := 0; i < len(cl.Args); i++ {
		a := cl.Args[i]
		next := ""
		if i+1 < len(cl.Args) {
			next = cl.Args[i+1]
		}
		switch {
		case psParam(a, "encodedcommand", 3, "e", "ec"):
			cl.Decoded = decodePowerShell(next)
			return
		case psParam(a, "command", 1):
			cl.Payload = strings.Join(cl.Args[i+1:], " ")
			return
		case psParam(a, "file", 1):
			cl.Payload = next
			return
		case psParam(a, "windowstyle", 1) || psParam(a, "executionpolicy", 2, "ep") ||
			psParam(a, "version", 1) || psParam(a, "inputformat", 2) ||
			psParam(a, "outputformat", 1) || psParam(a, "configurationname", 3) ||
			psParam(a, "workingdirectory", 2, "wd"):
			i++ // skip the parameter's value
		case strings.HasPrefix(a, "-") || strings.HasPrefix(a, "/"):
			// a switch without value (-NoProfile, -NonInteractive ...)
		default:
			// The first bare word starts the command (powershell.exe) or
			// names the script (pwsh).
			if cl.Launcher == "pwsh" {
				cl.Payload = a
			} else {
				cl.Payload = strings.Join(cl.Args[i:], " ")
			}
			return
		}
	}
}

// decodePowerShell decodes a -EncodedCommand argument (base64 of UTF-16LE).
// Invalid input gives "". At most maxDecoded bytes are returned.
func decodePowerShell(arg string) string {
	s := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, arg)
	if limit := maxDecoded * 8 / 3; len(s) > limit {
		s = s[:limit&^3]
	}
	s = strings.TrimRight(s, "=")
	raw, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil || len(raw) < 2 {
		return ""
	}
	out := wintext.UTF16(raw)
	if len(out) > maxDecoded {
		out = out[:maxDecoded]
		for !utf8.ValidString(out) {
			out = out[:len(out)-1]
		}
	}
	return out
}
