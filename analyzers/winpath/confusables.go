package winpath

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// confusable is a character that renders like an ASCII letter.
type confusable struct {
	ascii byte   // the lower-case ASCII letter it imitates
	name  string // its Unicode name, for reasons
}

// confusables maps characters that look like ASCII letters in the fonts
// Explorer, Task Manager and most consoles use to the letter they imitate. It
// is the part of Unicode's confusables.txt (UTS #39) that matters for file
// names: Cyrillic, Greek, Armenian and Latin look-alikes, small Roman
// numerals and Latin letters with marks that are easy to overlook. Full-width
// forms (U+FF01..U+FF5E) are handled by skeleton.
var confusables = map[rune]confusable{
	// Cyrillic
	'\u0430': {'a', "CYRILLIC SMALL LETTER A"},
	'\u0410': {'a', "CYRILLIC CAPITAL LETTER A"},
	'\u0412': {'b', "CYRILLIC CAPITAL LETTER VE"},
	'\u0441': {'c', "CYRILLIC SMALL LETTER ES"},
	'\u0421': {'c', "CYRILLIC CAPITAL LETTER ES"},
	'\u0501': {'d', "CYRILLIC SMALL LETTER KOMI DE"},
	'\u0435': {'e', "CYRILLIC SMALL LETTER IE"},
	'\u0415': {'e', "CYRILLIC CAPITAL LETTER IE"},
	'\u0451': {'e', "CYRILLIC SMALL LETTER IO"},
	'\u04bb': {'h', "CYRILLIC SMALL LETTER SHHA"},
	'\u041d': {'h', "CYRILLIC CAPITAL LETTER EN"},
	'\u0456': {'l', "CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I"},
	'\u0406': {'l', "CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I"},
	'\u0457': {'l', "CYRILLIC SMALL LETTER YI"},
	'\u04cf': {'l', "CYRILLIC SMALL LETTER PALOCHKA"},
	'\u04c0': {'l', "CYRILLIC LETTER PALOCHKA"},
	'\u0458': {'j', "CYRILLIC SMALL LETTER JE"},
	'\u0408': {'j', "CYRILLIC CAPITAL LETTER JE"},
	'\u041a': {'k', "CYRILLIC CAPITAL LETTER KA"},
	'\u041c': {'m', "CYRILLIC CAPITAL LETTER EM"},
	'\u043e': {'o', "CYRILLIC SMALL LETTER O"},
	'\u041e': {'o', "CYRILLIC CAPITAL LETTER O"},
	'\u0440': {'p', "CYRILLIC SMALL LETTER ER"},
	'\u0420': {'p', "CYRILLIC CAPITAL LETTER ER"},
	'\u051b': {'q', "CYRILLIC SMALL LETTER QA"},
	'\u0455': {'s', "CYRILLIC SMALL LETTER DZE"},
	'\u0405': {'s', "CYRILLIC CAPITAL LETTER DZE"},
	'\u0422': {'t', "CYRILLIC CAPITAL LETTER TE"},
	'\u051d': {'w', "CYRILLIC SMALL LETTER WE"},
	'\u0445': {'x', "CYRILLIC SMALL LETTER HA"},
	'\u0425': {'x', "CYRILLIC CAPITAL LETTER HA"},
	'\u0443': {'y', "CYRILLIC SMALL LETTER U"},
	'\u04ae': {'y', "CYRILLIC CAPITAL LETTER STRAIGHT U"},
	// Greek
	'\u03b1': {'a', "GREEK SMALL LETTER ALPHA"},
	'\u0391': {'a', "GREEK CAPITAL LETTER ALPHA"},
	'\u0392': {'b', "GREEK CAPITAL LETTER BETA"},
	'\u0395': {'e', "GREEK CAPITAL LETTER EPSILON"},
	'\u0397': {'h', "GREEK CAPITAL LETTER ETA"},
	'\u03b9': {'l', "GREEK SMALL LETTER IOTA"},
	'\u0399': {'l', "GREEK CAPITAL LETTER IOTA"},
	'\u03ba': {'k', "GREEK SMALL LETTER KAPPA"},
	'\u039a': {'k', "GREEK CAPITAL LETTER KAPPA"},
	'\u039c': {'m', "GREEK CAPITAL LETTER MU"},
	'\u039d': {'n', "GREEK CAPITAL LETTER NU"},
	'\u03bd': {'v', "GREEK SMALL LETTER NU"},
	'\u03bf': {'o', "GREEK SMALL LETTER OMICRON"},
	'\u039f': {'o', "GREEK CAPITAL LETTER OMICRON"},
	'\u03c1': {'p', "GREEK SMALL LETTER RHO"},
	'\u03a1': {'p', "GREEK CAPITAL LETTER RHO"},
	'\u03a4': {'t', "GREEK CAPITAL LETTER TAU"},
	'\u03c5': {'u', "GREEK SMALL LETTER UPSILON"},
	'\u03a5': {'y', "GREEK CAPITAL LETTER UPSILON"},
	'\u03c7': {'x', "GREEK SMALL LETTER CHI"},
	'\u03a7': {'x', "GREEK CAPITAL LETTER CHI"},
	'\u0396': {'z', "GREEK CAPITAL LETTER ZETA"},
	// Armenian
	'\u0570': {'h', "ARMENIAN SMALL LETTER HO"},
	'\u0578': {'n', "ARMENIAN SMALL LETTER VO"},
	'\u0585': {'o', "ARMENIAN SMALL LETTER OH"},
	'\u057d': {'u', "ARMENIAN SMALL LETTER SEH"},
	// Latin look-alikes and letters with easily missed marks
	'\u0131': {'l', "LATIN SMALL LETTER DOTLESS I"},
	'\u0237': {'j', "LATIN SMALL LETTER DOTLESS J"},
	'\u0251': {'a', "LATIN SMALL LETTER ALPHA"},
	'\u0261': {'g', "LATIN SMALL LETTER SCRIPT G"},
	'\u01c0': {'l', "LATIN LETTER DENTAL CLICK"},
	'\u0269': {'l', "LATIN SMALL LETTER IOTA"},
	'\u00e0': {'a', "LATIN SMALL LETTER A WITH GRAVE"},
	'\u00e1': {'a', "LATIN SMALL LETTER A WITH ACUTE"},
	'\u00e4': {'a', "LATIN SMALL LETTER A WITH DIAERESIS"},
	'\u00e7': {'c', "LATIN SMALL LETTER C WITH CEDILLA"},
	'\u00e8': {'e', "LATIN SMALL LETTER E WITH GRAVE"},
	'\u00e9': {'e', "LATIN SMALL LETTER E WITH ACUTE"},
	'\u00eb': {'e', "LATIN SMALL LETTER E WITH DIAERESIS"},
	'\u00ec': {'l', "LATIN SMALL LETTER I WITH GRAVE"},
	'\u00ed': {'l', "LATIN SMALL LETTER I WITH ACUTE"},
	'\u00ef': {'l', "LATIN SMALL LETTER I WITH DIAERESIS"},
	'\u00f1': {'n', "LATIN SMALL LETTER N WITH TILDE"},
	'\u00f2': {'o', "LATIN SMALL LETTER O WITH GRAVE"},
	'\u00f3': {'o', "LATIN SMALL LETTER O WITH ACUTE"},
	'\u00f6': {'o', "LATIN SMALL LETTER O WITH DIAERESIS"},
	'\u00f8': {'o', "LATIN SMALL LETTER O WITH STROKE"},
	'\u00f9': {'u', "LATIN SMALL LETTER U WITH GRAVE"},
	'\u00fa': {'u', "LATIN SMALL LETTER U WITH ACUTE"},
	'\u00fc': {'u', "LATIN SMALL LETTER U WITH DIAERESIS"},
	'\u015b': {'s', "LATIN SMALL LETTER S WITH ACUTE"},
	'\u0161': {'s', "LATIN SMALL LETTER S WITH CARON"},
	'\u015f': {'s', "LATIN SMALL LETTER S WITH CEDILLA"},
	'\u0219': {'s', "LATIN SMALL LETTER S WITH COMMA BELOW"},
	'\u1e63': {'s', "LATIN SMALL LETTER S WITH DOT BELOW"},
	'\u0142': {'l', "LATIN SMALL LETTER L WITH STROKE"},
	'\u1d20': {'v', "LATIN LETTER SMALL CAPITAL V"},
	'\u1d21': {'w', "LATIN LETTER SMALL CAPITAL W"},
	'\u1d0f': {'o', "LATIN LETTER SMALL CAPITAL O"},
	'\u0280': {'r', "LATIN LETTER SMALL CAPITAL R"},
	// Small Roman numerals
	'\u2170': {'l', "SMALL ROMAN NUMERAL ONE"},
	'\u2174': {'v', "SMALL ROMAN NUMERAL FIVE"},
	'\u2179': {'x', "SMALL ROMAN NUMERAL TEN"},
	'\u217c': {'l', "SMALL ROMAN NUMERAL FIFTY"},
	'\u217d': {'c', "SMALL ROMAN NUMERAL ONE HUNDRED"},
	'\u217e': {'d', "SMALL ROMAN NUMERAL FIVE HUNDRED"},
	'\u217f': {'m', "SMALL ROMAN NUMERAL ONE THOUSAND"},
	'\u2113': {'l', "SCRIPT SMALL L"},
}

// bidiControls change the order in which text is displayed; in a file name
// their only use is to disguise the extension (ATT&CK T1036.002).
var bidiControls = map[rune]string{
	'\u202a': "LEFT-TO-RIGHT EMBEDDING",
	'\u202b': "RIGHT-TO-LEFT EMBEDDING",
	'\u202c': "POP DIRECTIONAL FORMATTING",
	'\u202d': "LEFT-TO-RIGHT OVERRIDE",
	'\u202e': "RIGHT-TO-LEFT OVERRIDE",
	'\u2066': "LEFT-TO-RIGHT ISOLATE",
	'\u2067': "RIGHT-TO-LEFT ISOLATE",
	'\u2068': "FIRST STRONG ISOLATE",
	'\u2069': "POP DIRECTIONAL ISOLATE",
	'\u200e': "LEFT-TO-RIGHT MARK",
	'\u200f': "RIGHT-TO-LEFT MARK",
	'\u061c': "ARABIC LETTER MARK",
}

// invisibles render as nothing (or nearly nothing) in a file name.
var invisibles = map[rune]string{
	'\u200b': "ZERO WIDTH SPACE",
	'\u200c': "ZERO WIDTH NON-JOINER",
	'\u200d': "ZERO WIDTH JOINER",
	'\u2060': "WORD JOINER",
	'\ufeff': "ZERO WIDTH NO-BREAK SPACE",
	'\u00ad': "SOFT HYPHEN",
	'\u180e': "MONGOLIAN VOWEL SEPARATOR",
	'\u034f': "COMBINING GRAPHEME JOINER",
	'\u3164': "HANGUL FILLER",
	'\u115f': "HANGUL CHOSEONG FILLER",
	'\u00a0': "NO-BREAK SPACE",
}

// spelling describes how a name was written, for the look-alike rules.
type spelling struct {
	skeleton  string   // what a reader sees: lower-case ASCII with look-alikes mapped, hidden characters dropped
	lookalike []string // "U+0455 CYRILLIC SMALL LETTER DZE" ... for each look-alike used
	bidi      []string // bidi controls found
	invisible []string // invisible characters found
	ascii     []string // ASCII homoglyphs used ("1 for l")
	other     bool     // a non-ASCII character with no mapping
}

func codePoint(r rune, name string) string { return fmt.Sprintf("U+%04X %s", r, name) }

// spell computes the skeleton of name. The skeleton folds the characters a
// reader cannot tell apart in a file name: I, i, l, 1 and | all become 'l',
// 0 becomes 'o', "rn" becomes 'm', "vv" becomes 'w', full-width letters
// become ASCII, combining marks and hidden characters are dropped. Apply the
// same function to both names being compared.
func spell(name string) spelling {
	var sp spelling
	var b strings.Builder
	seen := map[rune]bool{}
	note := func(list *[]string, r rune, n string) {
		if !seen[r] {
			seen[r] = true
			*list = append(*list, codePoint(r, n))
		}
	}
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		i += size
		switch {
		case r < utf8.RuneSelf:
			c := byte(r)
			switch {
			case c == 'I' || c == 'i' || c == 'l' || c == 'L':
				b.WriteByte('l')
			case c == '1' || c == '|':
				b.WriteByte('l')
				if !seen[r] {
					seen[r] = true
					sp.ascii = append(sp.ascii, fmt.Sprintf("%q for l", string(c)))
				}
			case c == '0':
				b.WriteByte('o')
				if !seen[r] {
					seen[r] = true
					sp.ascii = append(sp.ascii, `"0" for o`)
				}
			case c >= 'A' && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			default:
				b.WriteByte(c)
			}
		case r >= 0xff01 && r <= 0xff5e:
			c := byte(r - 0xfee0)
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c == 'i' {
				c = 'l'
			}
			b.WriteByte(c)
			note(&sp.lookalike, r, "FULLWIDTH FORM OF "+string(rune(r-0xfee0)))
		case r >= 0x0300 && r <= 0x036f:
			note(&sp.lookalike, r, "COMBINING MARK")
		default:
			if c, ok := confusables[r]; ok {
				b.WriteByte(c.ascii)
				note(&sp.lookalike, r, c.name)
			} else if n, ok := bidiControls[r]; ok {
				note(&sp.bidi, r, n)
			} else if n, ok := invisibles[r]; ok {
				note(&sp.invisible, r, n)
			} else {
				sp.other = true
				b.WriteRune(r)
			}
		}
	}
	s := b.String()
	if strings.Contains(s, "rn") {
		s = strings.ReplaceAll(s, "rn", "m")
		sp.ascii = append(sp.ascii, `"rn" for m`)
	}
	if strings.Contains(s, "vv") {
		s = strings.ReplaceAll(s, "vv", "w")
		sp.ascii = append(sp.ascii, `"vv" for w`)
	}
	sp.skeleton = s
	return sp
}

// displayed returns name as a bidi-aware viewer shows it for the simple case
// attackers use: the text after a right-to-left override (up to a pop or the
// end) appears reversed.
func displayed(name string) string {
	i := strings.IndexRune(name, '\u202e')
	if i < 0 {
		return name
	}
	head, tail := name[:i], name[i+len("\u202e"):]
	rest := ""
	if j := strings.IndexRune(tail, '\u202c'); j >= 0 {
		tail, rest = tail[:j], tail[j+len("\u202c"):]
	}
	r := []rune(tail)
	for a, z := 0, len(r)-1; a < z; a, z = a+1, z-1 {
		r[a], r[z] = r[z], r[a]
	}
	return head + string(r) + rest
}
