// Command gen writes the sample evidence (testdata/evidence) from the
// descriptions in package samples. Run it through "go generate ./...".
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hivescan/hivescan/internal/samples"
)

func main() {
	out := flag.String("o", "testdata/evidence", "output folder (replaced)")
	flag.Parse()
	if err := samples.Write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	abs, _ := filepath.Abs(*out)
	fmt.Fprintln(os.Stderr, "wrote", abs)
}
