// Package lru is a small least-recently-used cache of byte slices, for the
// decompressed chunks and decoded tables of image readers. It is not safe
// for concurrent use: readers hold their own lock around it.
package lru

// Cache keeps the max most recently used slices by key.
type Cache struct {
	max   int
	clock uint64
	items map[int64]*lruItem
}

type lruItem struct {
	data []byte
	used uint64
}

// New returns a cache of at most max entries.
func New(max int) *Cache { return &Cache{max: max, items: make(map[int64]*lruItem)} }

// Get returns the slice stored under key and marks it used.
func (c *Cache) Get(key int64) ([]byte, bool) {
	it, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.clock++
	it.used = c.clock
	return it.data, true
}

// Put stores data under key, evicting the least recently used entry when full.
func (c *Cache) Put(key int64, data []byte) {
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
