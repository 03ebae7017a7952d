package sigma

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"
)

// FuzzLoad loads mutated rule files and runs what loads over the golden
// host: neither may panic.
func FuzzLoad(f *testing.F) {
	rs, err := Builtin()
	if err != nil {
		f.Fatal(err)
	}
	for i, r := range rs.Rules {
		if i%10 != 0 {
			continue
		}
		b, err := fs.ReadFile(builtinFS, "sigmahq/rules/"+r.File)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	set := goldenSet(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		loaded, err := Load(fstest.MapFS{"r.yml": {Data: b}}, ".", "fuzz", "")
		if err != nil {
			t.Fatal(err)
		}
		a := New([]*Rules{loaded}, Options{WriterUnknown: true, Status: nil})
		_, _ = runOne(context.Background(), a, set) // evaluation errors are allowed; panics are not
	})
}
