package container_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hivescan/hivescan/hive/image/container"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "container-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	disk := make([]byte, 4096)
	copy(disk[510:], "\x55\xaa") // an MBR boot signature
	name := filepath.Join(dir, "evidence.bin")
	if err := os.WriteFile(name, disk, 0o644); err != nil {
		panic(err)
	}

	c, err := container.Open(name)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	sig := make([]byte, 2)
	if _, err := c.ReadAt(sig, 510); err != nil {
		panic(err)
	}
	res, err := c.Verify()
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s, %d bytes, signature %x, %s\n", c.Format, c.Size(), sig, res.Status)
	// Output: raw, 4096 bytes, signature 55aa, not supported for this format
}
