package com

import (
	_ "embed"

	"github.com/hivescan/hivescan/analyzers/checks"
)

//go:embed uacbypass.yaml
var uacBypassTable []byte

// UACBypass reports per-user shell handlers of the classes auto-elevating
// Windows programs open; its checks are the table uacbypass.yaml.
var UACBypass = checks.MustParse("analyzers/com/uacbypass.yaml", uacBypassTable)
