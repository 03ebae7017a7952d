package sigma

import "sort"

// matcher finds which of a fixed set of byte strings occur in a text
// (Aho-Corasick compiled to a deterministic automaton). Bytes that occur in
// no pattern share one class, so the transition table has a row of
// len(classes) entries per trie state: one lookup per text byte, no
// failure links followed while searching.
type matcher struct {
	class   [256]uint8 // byte -> class; 0 for bytes in no pattern
	classes int
	delta   []int32   // state*classes + class -> next state
	out     [][]int32 // per state: patterns ending here, including via failure links
}

// newMatcher builds a matcher for patterns; pattern i is reported as i.
// An empty pattern is never reported. Patterns use at most 255 distinct bytes (a text of other bytes cannot
// hold them).
func newMatcher(patterns []string) *matcher {
	m := &matcher{}
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			if m.class[p[i]] == 0 && m.classes < 255 {
				m.classes++
				m.class[p[i]] = uint8(m.classes)
			}
		}
	}
	m.classes++ // class 0
	// The trie, with edges by class.
	type edge struct {
		c uint8
		t int32
	}
	edges := [][]edge{nil}
	m.out = [][]int32{nil}
	for i, p := range patterns {
		if p == "" {
			continue
		}
		s := int32(0)
		for j := 0; j < len(p); j++ {
			c := m.class[p[j]]
			t := int32(-1)
			for _, e := range edges[s] {
				if e.c == c {
					t = e.t
					break
				}
			}
			if t < 0 {
				t = int32(len(edges))
				edges = append(edges, nil)
				m.out = append(m.out, nil)
				edges[s] = append(edges[s], edge{c, t})
			}
			s = t
		}
		m.out[s] = append(m.out[s], int32(i))
	}
	for s := range edges {
		sort.Slice(edges[s], func(i, j int) bool { return edges[s][i].c < edges[s][j].c })
	}
	// Breadth-first: a state's row is its failure state's row with its own
	// edges laid over it.
	k := m.classes
	m.delta = make([]int32, len(edges)*k)
	fail := make([]int32, len(edges))
	queue := make([]int32, 0, len(edges))
	for _, e := range edges[0] {
		m.delta[int(e.c)] = e.t
		queue = append(queue, e.t)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := fail[s]
		m.out[s] = append(m.out[s], m.out[f]...)
		row := m.delta[int(s)*k : int(s)*k+k]
		copy(row, m.delta[int(f)*k:int(f)*k+k])
		for _, e := range edges[s] {
			fail[e.t] = m.delta[int(f)*k+int(e.c)]
			row[e.c] = e.t
			queue = append(queue, e.t)
		}
	}
	return m
}

// each calls fn for every pattern occurring in text, once per occurrence,
// starting in state s (0 for a fresh text; a state each returned to go on
// after an earlier text). It returns the state after text.
func (m *matcher) each(s int32, text []byte, fn func(pattern int32)) int32 {
	k := int32(m.classes)
	for _, c := range text {
		s = m.delta[s*k+int32(m.class[c])]
		if out := m.out[s]; len(out) > 0 {
			for _, p := range out {
				fn(p)
			}
		}
	}
	return s
}
