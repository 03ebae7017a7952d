package report

import (
	"encoding/json"
	"io"
)

// jsonWriter writes the whole report as one indented JSON document.
type jsonWriter struct{ opts Options }

var _ Writer = (*jsonWriter)(nil)

func (jw *jsonWriter) Write(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(view(r, jw.opts))
}
