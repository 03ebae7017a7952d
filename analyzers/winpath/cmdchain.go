package winpath

import "strings"

// maxChain bounds how many commands of a cmd.exe chain are judged.
const maxChain = 16

// splitChain splits a cmd.exe command at the unquoted, unescaped operators
// &, &&, | and ||, and drops the "start" and "call" wrappers (with start's
// switches and window title), so each command names its program first.
func splitChain(s string) []string {
	var out []string
	inQuote := false
	start := 0
	for i := 0; i < len(s) && len(out) < maxChain; i++ {
		switch c := s[i]; {
		case c == '^' && !inQuote:
			i++ // escaped character
		case c == '"':
			inQuote = !inQuote
		case (c == '&' || c == '|') && !inQuote:
			out = appendCommand(out, s[start:i])
			if i+1 < len(s) && s[i+1] == c {
				i++
			}
			start = i + 1
		}
	}
	if len(out) < maxChain {
		out = appendCommand(out, s[start:])
	}
	return out
}

func appendCommand(out []string, cmd string) []string {
	cmd = unwrapCommand(strings.TrimSpace(cmd))
	if cmd == "" {
		return out
	}
	return append(out, cmd)
}

// unwrapCommand removes "start [title] [/switches]" and "call" in front of a
// command.
func unwrapCommand(cmd string) string {
	word, rest, _ := strings.Cut(cmd, " ")
	switch strings.ToLower(word) {
	case "call":
		return strings.TrimSpace(rest)
	case "start":
		rest = strings.TrimSpace(rest)
		if strings.HasPrefix(rest, `"`) { // the window title
			if j := strings.IndexByte(rest[1:], '"'); j >= 0 {
				rest = strings.TrimSpace(rest[j+2:])
			}
		}
		for strings.HasPrefix(rest, "/") {
			_, rest, _ = strings.Cut(rest, " ")
			rest = strings.TrimSpace(rest)
		}
		return rest
	}
	return cmd
}
