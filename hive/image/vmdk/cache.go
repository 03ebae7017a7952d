package vmdk

// lru keeps the most recently used decompressed chunks.
type lru struct {
	max   int
	clock uint64
	items map[int64]*lruItem
}

type lruItem struct {
	data []byte
	used uint64
}

func newLRU(max int) *lru { return &lru{max: max, items: make(map[int64]*lruItem)} }

func (c *lru) get(key int64) ([]byte, bool) {
	it, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.clock++
	it.used = c.clock
	return it.data, true
}

func (c *lru) put(key int64, data []byte) {
	if len(c.items) >= c.max {
		var oldest int64
		first := true
		for k, it := range c.items {
			if first || it.used < c.items[oldest].used {
				oldest, first = k, false
			}
		}
		delete(c.items, oldest)
	}
	c.clock++
	c.items[key] = &lruItem{data: data, used: c.clock}
}
