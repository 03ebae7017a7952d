package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
)

// Fingerprint identifies a finding across runs and machines, for baselines and
// suppression lists: 16 lower-case hex digits, a prefix of a SHA-256 over the
// analyzer, rule, hive kind, user, key, value name and data.
//
// Key, value name and hive kind are compared without letter case, as Windows
// does. The hive's file path, the times, the severity, the title and the
// detail do not count, nor does the host: the same persistence found in an
// image and in a collection of the same machine, in a RegBack copy, on
// another machine or after a rule's severity changed keeps its fingerprint.
// A key-level finding (Value nil) differs from one about the
// default value (Value "").
func Fingerprint(f Finding) string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	field("hivescan-fingerprint-1")
	field(f.Analyzer)
	field(f.Rule)
	field(strings.ToLower(f.HiveKind))
	field(f.User)
	field(strings.ToLower(f.Key))
	if f.Value == nil {
		field("key")
	} else {
		field("value")
		field(strings.ToLower(*f.Value))
	}
	data, err := json.Marshal(normalizeData(f.Data))
	if err != nil { // a type the writers cannot write either; its text is the best we have
		data = []byte(strings.Join(dataStrings(f.Data), "\x00"))
	}
	field(string(data))
	return hex.EncodeToString(h.Sum(nil))[:16]
}
