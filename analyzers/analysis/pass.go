package analysis

import (
	"context"
	"sync"

	"github.com/hivescan/hivescan/analyzers/winpath"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/report"
)

// A Pass is one analyzer's run over one host, as go/analysis's Pass is one
// analyzer's run over one package: it hands the analyzer the host's hives
// and what Windows knowledge the driver worked out for them once (control
// sets with their roles, the Windows version, the environment paths expand
// in), and collects what the analyzer reports.
type Pass struct {
	// Analyzer is the analyzer being run.
	Analyzer *Analyzer
	// Set is the host's hives.
	Set *hive.Set
	// Host is the knowledge shared by every analyzer run on Set.
	*Host

	ctx      context.Context
	findings []report.Finding
	problems []error
}

// Context returns the run's context; analyzers that walk long lists check
// it.
func (p *Pass) Context() context.Context { return p.ctx }

// Report records findings.
func (p *Pass) Report(fs ...report.Finding) { p.findings = append(p.findings, fs...) }

// Problem records that the analyzer could not look at something (a damaged
// key or value, an unreadable list). A nil err is ignored. The run carries
// on; the driver reports the analyzer as failed with every problem's text.
func (p *Pass) Problem(err error) {
	if err != nil {
		p.problems = append(p.problems, err)
	}
}

// Host is what the driver learns once about a host's hives and shares
// between every analyzer's Pass: nothing in it is read twice.
type Host struct {
	set *hive.Set

	versionOnce sync.Once
	version     WinVersion

	mu      sync.Mutex
	sets    map[*hive.Entry]controlSets
	envs    map[*hive.Entry]winpath.Env
	baseEnv *winpath.Env
}

type controlSets struct {
	sets []hive.ControlSet
	err  error
}

// NewHost returns the shared knowledge of set, read lazily.
func NewHost(set *hive.Set) *Host {
	return &Host{set: set, sets: map[*hive.Entry]controlSets{}, envs: map[*hive.Entry]winpath.Env{}}
}

// Version returns the host's Windows version (see hostVersion).
func (h *Host) Version() WinVersion {
	h.versionOnce.Do(func() { h.version = hostVersion(h.set) })
	return h.version
}

// ControlSets returns the control sets of SYSTEM hive e with their Select
// roles, read once.
func (h *Host) ControlSets(e *hive.Entry) ([]hive.ControlSet, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.controlSetsLocked(e)
}

func (h *Host) controlSetsLocked(e *hive.Entry) ([]hive.ControlSet, error) {
	if cs, ok := h.sets[e]; ok {
		return cs.sets, cs.err
	}
	sets, err := e.ControlSets()
	h.sets[e] = controlSets{sets, err}
	return sets, err
}

// CurrentControlSet returns the control set of the host's first SYSTEM hive
// that Select names current (the first one when it names none); nil when
// there is none.
func (h *Host) CurrentControlSet() *hive.ControlSet {
	sys := h.set.System()
	if sys == nil {
		return nil
	}
	sets, _ := h.ControlSets(sys) // the error is every analyzer's to report
	for i := range sets {
		if sets[i].IsCurrent() {
			return &sets[i]
		}
	}
	if len(sets) > 0 {
		return &sets[0]
	}
	return nil
}

// Env returns the environment the paths of hive e expand in: the host's
// system environment, and for a user hive that user's (for DEFAULT, the
// LocalSystem profile folder). Env(nil) is the system environment.
func (h *Host) Env(e *hive.Entry) winpath.Env {
	if e != nil && e.Kind() != hive.KindNTUser && e.Kind() != hive.KindDefault {
		e = nil
	}
	h.mu.Lock()
	if env, ok := h.envs[e]; ok {
		h.mu.Unlock()
		return env
	}
	h.mu.Unlock()
	env := h.systemEnv()
	if e != nil {
		env.UserName = e.User
		env.User = map[string]string{}
		if root, err := e.Root(); err == nil {
			readEnv(root, "Environment", env.User)
		}
		if e.Kind() == hive.KindDefault {
			env.Profile = winpath.SystemRootDir(env) + `\System32\config\systemprofile`
		}
	}
	env = env.Memo() // its own layout cache: every path of this hive is judged in it
	h.mu.Lock()
	h.envs[e] = env
	h.mu.Unlock()
	return env
}
