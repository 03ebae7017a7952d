package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestHTMLGolden(t *testing.T) {
	checkGolden(t, "html.golden", writeFormat(t, "html", Options{}, fixtureWide()))
	checkGolden(t, "html_empty.golden", writeFormat(t, "html", Options{}, &Report{ToolVersion: "1.2.3"}))
}

// The page loads nothing, allows only its own script and style by hash,
// and every planted string arrives escaped.
func TestHTMLSelfContainedAndEscaped(t *testing.T) {
	page := string(writeFormat(t, "html", Options{}, fixtureWide()))
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d script elements, want the report's own one", n)
	}
	if strings.Contains(page, "<img") || strings.Contains(page, "<script>alert") || strings.Contains(page, "</script><script>") {
		t.Error("planted markup reached the page unescaped")
	}
	for _, raw := range []string{"\u202e", "\u200b", "\x1b"} {
		if strings.Contains(page, raw) {
			t.Errorf("page holds raw %q: it should be shown as an escape", raw)
		}
	}
	if !strings.Contains(page, `\u202egnp.exe`) || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("planted value not shown as text")
	}
	for _, m := range regexp.MustCompile(`(?i)<[a-z][^>]*\s(src|href|xlink:href|action|srcset|poster|data)\s*=[^>]*>`).FindAllString(page, -1) {
		t.Errorf("page references an external resource: %s", m)
	}
	if regexp.MustCompile(`(?i)url\(|@import|https?://`).MatchString(htmlCSS + htmlScript) {
		t.Error("style or script loads something")
	}
	csp := regexp.MustCompile(`http-equiv="Content-Security-Policy" content="([^"]*)"`).FindStringSubmatch(page)
	if csp == nil {
		t.Fatal("no Content-Security-Policy meta element")
	}
	script := regexp.MustCompile(`(?s)<script>(.*)</script>`).FindStringSubmatch(page)[1]
	style := regexp.MustCompile(`(?s)<style>(.*)</style>`).FindStringSubmatch(page)[1]
	policy := strings.ReplaceAll(csp[1], "&#39;", "'")
	for _, want := range []string{"default-src 'none'", "script-src '" + cspHash(script) + "'", "style-src '" + cspHash(style) + "'"} {
		if !strings.Contains(policy, want) {
			t.Errorf("policy %q lacks %q", policy, want)
		}
	}
	if strings.Contains(policy, "unsafe-inline") || strings.Contains(policy, "unsafe-eval") {
		t.Errorf("policy %q allows inline code", policy)
	}
}

func TestHTMLChart(t *testing.T) {
	evs := timelineEvents(view(fixtureWide(), Options{}))
	c := newHTMLChart(evs)
	if len(c.Points) != len(evs) || len(c.Lanes) != 2 || len(c.Ticks) < 2 {
		t.Fatalf("chart: %d points for %d events, %d lanes, %d ticks", len(c.Points), len(evs), len(c.Lanes), len(c.Ticks))
	}
	// Every point lies in the plot, the most severe are drawn last, and the
	// earliest event is leftmost.
	minX, prevSev := float64(chartWidth), Info
	for _, p := range c.Points {
		x := atof(t, p.X)
		if x < chartLeft || x > chartWidth-chartRight {
			t.Errorf("point at x=%v outside the plot %d..%d", x, chartLeft, chartWidth-chartRight)
		}
		sev, err := ParseSeverity(p.Severity)
		if err != nil || sev < prevSev {
			t.Errorf("point of severity %s drawn after one of %s", p.Severity, prevSev)
		}
		prevSev, minX = sev, min(minX, x)
	}
	for _, p := range c.Points {
		if strings.HasPrefix(p.Label, FormatTime(evs[0].when)) && atof(t, p.X) != minX {
			t.Errorf("earliest event at x=%s, leftmost point at %v", p.X, minX)
		}
	}
	one := newHTMLChart(evs[:1])
	if len(one.Points) != 1 || len(one.Ticks) == 0 {
		t.Errorf("a single event: %d points, %d ticks", len(one.Points), len(one.Ticks))
	}
	if empty := newHTMLChart(nil); empty.Points != nil {
		t.Error("points without events")
	}
}

func TestFirstTick(t *testing.T) {
	at := time.Date(2019, 6, 1, 10, 20, 30, 0, time.UTC)
	tests := []struct {
		step time.Duration
		want time.Time
	}{
		{time.Hour, time.Date(2019, 6, 1, 11, 0, 0, 0, time.UTC)},
		{24 * time.Hour, time.Date(2019, 6, 2, 0, 0, 0, 0, time.UTC)},
		{7 * 24 * time.Hour, time.Date(2019, 6, 3, 0, 0, 0, 0, time.UTC)}, // a Monday
		{91 * 24 * time.Hour, time.Date(2019, 7, 1, 0, 0, 0, 0, time.UTC)},
		{365 * 24 * time.Hour, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
		{5 * 365 * 24 * time.Hour, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := firstTick(at, tt.step); !got.Equal(tt.want) {
			t.Errorf("firstTick(%v) = %v, want %v", tt.step, got, tt.want)
		}
	}
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	var f float64
	if _, err := fmt.Sscan(s, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// FILETIMEs span 1601 to beyond 9999, far beyond a time.Duration: the
// chart still places every point inside the plot, in order, with few ticks.
func TestHTMLChartExtremeTimes(t *testing.T) {
	r := fixtureWide()
	r.Findings[0].LastWrite = time.Date(1601, 1, 1, 0, 0, 1, 0, time.UTC)
	r.Findings[1].LastWrite = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	evs := timelineEvents(view(r, Options{}))
	c := newHTMLChart(evs)
	if len(c.Ticks) == 0 || len(c.Ticks) > 13 {
		t.Errorf("%d ticks", len(c.Ticks))
	}
	type pt struct {
		when time.Time
		x    float64
	}
	var pts []pt
	for _, p := range c.Points {
		x := atof(t, p.X)
		if x < chartLeft || x > chartWidth-chartRight {
			t.Errorf("point at x=%v outside the plot", x)
		}
		when, err := time.Parse(time.RFC3339Nano, strings.Fields(p.Label)[0])
		if err != nil {
			t.Fatal(err)
		}
		pts = append(pts, pt{when, x})
	}
	for _, a := range pts {
		for _, b := range pts {
			if a.when.Before(b.when) && a.x > b.x {
				t.Errorf("%v drawn at x=%v, right of %v at x=%v", a.when, a.x, b.when, b.x)
			}
		}
	}
	if pts[0].x == pts[len(pts)-1].x {
		t.Error("all points at one x")
	}
}
