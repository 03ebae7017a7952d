package winpath

import (
	"strings"

	"github.com/hivescan/hivescan/report"
)

// containsFold reports whether s contains sub, ignoring ASCII letter case.
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// hasSwitch reports an argument that is the switch name (after '-' or '/'),
// optionally followed by ':' and a value, ignoring case.
func hasSwitch(args []string, names ...string) (string, bool) {
	for _, a := range args {
		if len(a) < 2 || (a[0] != '-' && a[0] != '/') {
			continue
		}
		n, _, _ := strings.Cut(strings.ToLower(a[1:]), ":")
		for _, want := range names {
			if n == want {
				return a, true
			}
		}
	}
	return "", false
}

var scriptSchemes = []string{"javascript:", "vbscript:"}

func hasScriptScheme(s string) bool {
	for _, sch := range scriptSchemes {
		if containsFold(s, sch) {
			return true
		}
	}
	return false
}

// lolbinReasons judges what a known launcher is asked to do.
func lolbinReasons(cl CommandLine, l layout) []Reason {
	var rs []Reason
	args := cl.ArgString
	switch cl.Launcher {
	case "mshta":
		switch {
		case hasScriptScheme(args):
			rs = append(rs, Reason{Rule: "lolbin.mshta", Severity: report.Critical,
				Text:   "mshta runs script written into the command line itself (" + excerpt(args, 160) + "): fileless persistence, as used by Kovter. Decode the script and find what it loads.",
				Attack: []string{"T1218.005"}})
		case len(findURLs(args)) > 0:
			rs = append(rs, Reason{Rule: "lolbin.mshta", Severity: report.High,
				Text:   "mshta fetches and runs an HTML application from the network (" + excerpt(findURLs(args)[0], 160) + "). Retrieve the URL's content from proxy logs or the cache and examine it.",
				Attack: []string{"T1218.005", "T1105"}})
		default:
			rs = append(rs, Reason{Rule: "lolbin.mshta", Severity: report.High,
				Text:   "mshta runs an HTML application (" + excerpt(cl.Payload, 160) + ") at startup: script with the user's full rights outside the browser's sandbox, which no current legitimate product registers as an autostart. Examine the .hta file.",
				Attack: []string{"T1218.005"}})
		}
	case "rundll32":
		if hasScriptScheme(args) || strings.EqualFold(cl.Entry, "RunHTMLApplication") {
			rs = append(rs, Reason{Rule: "lolbin.rundll32.script", Severity: report.Critical,
				Text:   "rundll32 is made to run script through mshtml (javascript: / RunHTMLApplication), the fileless persistence of Poweliks-like malware. Decode the script and look for the payload it reads, often from another registry value.",
				Attack: []string{"T1218.011"}})
			break
		}
		if u := findURLs(cl.Payload); len(u) > 0 || strings.HasPrefix(cl.Payload, `\\`) {
			rs = append(rs, Reason{Rule: "lolbin.rundll32.remote", Severity: report.High,
				Text:   "rundll32 loads a DLL from a network location (" + excerpt(cl.Payload, 160) + "). Identify the host and fetch the DLL.",
				Attack: []string{"T1218.011"}})
		}
		if e := extOf(baseName(cl.Payload)); cl.Payload != "" && e != "" && !dllExts[e] {
			rs = append(rs, Reason{Rule: "lolbin.rundll32.extension", Severity: report.High,
				Text:   "rundll32 loads a DLL disguised with the extension " + e + " (" + excerpt(cl.Payload, 160) + "); loaders name their payloads .dat, .tmp or .png to avoid attention. Examine the file as a PE.",
				Attack: []string{"T1218.011", "T1036.008"}})
		}
	case "regsvr32":
		if sw, ok := hasSwitch(cl.Args, "i"); ok {
			_, target, _ := strings.Cut(sw, ":")
			if len(findURLs(target)) > 0 || strings.HasPrefix(target, `\\`) {
				rs = append(rs, Reason{Rule: "lolbin.regsvr32.remote", Severity: report.Critical,
					Text:   "regsvr32 fetches a scriptlet from the network (" + excerpt(target, 160) + ") and runs it through " + cl.Payload + " (\"Squiblydoo\"), bypassing application allow-listing. Retrieve the scriptlet and examine it.",
					Attack: []string{"T1218.010", "T1105"}})
			} else if strings.EqualFold(baseName(cl.Payload), "scrobj.dll") {
				rs = append(rs, Reason{Rule: "lolbin.regsvr32.scriptlet", Severity: report.High,
					Text:   "regsvr32 runs a COM scriptlet (" + excerpt(target, 160) + ") through scrobj.dll, a known allow-listing bypass. Examine the scriptlet.",
					Attack: []string{"T1218.010"}})
			}
		}
	case "powershell", "pwsh":
		rs = append(rs, powershellReasons(cl)...)
	case "cmd":
		if cl.Payload != "" && strings.ContainsAny(cl.Payload, "&|") {
			rs = append(rs, Reason{Rule: "cmd.chain", Severity: report.High,
				Text:   "cmd.exe runs a chain of commands (" + excerpt(cl.Payload, 160) + ") at each start; installers register programs, not shell one-liners, and a chain is how droppers copy, rename and start a payload in one line. Read each command in the chain.",
				Attack: []string{"T1059.003"}})
		} else if cl.Payload != "" {
			rs = append(rs, Reason{Rule: "cmd.shell", Severity: report.Low,
				Text:   "The entry starts its program through cmd.exe (" + excerpt(cl.Payload, 160) + "). Check the command it runs.",
				Attack: []string{"T1059.003"}})
		}
	case "certutil":
		if _, ok := hasSwitch(cl.Args, "urlcache", "verifyctl"); ok {
			rs = append(rs, Reason{Rule: "lolbin.certutil.download", Severity: report.High,
				Text:   "certutil is used to download a file (" + excerpt(args, 160) + "). Find the downloaded file and the URL's content.",
				Attack: []string{"T1105"}})
		}
		if _, ok := hasSwitch(cl.Args, "decode", "decodehex"); ok {
			rs = append(rs, Reason{Rule: "lolbin.certutil.decode", Severity: report.High,
				Text:   "certutil decodes a file (" + excerpt(args, 160) + "), a way to unpack a payload that was delivered as text. Find the encoded and the decoded file.",
				Attack: []string{"T1140"}})
		}
	case "bitsadmin":
		if _, ok := hasSwitch(cl.Args, "transfer", "addfile", "download", "setnotifycmdline"); ok {
			rs = append(rs, Reason{Rule: "lolbin.bitsadmin", Severity: report.High,
				Text:   "bitsadmin creates a BITS transfer or notification command (" + excerpt(args, 160) + "), which downloads files and can run programs when it completes. List the host's BITS jobs and fetch the files.",
				Attack: []string{"T1197", "T1105"}})
		}
	case "wscript", "cscript":
		rs = append(rs, scriptHostReasons(cl, l)...)
	}
	if strings.EqualFold(strings.TrimSuffix(strings.ToLower(baseName(cl.Image)), ".exe"), "tscon") {
		if _, ok := hasSwitch(cl.Args, "dest"); ok {
			rs = append(rs, Reason{Rule: "lolbin.tscon", Severity: report.High,
				Text:   "tscon attaches another user's Windows session to a console (" + excerpt(cl.Raw, 160) + "); run as SYSTEM (from a service) it needs no password: the RDP session hijack. Find which sessions were taken over (TerminalServices-LocalSessionManager events 25 and 39).",
				Attack: []string{"T1563.002"}})
		}
	}
	return rs
}

// dllExts are extensions rundll32 payloads legitimately have.
var dllExts = map[string]bool{".dll": true, ".cpl": true, ".ocx": true, ".drv": true, ".ax": true, ".acm": true}

func scriptHostReasons(cl CommandLine, l layout) []Reason {
	if cl.Payload == "" {
		return nil
	}
	var attack []string
	switch extOf(baseName(cl.Payload)) {
	case ".vbs", ".vbe":
		attack = []string{"T1059.005"}
	case ".js", ".jse":
		attack = []string{"T1059.007"}
	default:
		attack = []string{"T1059.005", "T1059.007"}
	}
	p := Resolve(cl.Payload, Env{})
	if l.zone(p) >= zoneUserWritable {
		return []Reason{{Rule: "lolbin.script-host", Severity: report.High,
			Text:   cl.Launcher + " runs a script from a folder the user can write to (" + excerpt(p.Full, 200) + "). Collect and read the script.",
			Attack: attack}}
	}
	return []Reason{{Rule: "lolbin.script-host", Severity: report.Low,
		Text:   cl.Launcher + " runs the script " + excerpt(p.Full, 200) + " at startup. Read the script.",
		Attack: attack}}
}

func powershellReasons(cl CommandLine) []Reason {
	var rs []Reason
	for i, a := range cl.Args {
		if !psParam(a, "encodedcommand", 3, "e", "ec") {
			continue
		}
		next := ""
		if i+1 < len(cl.Args) {
			next = cl.Args[i+1]
		}
		if cl.Decoded != "" {
			rs = append(rs, Reason{Rule: "encoded.powershell", Severity: report.High,
				Text:   "PowerShell runs a base64-encoded command, which hides it from casual review. Decoded, it begins: \"" + excerpt(cl.Decoded, 200) + "\". Read the whole decoded script.",
				Attack: []string{"T1059.001", "T1027.010"}})
		} else {
			rs = append(rs, Reason{Rule: "encoded.powershell", Severity: report.High,
				Text:   "PowerShell is given an encoded command that does not decode as base64 UTF-16LE (" + excerpt(next, 80) + "); it may be truncated or further obfuscated. Recover the full value and decode it by hand.",
				Attack: []string{"T1059.001", "T1027.010"}})
		}
		break
	}
	for i, a := range cl.Args {
		if psParam(a, "windowstyle", 1) && i+1 < len(cl.Args) {
			v := strings.ToLower(cl.Args[i+1])
			if v == "1" || (v != "" && strings.HasPrefix("hidden", v)) {
				rs = append(rs, Reason{Rule: "powershell.hidden", Severity: report.High,
					Text:   "PowerShell runs with a hidden window, so the user never sees it: software that means to be seen does not start this way from an autostart. Read the command it runs.",
					Attack: []string{"T1564.003", "T1059.001"}})
				break
			}
		}
	}
	for i, a := range cl.Args {
		if psParam(a, "executionpolicy", 2, "ep") && i+1 < len(cl.Args) {
			v := strings.ToLower(cl.Args[i+1])
			if v == "bypass" || v == "unrestricted" {
				rs = append(rs, Reason{Rule: "powershell.bypass", Severity: report.High,
					Text:   "PowerShell is told to ignore the script execution policy (" + cl.Args[i+1] + ") each time this autostart fires, the usual way attack scripts run unsigned. Read the script it runs.",
					Attack: []string{"T1059.001"}})
				break
			}
		}
	}
	for _, a := range cl.Args {
		if psParam(a, "noprofile", 3) {
			rs = append(rs, Reason{Rule: "powershell.noprofile", Severity: report.Low,
				Text:   "PowerShell skips the user's profile scripts (-NoProfile), common in attack one-liners and in admin scripts alike.",
				Attack: []string{"T1059.001"}})
			break
		}
	}
	return append(rs, scriptReasons(cl.Payload+"\n"+cl.Decoded)...)
}

// downloadWords name PowerShell ways to fetch content from the network.
var downloadWords = []string{"downloadstring", "downloadfile", "downloaddata", "invoke-webrequest", "invoke-restmethod", "net.webclient", "start-bitstransfer", "iwr ", "irm ", "wget ", "curl "}

// scriptReasons finds download cradles and Invoke-Expression in PowerShell text.
func scriptReasons(text string) []Reason {
	lower := strings.ToLower(text)
	iex := strings.Contains(lower, "invoke-expression") || containsWord(lower, "iex")
	var rs []Reason
	for _, w := range downloadWords {
		if strings.Contains(lower, w) {
			sev := report.High
			more := ""
			if iex {
				sev, more = report.Critical, " and runs what it downloads (Invoke-Expression): a fileless download cradle"
			}
			rs = append(rs, Reason{Rule: "powershell.download", Severity: sev,
				Text:   "The PowerShell command fetches content from the network (" + strings.TrimSpace(w) + ")" + more + ". Find the URL and retrieve what it served.",
				Attack: []string{"T1059.001", "T1105"}})
			return rs
		}
	}
	if iex {
		rs = append(rs, Reason{Rule: "powershell.iex", Severity: report.High,
			Text:   "The PowerShell command evaluates a string as code (Invoke-Expression / IEX), typically to run a script assembled or decoded at run time. Reconstruct the string it evaluates.",
			Attack: []string{"T1059.001", "T1027.010"}})
	}
	return rs
}

// containsWord reports w in s as a whole word (not inside a longer name).
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !isWordByte(s[j-1])
		after := j+len(w) == len(s) || !isWordByte(s[j+len(w)])
		if before && after {
			return true
		}
		i = j + 1
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || (c|0x20 >= 'a' && c|0x20 <= 'z') || (c >= '0' && c <= '9')
}
