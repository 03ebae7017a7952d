package services

import (
	_ "embed"

	"github.com/hivescan/hivescan/analyzers/checks"
)

//go:embed provisioning.yaml
var provisioningTable []byte

// Provisioning reports command lines staged for provlaunch.exe; its checks
// are the table provisioning.yaml.
var Provisioning = checks.MustParse("analyzers/services/provisioning.yaml", provisioningTable)
