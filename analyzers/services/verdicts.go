package services

import (
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/winpath"
)

// svcPathVerdict is what the path rules say of one service image or DLL
// path: the assessment (Microsoft locations trusted) and the location tests
// the service rules ask of its path.
type svcPathVerdict struct {
	a            winpath.Assessment // shared: read, never changed
	ms           bool               // a Microsoft location (and no masquerade for an image)
	writable     bool               // winpath.IsUserWritable
	inSystem32   bool               // analysis.InSystem32 (DLLs)
	programFiles bool               // analysis.InProgramFiles (drivers)
}

// svcPathRole says how a path is read: a service's command line, a
// driver's image file, a service DLL.
type svcPathRole uint8

const (
	svcImage svcPathRole = iota
	svcDriver
	svcDLL
)

// svcVerdicts judges each distinct (path, role) once per run: the control
// sets of a host mostly repeat the same services, and the path rules depend
// on nothing but the path and the host's environment.
type svcVerdicts struct {
	env  winpath.Env
	seen map[svcVerdictKey]svcPathVerdict
}

type svcVerdictKey struct {
	path string
	role svcPathRole
}

func newSvcVerdicts(env winpath.Env) *svcVerdicts {
	return &svcVerdicts{env: env, seen: map[svcVerdictKey]svcPathVerdict{}}
}

func (c *svcVerdicts) of(path string, role svcPathRole) svcPathVerdict {
	k := svcVerdictKey{path, role}
	if v, ok := c.seen[k]; ok {
		return v
	}
	var v svcPathVerdict
	switch role {
	case svcDriver:
		v.a = winpath.AssessPath(strings.Trim(path, `"`), c.env)
	case svcDLL:
		v.a = winpath.AssessPath(path, c.env)
	default:
		v.a = winpath.Assess(path, c.env)
	}
	v.a = analysis.TrustMicrosoft(v.a)
	p := v.a.Path
	v.ms = analysis.MicrosoftPath(p)
	if role != svcDLL {
		v.ms = v.ms && !analysis.HasReason(v.a, "masquerade.") // a fake system binary is not Microsoft's
	}
	v.writable = winpath.IsUserWritable(p)
	v.inSystem32 = analysis.InSystem32(p)
	v.programFiles = analysis.InProgramFiles(p)
	c.seen[k] = v
	return v
}
