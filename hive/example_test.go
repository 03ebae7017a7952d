package hive_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
)

// writeExampleHive writes a small NTUSER-like hive to a temporary folder.
func writeExampleHive() (path string, cleanup func()) {
	dir, err := os.MkdirTemp("", "hive-example")
	if err != nil {
		panic(err)
	}
	root := &hivetest.Key{Subkeys: []*hivetest.Key{
		{Name: "Software", Subkeys: []*hivetest.Key{{Name: "Microsoft", Subkeys: []*hivetest.Key{
			{Name: "Windows", Subkeys: []*hivetest.Key{{Name: "CurrentVersion", Subkeys: []*hivetest.Key{
				{Name: "Run", Values: []hivetest.Value{hivetest.SZ("Updater", `C:\Users\bob\AppData\u.exe`)}},
			}}}},
		}}}},
	}}
	b, err := hivetest.Build(root, hivetest.Options{})
	if err != nil {
		panic(err)
	}
	path = filepath.Join(dir, "NTUSER.DAT")
	if err := b.WriteFile(path); err != nil {
		panic(err)
	}
	return path, func() { os.RemoveAll(dir) }
}

func ExampleOpen() {
	path, cleanup := writeExampleHive()
	defer cleanup()

	h, err := hive.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	run, err := h.Key(`Software\Microsoft\Windows\CurrentVersion\Run`)
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := run.Value("updater") // names compare case-insensitively
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := v.Text()
	fmt.Println(run.Path(), v.Name(), v.Type(), s, err)
	fmt.Println(run.LastWrite().Format("2006-01-02T15:04:05.0000000Z07:00"))
	// Output:
	// \Software\Microsoft\Windows\CurrentVersion\Run Updater REG_SZ C:\Users\bob\AppData\u.exe <nil>
	// 2024-01-02T03:04:05.1234567Z
}

func ExampleHive_Walk() {
	path, cleanup := writeExampleHive()
	defer cleanup()

	h, err := hive.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	err = h.Walk(context.Background(), `\Software`, func(k *hive.Key, err error) error {
		if err != nil {
			fmt.Println("damaged:", k.Path(), err)
			return nil
		}
		fmt.Println(k.Path(), k.NumValues())
		return nil
	})
	fmt.Println(err)
	// Output:
	// \Software 0
	// \Software\Microsoft 0
	// \Software\Microsoft\Windows 0
	// \Software\Microsoft\Windows\CurrentVersion 0
	// \Software\Microsoft\Windows\CurrentVersion\Run 1
	// <nil>
}
