package posture

import (
	_ "embed"

	"github.com/hivescan/hivescan/analyzers/checks"
)

var (
	//go:embed uac.yaml
	uacYAML []byte
	//go:embed credentials.yaml
	credentialsYAML []byte
	//go:embed remoteaccess.yaml
	remoteAccessYAML []byte
	//go:embed hardening.yaml
	hardeningYAML []byte
)

// UAC reports User Account Control turned off or weakened (uac.yaml).
var UAC = checks.MustParse("analyzers/posture/uac.yaml", uacYAML)

// Credentials reports settings that expose credentials (credentials.yaml).
var Credentials = checks.MustParse("analyzers/posture/credentials.yaml", credentialsYAML)

// RemoteAccess reports Remote Desktop turned on or weakened (remoteaccess.yaml).
var RemoteAccess = checks.MustParse("analyzers/posture/remoteaccess.yaml", remoteAccessYAML)

// Hardening reports the firewall, SmartScreen, System Restore, Prefetch and
// the other protections of hardening.yaml turned down.
var Hardening = checks.MustParse("analyzers/posture/hardening.yaml", hardeningYAML)
