package samples

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write writes every sample host under dir, removing what was there.
func Write(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for _, h := range Hosts() {
		files, err := h.Build()
		if err != nil {
			return fmt.Errorf("%s: %w", h.Name, err)
		}
		for p, b := range files {
			full := filepath.Join(dir, h.Name, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(full, b, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
