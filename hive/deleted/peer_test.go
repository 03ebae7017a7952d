package deleted

import (
	"context"
	"encoding/csv"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/internal/corpus"
)

// Where reglookup-recover (reglookup's recovery tool) and hivescan both tie a
// recovered value to a key, they name the same key. (regfexport, from
// libregf, prints only the live tree, so it has nothing to compare.)
func TestPlacementAgreesWithReglookupRecover(t *testing.T) {
	tool := corpus.RequireTool(t, "reglookup-recover")
	hives := []string{
		"msuhanov__yarp/hives_for_tests/DeletedDataHive",
		"AndrewRathbun__DFIRArtifactMuseum/Windows/Registry/Win11/BBI",
		"AndrewRathbun__DFIRArtifactMuseum/Windows/Registry/Win11/NTUSER.DAT",
		"AndrewRathbun__DFIRArtifactMuseum/Windows/Registry/Win11/UsrClass.dat",
		"AndrewRathbun__DFIRArtifactMuseum/Windows/Amcache/Win10/RathbunVM/Amcache.hve",
		"mkorman90__regipy/regipy_tests/data/SYSTEM_WIN_10_1709",
		"Velocidex__velociraptor/artifacts/testdata/files/SAM",
	}
	same := 0
	for _, name := range hives {
		path := corpus.Path(t, name)
		h, err := hive.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		rec, _, err := AnalyzeViews(context.Background(), h)
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(tool, "-H", path).Output()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rows, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		theirs := map[uint32]string{}
		for _, r := range rows {
			if len(r) < 4 || r[2] != "VALUE" || r[3] == "" {
				continue
			}
			off, err := strconv.ParseUint(r[0], 16, 32)
			if err != nil || off < 0x1000 {
				continue
			}
			// "/ROOTNAME/a/b": the first element is the root key.
			parts := strings.Split(strings.Trim(r[3], "/"), "/")
			theirs[uint32(off-0x1000)] = `\` + strings.Join(parts[1:], `\`)
		}
		for _, v := range rec.Values {
			p, ok := theirs[v.Offset]
			if !ok || v.KeyPath == "" {
				continue
			}
			if !strings.EqualFold(p, v.KeyPath) {
				t.Errorf("%s: value %q at %#x: hivescan %s (%s %q), reglookup-recover %s", name, v.Name, v.Offset, v.KeyPath, v.Placement, v.Evidence, p)
				continue
			}
			same++
		}
	}
	if same < 100 {
		t.Errorf("only %d values placed by both", same)
	}
	t.Logf("%d recovered values placed by both tools, at the same key", same)
}
