package report

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium returns the path of a Chromium binary: skipped when there is
// none, failed under CI=true (.ci/run installs the Debian package).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium found; CI must run the HTML report's browser test (.ci/run installs chromium)")
	}
	t.Skip("chromium not installed")
	return ""
}

// browser opens a fresh headless Chromium and records every console error,
// uncaught exception, log entry of level warning or error (CSP violations
// are reported there) and JavaScript dialog.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	profile, err := os.MkdirTemp("", "hivescan-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // as root in CI containers
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 90*time.Second)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
		// Chromium's helper processes may still write to the profile for a
		// moment after the browser exits; t.TempDir's cleanup would fail.
		for i := 0; i < 50 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	b := &browser{ctx: bctx}
	chromedp.ListenTarget(bctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError || e.Type == runtime.APITypeWarning || e.Type == runtime.APITypeAssert {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				b.record("console %s: %s", e.Type, strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			b.record("exception: %s", msg)
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.LevelError || e.Entry.Level == cdplog.LevelWarning {
				b.record("log %s (%s): %s", e.Entry.Level, e.Entry.Source, e.Entry.Text)
			}
		case *page.EventJavascriptDialogOpening:
			b.record("dialog %s: %s", e.Type, e.Message)
			go chromedp.Run(bctx, page.HandleJavaScriptDialog(false)) //nolint:errcheck // best effort: the test already fails
		}
	})
	if err := chromedp.Run(bctx, cdplog.Enable(), runtime.Enable()); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return b
}

func (b *browser) record(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors = append(b.errors, fmt.Sprintf(format, args...))
}

func (b *browser) recorded() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

func writePage(t *testing.T, page []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, page, 0o644); err != nil {
		t.Fatal(err)
	}
	return "file://" + path
}

const visibleRows = `document.querySelectorAll('#findings tbody tr:not([hidden])').length`

// choose sets a filter <select> as a user would and fires its change event.
func choose(id, value string) chromedp.Action {
	return chromedp.Evaluate(fmt.Sprintf(`(function () { var e = document.getElementById(%q); e.value = %q; e.dispatchEvent(new Event('change')); return e.value; })()`, id, value), nil)
}

// The HTML report in a real browser: it loads without a console error or
// CSP violation, its script runs under the CSP, the filters and the search
// change the visible rows, and planted markup and bidi overrides show as
// text.
func TestHTMLInChromium(t *testing.T) {
	b := newBrowser(t)
	r := fixtureWide()
	total := len(view(r, Options{}).Findings)
	url := writePage(t, writeFormat(t, "html", Options{}, r))

	var (
		count                                   string
		all, critical, ws02, services, search   int
		images, scripts                         int
		plantedValue, plantedData, plantedTitle string
		bodyText                                string
		reset                                   int
	)
	err := chromedp.Run(b.ctx,
		chromedp.Navigate(url),
		chromedp.WaitReady("#f-count", chromedp.ByID),
		chromedp.Text("#f-count", &count, chromedp.ByID),
		chromedp.Evaluate(visibleRows, &all),
		choose("f-severity", "critical"),
		chromedp.Evaluate(visibleRows, &critical),
		choose("f-severity", ""),
		choose("f-host", "WS02"),
		chromedp.Evaluate(visibleRows, &ws02),
		choose("f-host", ""),
		choose("f-analyzer", "services"),
		chromedp.Evaluate(visibleRows, &services),
		choose("f-analyzer", ""),
		chromedp.SendKeys("#f-search", "spreadsheet", chromedp.ByID),
		chromedp.Evaluate(visibleRows, &search),
		chromedp.Evaluate(`(function () { var e = document.getElementById('f-search'); e.value = ''; e.dispatchEvent(new Event('input')); return 0; })()`, nil),
		chromedp.Evaluate(visibleRows, &reset),
		chromedp.Evaluate(`document.querySelectorAll('img').length`, &images),
		chromedp.Evaluate(`document.querySelectorAll('script').length`, &scripts),
		chromedp.Evaluate(`document.querySelector('tr[data-fingerprint] td.value') && Array.prototype.map.call(document.querySelectorAll('#findings td.value'), function (c) { return c.textContent; }).join('\n')`, &plantedValue),
		chromedp.Evaluate(`Array.prototype.map.call(document.querySelectorAll('#findings td.data'), function (c) { return c.textContent; }).join('\n')`, &plantedData),
		chromedp.Evaluate(`Array.prototype.map.call(document.querySelectorAll('#findings summary'), function (c) { return c.textContent; }).join('\n')`, &plantedTitle),
		chromedp.Evaluate(`document.body.textContent`, &bodyText),
	)
	if err != nil {
		t.Fatalf("driving chromium: %v", err)
	}
	if want := fmt.Sprintf("%d of %d findings shown", total, total); count != want {
		t.Errorf("count %q, want %q: the report's script did not run", count, want)
	}
	checks := []struct {
		name      string
		got, want int
	}{
		{"rows shown at load", all, total},
		{"rows with severity critical", critical, 1},
		{"rows of host WS02", ws02, 2},
		{"rows of analyzer services", services, 2},
		{"rows matching the search \"spreadsheet\"", search, 1},
		{"rows shown after clearing the search", reset, total},
		{"img elements", images, 0},
		{"script elements", scripts, 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
		}
	}
	if !strings.Contains(plantedValue, "<script>alert(1)</script>") {
		t.Errorf("planted value not shown as text: %q", plantedValue)
	}
	if !strings.Contains(plantedData, `"><img src=x onerror=alert(2)>\u202egnp.exe`) {
		t.Errorf("planted data not shown as text with its bidi override escaped: %q", plantedData)
	}
	if !strings.Contains(plantedTitle, `Run value "><img src=x onerror=alert(1)>`) {
		t.Errorf("planted title not shown as text: %q", plantedTitle)
	}
	if strings.ContainsAny(bodyText, "\u202e\u200b\x1b") {
		t.Error("the page's text holds a raw bidi, zero-width or escape character")
	}
	if errs := b.recorded(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n  %s", strings.Join(errs, "\n  "))
	}
}

// The listener does catch what the main test says is absent: a page whose
// script no longer matches its CSP hash reports the violation, and its
// filters stay dead.
func TestHTMLInChromiumCatchesCSPViolation(t *testing.T) {
	b := newBrowser(t)
	page := strings.Replace(string(writeFormat(t, "html", Options{}, fixtureWide())), "'use strict';", "'use strict'; ", 1)
	var count string
	err := chromedp.Run(b.ctx,
		chromedp.Navigate(writePage(t, []byte(page))),
		chromedp.WaitReady("#f-count", chromedp.ByID),
		chromedp.Text("#f-count", &count, chromedp.ByID),
	)
	if err != nil {
		t.Fatalf("driving chromium: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(b.recorded()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if errs := b.recorded(); len(errs) == 0 || !strings.Contains(strings.Join(errs, " "), "Content Security Policy") {
		t.Errorf("a script outside the CSP ran or went unreported: count %q, errors %q", count, errs)
	}
	if strings.Contains(count, " of ") {
		t.Errorf("the tampered script ran: %q", count)
	}
}
