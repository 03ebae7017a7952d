package hivewrite_test

import (
	"fmt"

	"github.com/hivescan/hivescan/hive/hivewrite"
)

func ExampleBuild() {
	root := &hivewrite.Key{Name: "ROOT", Subkeys: []*hivewrite.Key{{
		Name:          "Run",
		Values:        []hivewrite.Value{hivewrite.SZ("Updater", `C:\Users\bob\AppData\upd.exe`)},
		DeletedValues: []hivewrite.Value{hivewrite.SZ("Old", `C:\old.exe`)},
	}}}
	h, err := hivewrite.Build(root, hivewrite.Options{FileName: `\??\C:\Users\bob\ntuser.dat`})
	if err != nil {
		fmt.Println(err)
		return
	}
	vk, _ := h.ValueCell(`\Run`, "updater")
	fmt.Printf("%d bytes, %q at file offset %#x\n", len(h.Bytes), h.Bytes[:4], hivewrite.HiveBinsOffset+vk)
	// Output: 8192 bytes, "regf" at file offset 0x1160
}
