package report

import (
	"encoding/json"
	"io"
)

// jsonlWriter writes one finding per line, each a JSON object carrying its
// host and fingerprint. Nothing else of the report is written.
type jsonlWriter struct{ opts Options }

var _ Writer = (*jsonlWriter)(nil)

func (jw *jsonlWriter) Write(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, f := range view(r, jw.opts).Findings {
		if err := enc.Encode(f); err != nil {
			return err
		}
	}
	return nil
}
