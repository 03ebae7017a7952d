package hivetest_test

import (
	"fmt"

	"github.com/hivescan/hivescan/hive/hivetest"
)

func ExampleBuild() {
	root := &hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{{
		Name:          "Run",
		Values:        []hivetest.Value{hivetest.SZ("Updater", `C:\Users\bob\AppData\upd.exe`)},
		DeletedValues: []hivetest.Value{hivetest.SZ("Old", `C:\old.exe`)},
	}}}
	h, err := hivetest.Build(root, hivetest.Options{FileName: `\??\C:\Users\bob\ntuser.dat`})
	if err != nil {
		fmt.Println(err)
		return
	}
	vk, _ := h.ValueCell(`\Run`, "updater")
	fmt.Printf("%d bytes, %q at file offset %#x\n", len(h.Bytes), h.Bytes[:4], hivetest.HiveBinsOffset+vk)
	// Output: 8192 bytes, "regf" at file offset 0x1160
}
