package deleted

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/txlog"
	"github.com/hivescan/hivescan/internal/corpus"
)

func TestSameFold(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"Run", "run", true}, {"RUN", "run", true}, {"Run", "Runs", false}, {"", "", true},
		{"Größe", "GRÖSSE", false}, {"Größe", "GRÖßE", true}, {"Имя", "ИМЯ", true},
		{"\u212aey", "key", true}, // strings.ToLower maps the Kelvin sign to k
		{"\u212a", "K", true}, {"İ", "i", true} /* Go lowers U+0130 to i */, {"ǅ", "ǆ", true}, {"a\x00b", "A\x00B", true},
	} {
		if got := sameFold(c.a, c.b); got != c.same {
			t.Errorf("sameFold(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
}

// FuzzFold checks the in-place helpers against strings.ToLower: sameFold is
// the equality of the lower-case forms, and equal forms hash alike.
func FuzzFold(f *testing.F) {
	for _, s := range [][2]string{{"Run", "run"}, {"\u212aey", "KEY"}, {"Größe", "größe"}, {"\xff", "\xfe"}, {"İ", "i̇"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		want := strings.ToLower(a) == strings.ToLower(b)
		if got := sameFold(a, b); got != want {
			t.Fatalf("sameFold(%q, %q) = %v, want %v", a, b, got, want)
		}
		if want && foldHash(foldSeed, a) != foldHash(foldSeed, b) {
			t.Fatalf("%q and %q fold alike but hash apart", a, b)
		}
		if foldHash(foldSeed, a) != foldHashBytes(foldSeed, strings.ToLower(a)) {
			t.Fatalf("foldHash(%q) is not the hash of its lower-case form", a)
		}
	})
}

// With every hash colliding, the live indexes answer from their collision
// maps alone: recovering, placing and searching the logs of real hives must
// give the same records, statistics and views as with real hashes.
func TestFoldIndexCollisions(t *testing.T) {
	dir := "mkorman90__regipy/regipy_tests/data/"
	for _, name := range []string{
		dir + "UsrClass.dat", dir + "NTUSER.DAT", dir + "SAM",
		"msuhanov__yarp/hives_for_tests/DeletedDataHive",
		"AndrewRathbun__DFIRArtifactMuseum/Windows/Registry/Win11/NTUSER.DAT",
		"Velocidex__velociraptor/artifacts/testdata/files/SAM",
	} {
		t.Run(name, func(t *testing.T) {
			path := corpus.Path(t, name)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var logs []txlog.Log
			for _, ext := range []string{".LOG1", ".LOG2"} {
				if d, err := os.ReadFile(path + ext); err == nil {
					logs = append(logs, txlog.Log{Name: filepath.Base(path) + ext, Data: d})
				}
			}
			run := func(collide bool) (*Records, Views) {
				collideForTest = collide
				defer func() { collideForTest = false }()
				h, err := hive.Parse(data, name)
				if err != nil {
					t.Fatal(err)
				}
				rec, views, err := AnalyzeViews(context.Background(), h, logs...)
				if err != nil {
					t.Fatal(err)
				}
				return rec, views
			}
			rec, views := run(false)
			crec, cviews := run(true)
			if n := len(rec.Keys) + len(rec.Values); n == 0 {
				t.Fatalf("no records: the hive tests nothing")
			}
			if !reflect.DeepEqual(rec, crec) {
				t.Errorf("records differ with colliding hashes")
			}
			if views.Stats != cviews.Stats || !reflect.DeepEqual(views.Log, cviews.Log) {
				t.Errorf("stats differ: %+v %+v / %+v %+v", views.Stats, views.Log, cviews.Stats, cviews.Log)
			}
			for i, pair := range [][2]*hive.Hive{{views.Intact, cviews.Intact}, {views.Carved, cviews.Carved}, {views.Earlier, cviews.Earlier}} {
				if (pair[0] == nil) != (pair[1] == nil) || pair[0] != nil && !bytes.Equal(pair[0].Bytes(), pair[1].Bytes()) {
					t.Errorf("view %d differs with colliding hashes", i)
				}
			}
		})
	}
}
