package dump

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/deleted"
)

// deletedRecord is one recovered key or value as written by WriteDeleted.
type deletedRecord struct {
	Type        string `json:"type"` // "deleted_key" or "deleted_value"
	Path        string `json:"path"` // key path; for values the key they belonged to, "" when unknown
	PathKnown   bool   `json:"path_known"`
	LastWrite   string `json:"last_write,omitempty"`
	Name        string `json:"name,omitempty"`
	RegType     string `json:"reg_type,omitempty"`
	Size        int    `json:"size,omitempty"`
	Data        any    `json:"data,omitempty"`
	DataProblem string `json:"data_problem,omitempty"`
	Offset      uint32 `json:"offset"`
	Source      string `json:"source"`
}

// WriteDeleted writes the deleted keys and values of rec that lie under
// keyPath (all when keyPath is `\`), in format ("text", "jsonl" or "csv"),
// after what Write wrote. Records whose place is unknown are written only
// for the whole hive. jsonl objects have type "deleted_key" or
// "deleted_value", a path_known flag, the cell offset and where the record
// was found; CSV rows use Write's columns with those types.
func WriteDeleted(w io.Writer, rec *deleted.Records, keyPath, format string) error {
	var recs []deletedRecord
	under := func(p string, known bool) bool {
		if strings.Trim(keyPath, `\`) == "" {
			return true
		}
		kp := `\` + strings.ToLower(strings.Trim(keyPath, `\`))
		p = strings.ToLower(p)
		return known && (p == kp || strings.HasPrefix(p, kp+`\`))
	}
	for _, k := range rec.Keys {
		p := `\` + strings.Trim(strings.Trim(k.ParentPath, `\`)+`\`+k.Name, `\`)
		if !under(p, k.ParentKnown) {
			continue
		}
		recs = append(recs, deletedRecord{Type: "deleted_key", Path: p, PathKnown: k.ParentKnown,
			LastWrite: string(appendTime(nil, k.LastWrite)), Offset: k.Offset, Source: k.Source})
	}
	for _, v := range rec.Values {
		if !under(v.KeyPath, v.KeyPath != "") {
			continue
		}
		r := deletedRecord{Type: "deleted_value", Path: v.KeyPath, PathKnown: v.KeyPath != "", Name: v.Name,
			RegType: hive.ValueType(v.Type).String(), Size: len(v.Data), DataProblem: v.DataProblem, Offset: v.Offset, Source: v.Source}
		if v.Data != nil {
			r.Data = hive.DecodeData(hive.ValueType(v.Type), v.Data)
			if b, ok := r.Data.([]byte); ok {
				r.Data = string(appendHex(nil, b))
			}
		}
		recs = append(recs, r)
	}
	bw := bufio.NewWriter(w)
	var err error
	switch format {
	case "jsonl":
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		for _, r := range recs {
			if err = enc.Encode(r); err != nil {
				break
			}
		}
	case "csv":
		cw := csv.NewWriter(bw)
		for _, r := range recs {
			row := []string{r.Type, r.Path, r.LastWrite, "", "", r.Name, r.RegType, "", dataText(r.Data, "\n")}
			if r.Type == "deleted_value" {
				row[7] = strconv.Itoa(r.Size)
			}
			if r.DataProblem != "" {
				row[8] = r.DataProblem
			}
			for i := range row {
				row[i] = neutralise(row[i])
			}
			if err = cw.Write(row); err != nil {
				break
			}
		}
		cw.Flush()
		if err == nil {
			err = cw.Error()
		}
	case "text":
		fmt.Fprintf(bw, "\n# deleted records (%d)\n", len(recs))
		for _, r := range recs {
			where := r.Path
			if !r.PathKnown {
				where = "(unknown key) " + where
			}
			switch r.Type {
			case "deleted_key":
				fmt.Fprintf(bw, "[%s] %s  (deleted key, %s at %#x)\n", escape(where), r.LastWrite, r.Source, r.Offset)
			default:
				data := dataText(r.Data, " | ")
				if r.DataProblem != "" {
					data = "<" + r.DataProblem + ">"
				}
				fmt.Fprintf(bw, "[%s] %s (%s) = %s  (deleted value, %s at %#x)\n", escape(where), escape(r.Name), r.RegType, escape(data), r.Source, r.Offset)
			}
		}
	default:
		return fmt.Errorf("dump: unknown format %q (want text, jsonl or csv)", format)
	}
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return err
}
