package report

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// htmlChart is the timeline drawn as inline SVG: one lane per host, one
// point per key last write, coloured by severity (the most severe drawn on
// top), an axis with dated ticks.
// Coordinates are in SVG user units, rounded to 0.1.
type htmlChart struct {
	Width, Height         int
	AxisX1, AxisX2, AxisY string
	Lanes                 []htmlLane
	Ticks                 []htmlTick
	Points                []htmlPoint
}

type htmlLane struct{ X1, X2, Y, TextY, Name string }

type htmlTick struct{ X, Y1, Y2, TextY, Label string }

type htmlPoint struct{ X, Y, Severity, Label string }

const (
	chartWidth  = 1000
	chartLeft   = 170 // room for host names
	chartRight  = 20
	chartTop    = 14
	chartLane   = 26
	chartAxisH  = 34
	maxChartPts = 5000 // more points are not drawn; the table still lists them
)

// tickSteps are the intervals an axis may use, shortest first.
var tickSteps = []time.Duration{
	time.Second, 10 * time.Second, time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour,
	24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour, 91 * 24 * time.Hour, 365 * 24 * time.Hour,
	5 * 365 * 24 * time.Hour, 10 * 365 * 24 * time.Hour, 50 * 365 * 24 * time.Hour, 100 * 365 * 24 * time.Hour,
}

func coord(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func newHTMLChart(evs []timelineEvent) htmlChart {
	if len(evs) == 0 {
		return htmlChart{}
	}
	if len(evs) > maxChartPts {
		evs = evs[:maxChartPts]
	}
	var hosts []string
	for _, ev := range evs {
		if !slices.Contains(hosts, ev.f.Host) {
			hosts = append(hosts, ev.f.Host)
		}
	}
	slices.Sort(hosts)
	start, end := evs[0].when, evs[len(evs)-1].when
	for _, ev := range evs {
		start, end = minTime(start, ev.when), maxTime(end, ev.when)
	}
	// Spans are in seconds as float64: FILETIMEs reach far beyond the 292
	// years a time.Duration holds.
	seconds := func(a, b time.Time) float64 {
		return float64(b.Unix()-a.Unix()) + float64(b.Nanosecond()-a.Nanosecond())/1e9
	}
	if seconds(start, end) < 60 {
		start, end = start.Add(-30*time.Second), end.Add(30*time.Second)
	}
	// Pad by 3% so that points do not sit on the frame.
	pad := seconds(start, end) / 33
	start, end = start.Add(-time.Duration(min(pad, 100*365*86400)*1e9)), end.Add(time.Duration(min(pad, 100*365*86400)*1e9))
	span := seconds(start, end)

	c := htmlChart{Width: chartWidth, Height: chartTop + chartLane*len(hosts) + chartAxisH}
	plotW := float64(chartWidth - chartLeft - chartRight)
	x := func(t time.Time) float64 {
		return min(max(chartLeft+plotW*seconds(start, t)/span, chartLeft), chartWidth-chartRight)
	}
	laneY := func(i int) float64 { return chartTop + chartLane*float64(i) + chartLane/2 }
	for i, h := range hosts {
		y := laneY(i)
		c.Lanes = append(c.Lanes, htmlLane{X1: coord(chartLeft), X2: coord(chartWidth - chartRight), Y: coord(y), TextY: coord(y + 4),
			Name: cutEnd(hostName(h), 24)})
	}
	axisY := float64(chartTop + chartLane*len(hosts) + 4)
	c.AxisX1, c.AxisX2, c.AxisY = coord(chartLeft), coord(chartWidth-chartRight), coord(axisY)

	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if span/s.Seconds() <= 8 {
			step = s
			break
		}
	}
	layout := "2006-01-02"
	switch {
	case step < time.Minute:
		layout = "15:04:05"
	case step < 24*time.Hour:
		layout = "01-02 15:04"
	case step >= 365*24*time.Hour:
		layout = "2006"
	}
	for t := firstTick(start, step); !t.After(end); t = nextTick(t, step) {
		tx := x(t)
		c.Ticks = append(c.Ticks, htmlTick{X: coord(tx), Y1: coord(axisY), Y2: coord(axisY + 5), TextY: coord(axisY + 18), Label: t.Format(layout)})
		if len(c.Ticks) > 12 {
			break
		}
	}
	// Higher severities are drawn last, on top.
	drawn := slices.Clone(evs)
	slices.SortStableFunc(drawn, func(a, b timelineEvent) int { return int(a.f.Severity) - int(b.f.Severity) })
	for _, ev := range drawn {
		lane := slices.Index(hosts, ev.f.Host)
		where := ev.key
		if ev.f.Value != nil {
			where += `\` + orDefault(*ev.f.Value)
		}
		label := fmt.Sprintf("%s  %s  %s: %s  %s", FormatTime(ev.when), hostName(ev.f.Host), ev.f.Severity, escapeText(ev.f.Title), escapeText(where))
		c.Points = append(c.Points, htmlPoint{X: coord(x(ev.when)), Y: coord(laneY(lane)), Severity: ev.f.Severity.String(), Label: label})
	}
	return c
}

func orDefault(value string) string {
	if value == "" {
		return "(default)"
	}
	return value
}

// firstTick is the first multiple of step (calendar years and months for
// steps of a month or more) at or after t, in UTC.
func firstTick(t time.Time, step time.Duration) time.Time {
	t = t.UTC()
	switch {
	case step >= 365*24*time.Hour:
		years := int(step / (365 * 24 * time.Hour))
		y := (t.Year()/years + 1) * years
		if t.Year()%years == 0 && t.YearDay() == 1 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
			y = t.Year()
		}
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	case step >= 30*24*time.Hour:
		months := int(step / (30 * 24 * time.Hour))
		m := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		if m.Before(t) {
			m = m.AddDate(0, 1, 0)
		}
		for (int(m.Month())-1)%months != 0 {
			m = m.AddDate(0, 1, 0)
		}
		return m
	case step >= 7*24*time.Hour:
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		if d.Before(t) {
			d = d.AddDate(0, 0, 1)
		}
		for d.Weekday() != time.Monday {
			d = d.AddDate(0, 0, 1)
		}
		return d
	}
	tr := t.Truncate(step)
	if tr.Before(t) {
		tr = tr.Add(step)
	}
	return tr
}

func nextTick(t time.Time, step time.Duration) time.Time {
	switch {
	case step >= 365*24*time.Hour:
		return t.AddDate(int(step/(365*24*time.Hour)), 0, 0)
	case step >= 30*24*time.Hour:
		return t.AddDate(0, int(step/(30*24*time.Hour)), 0)
	}
	return t.Add(step)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
