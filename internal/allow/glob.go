package allow

import (
	"fmt"
	"regexp"
	"strings"
)

// A matcher tests one text of a finding.
type matcher struct {
	src string // as written in the file
	re  *regexp.Regexp
}

func (m *matcher) match(s string) bool { return m == nil || m.re.MatchString(s) }

// compileGlob turns a glob into an anchored regular expression: * matches
// any run of characters (backslashes included, so one * spans key levels),
// ? one character, [abc], [a-z] and [!abc] one character of (or not of) a
// set; every other character, the backslash included, stands for itself.
// Letter case is ignored when fold is set.
func compileGlob(glob string, fold bool) (*regexp.Regexp, error) {
	if glob == "" {
		return nil, fmt.Errorf("empty pattern")
	}
	var b strings.Builder
	b.WriteString("(?s")
	if fold {
		b.WriteString("i")
	}
	b.WriteString(")^")
	for i := 0; i < len(glob); i++ {
		switch glob[i] {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			end := strings.IndexByte(glob[i+1:], ']')
			if end < 0 {
				return nil, fmt.Errorf("bad glob %q: [ at offset %d is not closed by ]", glob, i)
			}
			set := glob[i+1 : i+1+end]
			i += 1 + end
			b.WriteString("[")
			if rest, ok := strings.CutPrefix(set, "!"); ok {
				b.WriteString("^")
				set = rest
			}
			if set == "" {
				return nil, fmt.Errorf("bad glob %q: empty set []", glob)
			}
			runes := []rune(set)
			for j, r := range runes {
				if r == '-' && j > 0 && j < len(runes)-1 {
					b.WriteByte('-') // a range such as a-z
					continue
				}
				b.WriteString(regexp.QuoteMeta(string(r)))
			}
			b.WriteString("]")
		default:
			b.WriteString(regexp.QuoteMeta(glob[i : i+1])) // non-ASCII bytes pass as they are
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("bad glob %q: %v", glob, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return re, nil
}
