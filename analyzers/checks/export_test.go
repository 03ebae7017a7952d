package checks

// Test access to the parsed key patterns, for the table-driven tests that
// plant every check's location in a builder hive.

// PatternForTest is a parsed key pattern: its root's prefix and segments.
type PatternForTest struct {
	Root string   // the root as written in roots ("hklm\software\")
	Segs []string // lower-case segments below it
}

func PatternsForTest(c *Check) []PatternForTest {
	var out []PatternForTest
	for _, k := range c.keys {
		for _, r := range roots {
			if r.root == k.root {
				out = append(out, PatternForTest{Root: r.prefix, Segs: k.segs})
				break
			}
		}
	}
	return out
}
