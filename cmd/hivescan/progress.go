package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/hivescan/hivescan/internal/scan"
)

// barProgress draws hosts done, bytes read and the host being read on a
// terminal's stderr. newProgress decides whether there is one.
type barProgress struct {
	w     io.Writer
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	total int
	done  int
}

var _ scan.Progress = (*barProgress)(nil)

// newProgress returns a progress bar on stderr when stderr is a terminal
// and the user did not ask for quiet; nil otherwise (a pipe, a file, a test).
func newProgress(stderr io.Writer, quiet bool) scan.Progress {
	if quiet || !isTerminal(stderr) {
		return nil
	}
	return &barProgress{w: stderr}
}

func (p *barProgress) Start(hosts int, bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = hosts
	p.bar = progressbar.NewOptions64(max(bytes, 1),
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionSetDescription(fmt.Sprintf("0/%d hosts", hosts)),
	)
}

func (p *barProgress) HostStarted(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Describe(fmt.Sprintf("%d/%d hosts, reading %s", p.done, p.total, name))
}

func (p *barProgress) HostDone(name string, bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.bar.Describe(fmt.Sprintf("%d/%d hosts, done %s", p.done, p.total, name))
	p.bar.Add64(bytes)
	if p.done == p.total {
		p.bar.Finish()
	}
}
