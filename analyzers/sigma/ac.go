package sigma

// matcher finds which of a fixed set of byte strings occur in a text
// (Aho-Corasick). Memory is a few words per pattern byte: each state keeps
// its edges in a sorted slice of the shared arrays, and only the start
// state has a full table.
type matcher struct {
	root  [256]int32 // transitions of the start state (0: stay at start)
	first []int32    // per state: index of its first edge in label/next
	label []byte
	next  []int32
	fail  []int32
	out   [][]int32 // per state: patterns ending here, including via failure links
}

// newMatcher builds a matcher for patterns; pattern i is reported as i.
func newMatcher(patterns []string) *matcher {
	// Build the trie with map edges first, then flatten.
	type node struct {
		edges map[byte]int32
		out   []int32
	}
	nodes := []node{{edges: map[byte]int32{}}}
	for i, p := range patterns {
		s := int32(0)
		for j := 0; j < len(p); j++ {
			t, ok := nodes[s].edges[p[j]]
			if !ok {
				t = int32(len(nodes))
				nodes = append(nodes, node{edges: map[byte]int32{}})
				nodes[s].edges[p[j]] = t
			}
			s = t
		}
		nodes[s].out = append(nodes[s].out, int32(i))
	}
	m := &matcher{
		first: make([]int32, len(nodes)),
		fail:  make([]int32, len(nodes)),
		out:   make([][]int32, len(nodes)),
	}
	for s := range nodes {
		m.first[s] = int32(len(m.label))
		for c := 0; c < 256; c++ {
			if t, ok := nodes[s].edges[byte(c)]; ok {
				m.label = append(m.label, byte(c))
				m.next = append(m.next, t)
			}
		}
		m.out[s] = nodes[s].out
	}
	for c, t := range nodes[0].edges {
		m.root[c] = t
	}
	// Breadth-first failure links.
	queue := make([]int32, 0, len(nodes))
	for c := 0; c < 256; c++ {
		if t := m.root[c]; t != 0 {
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		m.out[s] = append(m.out[s], m.out[m.fail[s]]...)
		for i := m.first[s]; i < m.first[s]+m.edges(s); i++ {
			c, t := m.label[i], m.next[i]
			m.fail[t] = m.step(m.fail[s], c)
			queue = append(queue, t)
		}
	}
	return m
}

func (m *matcher) edges(s int32) int32 {
	if int(s)+1 < len(m.first) {
		return m.first[s+1] - m.first[s]
	}
	return int32(len(m.label)) - m.first[s]
}

// goTo returns the state reached from s on c, or -1.
func (m *matcher) goTo(s int32, c byte) int32 {
	if s == 0 {
		return m.root[c]
	}
	lo, hi := m.first[s], m.first[s]+m.edges(s)
	for i := lo; i < hi; i++ {
		if m.label[i] == c {
			return m.next[i]
		}
		if m.label[i] > c {
			break
		}
	}
	return -1
}

// step follows failure links from s until c can be taken.
func (m *matcher) step(s int32, c byte) int32 {
	for {
		if t := m.goTo(s, c); t >= 0 {
			return t
		}
		s = m.fail[s]
	}
}

// each calls fn for every pattern occurring in text, once per occurrence,
// starting in state s (0 for a fresh text; a state each returned to go on
// after an earlier text). It returns the state after text.
func (m *matcher) each(s int32, text []byte, fn func(pattern int32)) int32 {
	for _, c := range text {
		s = m.step(s, c)
		for _, p := range m.out[s] {
			fn(p)
		}
	}
	return s
}
