package corpus

import "os/exec"

var execLookPath = exec.LookPath
