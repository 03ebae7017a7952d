package targets

import (
	_ "embed"
	"fmt"
	"path"
	"strings"
)

//go:embed places.tsv
var placesTSV string

// place is one row of places.tsv.
type place struct {
	class  string   // "store" or "odd"
	elems  []string // folded folder elements, "*" for any one
	source string
}

var places = mustPlaces(placesTSV)

func mustPlaces(tsv string) []place {
	var out []place
	for i, line := range strings.Split(tsv, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 3 || (cols[0] != "store" && cols[0] != "odd") || cols[2] == "" {
			panic(fmt.Sprintf("targets/places.tsv:%d: want class, folder and source", i+1))
		}
		out = append(out, place{class: cols[0], elems: strings.Split(strings.ToLower(cols[1]), "/"), source: cols[2]})
	}
	return out
}

// matchElems reports whether folder elements dir match the pattern
// exactly (whole) or begin with it (prefix); "*" matches one element and a
// trailing "*" inside an element any suffix of it.
func matchElems(pattern, dir []string, whole bool) bool {
	if len(dir) < len(pattern) || whole && len(dir) != len(pattern) {
		return false
	}
	for i, p := range pattern {
		if ok, _ := path.Match(p, dir[i]); !ok {
			return false
		}
	}
	return true
}

// isStore reports a folder (relative to the drive root, folded elements)
// inside one of Windows' stores of file copies.
func isStore(dir []string) bool {
	for _, p := range places {
		if p.class == "store" && matchElems(p.elems, dir, false) {
			return true
		}
	}
	return false
}

// oddPlace returns the row of a folder where no program belongs.
func oddPlace(dir []string) (place, bool) {
	for _, p := range places {
		if p.class == "odd" && matchElems(p.elems, dir, true) {
			return p, true
		}
	}
	return place{}, false
}

// splitDir folds a slash folder path into its elements ("" is the root).
func splitDir(rel string) []string {
	rel = strings.Trim(rel, "/")
	if rel == "" || rel == "." {
		return nil
	}
	return strings.Split(strings.ToLower(rel), "/")
}
