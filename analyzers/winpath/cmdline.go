package winpath

import (
	"strings"
)

// CommandLine is a command line split the way Windows starts it.
//
// The program is taken as CommandLineToArgvW takes argv[0]: a leading quoted
// string, or else, like CreateProcess, the shortest run of whitespace-separated
// words that ends in an executable extension (so "C:\Program Files\App\a.exe -x"
// names a.exe). A program written without quotes that contains whitespace is
// marked Unquoted: Windows would first try the shorter prefixes
// ("C:\Program.exe"), which is the path interception of ATT&CK T1574.009.
// Nothing is expanded: Image keeps %VARIABLES% as written.
type CommandLine struct {
	Raw       string   // the command line as read
	Image     string   // the program as written, without quotes
	Quoted    bool     // the program was enclosed in double quotes
	Unquoted  bool     // the program was not quoted and contains whitespace
	Args      []string // the arguments after the program, split by CommandLineToArgvW rules
	ArgString string   // the text after the program as written, leading whitespace removed

	// Launcher is the lower-case name, without extension, of a host program
	// whose arguments name what really runs: "rundll32", "regsvr32", "cmd",
	// "powershell", "pwsh", "mshta", "wscript", "cscript", "certutil",
	// "bitsadmin"; "" for any other program.
	Launcher string
	// Payload is what the launcher runs: the DLL of rundll32 or regsvr32, the
	// script of wscript, cscript or powershell -File, the target of mshta, the
	// command text of cmd /c and powershell -Command. Empty when not known.
	Payload string
	// Entry is the rundll32 entry point (the text after the comma).
	Entry string
	// Decoded is the script passed to powershell -EncodedCommand, decoded
	// from base64 UTF-16LE; at most maxDecoded bytes of UTF-8.
	Decoded string
}

// argSpace reports whether c separates arguments (CommandLineToArgvW uses
// space and tab only).
func argSpace(c byte) bool { return c == ' ' || c == '\t' }

// ParseCommandLine splits s into program and arguments. It never fails: an
// empty or malformed line gives an empty Image. Work and memory are linear in
// len(s).
func ParseCommandLine(s string) CommandLine {
	cl := CommandLine{Raw: s}
	t := strings.TrimLeft(s, " \t\r\n\x00")
	t = strings.TrimRight(t, "\x00")
	if t == "" {
		return cl
	}
	var rest string
	if t[0] == '"' {
		cl.Quoted = true
		if end := strings.IndexByte(t[1:], '"'); end >= 0 {
			cl.Image, rest = t[1:1+end], t[2+end:]
		} else {
			cl.Image = t[1:]
		}
	} else {
		cl.Image, rest = splitUnquotedImage(t)
		cl.Unquoted = strings.ContainsAny(cl.Image, " \t")
	}
	cl.ArgString = strings.TrimLeft(rest, " \t")
	cl.Args = splitArgs(cl.ArgString)
	dissectLauncher(&cl, cl.Image)
	return cl
}

// programExts are the extensions that end a program name written without
// quotes. Drivers (.sys) appear as service ImagePaths; .cpl and .scr run as
// programs.
var programExts = []string{".exe", ".com", ".bat", ".cmd", ".scr", ".pif", ".sys", ".cpl", ".dll"}

func hasProgramExt(s string) bool {
	for _, e := range programExts {
		if len(s) > len(e) && strings.EqualFold(s[len(s)-len(e):], e) {
			return true
		}
	}
	return false
}

// splitUnquotedImage finds the program in an unquoted command line t (t has
// no leading whitespace). A comma directly after an executable extension also
// ends the program, as in Winlogon's "C:\Windows\system32\userinit.exe,".
func splitUnquotedImage(t string) (image, rest string) {
	first := len(t)
	if i := strings.IndexAny(t, " \t"); i >= 0 {
		first = i
	}
	isPath := strings.ContainsAny(t[:first], `\/`)
	for i := 0; i <= len(t); i++ {
		if i < len(t) && !argSpace(t[i]) && t[i] != ',' {
			continue
		}
		prefix := t[:i]
		if hasProgramExt(prefix) {
			if i < len(t) && t[i] == ',' {
				return prefix, t[i+1:]
			}
			return prefix, t[i:]
		}
		if i == len(t) || t[i] == ',' {
			if i == len(t) {
				break
			}
			continue
		}
		// Whitespace without an extension before it: only a path can go on
		// past it (a folder name with a space), and never into an option.
		if !isPath {
			break
		}
		j := i
		for j < len(t) && argSpace(t[j]) {
			j++
		}
		if j == len(t) || t[j] == '/' || t[j] == '-' || t[j] == '"' {
			break
		}
		i = j - 1
	}
	return t[:first], t[first:]
}

// splitArgs splits s by the CommandLineToArgvW rules for the arguments after
// the program: whitespace separates outside quotes; 2n backslashes before a
// quote give n backslashes and the quote toggles quoting; 2n+1 give n and a
// literal quote; two quotes inside quotes give a literal quote and end the
// quoting; other backslashes are literal.
func splitArgs(s string) []string {
	var args []string
	var b strings.Builder
	inQuote, have := false, false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case argSpace(c) && !inQuote:
			if have {
				args = append(args, b.String())
				b.Reset()
				have = false
			}
			i++
		case c == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				writeBackslashes(&b, n/2)
				if n%2 == 1 {
					b.WriteByte('"')
					i++
				}
			} else {
				writeBackslashes(&b, n)
			}
			have = true
		case c == '"':
			if inQuote && i+1 < len(s) && s[i+1] == '"' {
				b.WriteByte('"')
				i += 2
				inQuote = false
			} else {
				inQuote = !inQuote
				i++
			}
			have = true
		default:
			b.WriteByte(c)
			i++
			have = true
		}
	}
	if have {
		args = append(args, b.String())
	}
	return args
}

func writeBackslashes(b *strings.Builder, n int) {
	for range n {
		b.WriteByte('\\')
	}
}

// baseName returns the last element of a Windows or slash-separated path.
func baseName(p string) string {
	if i := strings.LastIndexAny(p, `\/`); i >= 0 {
		return p[i+1:]
	}
	return p
}
