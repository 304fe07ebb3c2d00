package sync

import (
	"encoding/xml"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// MaxChartDays bounds the days of one chart: a year of bars still reads.
const MaxChartDays = 366

// chartPalette colours kiosks in the order of their ids, so a kiosk keeps its
// colour from one chart to the next. Beyond it, colours are spread on the hue
// circle.
var chartPalette = []string{"#1b7a4b", "#d9822b", "#2f6fb3", "#b3261e", "#7b4fa0", "#c2a300",
	"#198a8a", "#a0522d", "#5b6b7a", "#d6579a", "#6d8c1f", "#3d3d9e"}

func chartColour(i int) string {
	if i < len(chartPalette) {
		return chartPalette[i]
	}
	// Golden-angle hues at fixed saturation and lightness.
	h := (i * 137) % 360
	return hslHex(h, 55, 42)
}

// hslHex converts a colour (hue in degrees, saturation and lightness in
// percent) to #rrggbb, in integers.
func hslHex(h, s, l int) string {
	c := (100 - chartAbs(2*l-100)) * s // chroma × 10000
	x := c * (60 - chartAbs(h%120-60)) / 60
	m := l*100 - c/2
	var r, g, b int
	switch {
	case h < 60:
		r, g = c, x
	case h < 120:
		r, g = x, c
	case h < 180:
		g, b = c, x
	case h < 240:
		g, b = x, c
	case h < 300:
		r, b = x, c
	default:
		r, b = c, x
	}
	to := func(v int) int { return (v + m) * 255 / 10000 }
	return fmt.Sprintf("#%02x%02x%02x", to(r), to(g), to(b))
}

func chartAbs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// chartTicks picks a round step (1, 2 or 5 × 10ⁿ đồng) giving about five
// gridlines over [lo, hi], and the axis bounds on multiples of it.
func chartTicks(lo, hi int64) (bottom, top, step int64) {
	span := hi - lo
	if span <= 0 {
		span = 1
	}
	raw := (span + 4) / 5
	step = niceStep(raw)
	top = (hi + step - 1) / step * step
	if hi <= 0 {
		top = 0
	}
	bottom = -((-lo + step - 1) / step * step)
	if lo >= 0 {
		bottom = 0
	}
	if top == bottom {
		top = bottom + step
	}
	return bottom, top, step
}

// niceStep is the smallest of 1, 2, 5, 10, 20, 50… at least raw.
func niceStep(raw int64) int64 {
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*p >= raw {
				return m * p
			}
		}
	}
}

// SalesChartSVG draws net sales (sales less voids and refunds, by the records'
// totals) per day from from's day to to's day (Vietnam time, both included) as
// bars stacked by kiosk: one colour per kiosk with a legend, a đồng axis
// (1.250.000), each bar titled with its figure for a hover. A day of more
// refunds than sales stacks below zero. It is plain SVG: no script, no
// external font or image, every text escaped.
func SalesChartSVG(st Store, from, to time.Time) ([]byte, error) {
	start, _ := reportDay(from)
	last, end := reportDay(to)
	days := 0
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		days++
		if days > MaxChartDays {
			return nil, fmt.Errorf("%w: a chart of more than %d days", ErrBadReportQuery, MaxChartDays)
		}
	}
	if days == 0 {
		return nil, fmt.Errorf("%w: chart to %s is before from %s", ErrBadReportQuery, last.Format(time.DateOnly), start.Format(time.DateOnly))
	}
	kiosks, err := st.Kiosks()
	if err != nil {
		return nil, fmt.Errorf("sales chart: %w", err)
	}
	nets, err := st.DailyNet(start, end)
	if err != nil {
		return nil, fmt.Errorf("sales chart: %w", err)
	}
	index := map[time.Time]int{} // a day's first instant → its bar
	for d := range days {
		index[start.AddDate(0, 0, d)] = d
	}
	net := map[string][]pos.Money{} // kiosk → per day
	for _, dn := range nets {
		d, ok := index[dn.Day]
		if !ok {
			continue
		}
		if net[dn.KioskID] == nil {
			net[dn.KioskID] = make([]pos.Money, days)
		}
		net[dn.KioskID][d] += dn.Net
	}
	// Colours follow every kiosk the hub knows, so they hold across charts;
	// the legend lists the kiosks that have bars.
	all := map[string]bool{}
	for _, k := range kiosks {
		all[k.ID] = true
	}
	for id := range net {
		all[id] = true
	}
	ids := make([]string, 0, len(all))
	for id := range all {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	colour := map[string]string{}
	for i, id := range ids {
		colour[id] = chartColour(i)
	}
	shown := make([]string, 0, len(net))
	for id := range net {
		shown = append(shown, id)
	}
	sort.Strings(shown)

	var hi, lo int64
	for d := range days {
		var up, down int64
		for _, id := range shown {
			if v := int64(net[id][d]); v > 0 {
				up += v
			} else {
				down += v
			}
		}
		hi, lo = max(hi, up), min(lo, down)
	}
	bottom, top, step := chartTicks(lo, hi)

	const (
		width, plotLeft, plotRight, plotTop, plotH = 960, 120, 20, 56, 300
		legendPerRow, legendRowH                   = 6, 22
	)
	plotW := width - plotLeft - plotRight
	legendRows := (len(shown) + legendPerRow - 1) / legendPerRow
	height := plotTop + plotH + 40 + max(legendRows, 1)*legendRowH + 10
	y := func(v int64) int64 { return plotTop + (top-v)*plotH/(top-bottom) }
	slotX := func(i int) int { return plotLeft + i*plotW/days }

	var b strings.Builder
	title := fmt.Sprintf("Doanh thu thuần theo ngày và quầy · Net sales by day and kiosk, %s – %s",
		start.Format(time.DateOnly), last.Format(time.DateOnly))
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title" font-family="DejaVu Sans, Verdana, sans-serif" font-size="12">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title>`+"\n", xmlText(title))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="15" font-weight="bold" fill="#1d2a22">%s</text>`+"\n", plotLeft, xmlText(title))
	fmt.Fprintf(&b, `<text x="%d" y="42" fill="#55645a">đồng (₫), giờ Việt Nam · Vietnam time</text>`+"\n", plotLeft)

	// The đồng axis and its gridlines.
	b.WriteString(`<g class="y-axis" fill="#55645a" text-anchor="end">` + "\n")
	for v := bottom; v <= top; v += step {
		yy := y(v)
		stroke := "#e3e1da"
		if v == 0 {
			stroke = "#1d2a22"
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"/>`, plotLeft, yy, width-plotRight, yy, stroke)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", plotLeft-8, yy+4, xmlText(pos.FormatVND(pos.Money(v))))
	}
	b.WriteString("</g>\n")

	// Bars: for each day, positive figures stack up from zero and negative
	// ones down from it, kiosks in id order.
	b.WriteString(`<g class="bars">` + "\n")
	for d := range days {
		x0, x1 := slotX(d), slotX(d+1)
		bw := max((x1-x0)*7/10, 1)
		bx := x0 + (x1-x0-bw)/2
		day := start.AddDate(0, 0, d)
		var up, down int64
		for _, id := range shown {
			v := int64(net[id][d])
			if v == 0 {
				continue
			}
			var base, tip int64
			if v > 0 {
				base, tip = up, up+v
				up = tip
			} else {
				base, tip = down, down+v
				down = tip
			}
			y0, y1 := y(max(base, tip)), y(min(base, tip))
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" data-kiosk="%s"><title>%s</title></rect>`+"\n",
				bx, y0, bw, max(y1-y0, 1), colour[id], xmlText(id),
				xmlText(id+" · "+day.Format("02/01/2006")+": "+pos.FormatVND(pos.Money(v))+" ₫"))
		}
	}
	b.WriteString("</g>\n")

	// Day labels, thinned so that they never overlap.
	every := (days + 14) / 15
	b.WriteString(`<g class="x-axis" fill="#55645a" text-anchor="middle">` + "\n")
	for d := 0; d < days; d += every {
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", (slotX(d)+slotX(d+1))/2, plotTop+plotH+18, start.AddDate(0, 0, d).Format("02/01"))
	}
	b.WriteString("</g>\n")

	legendTop := plotTop + plotH + 36
	b.WriteString(`<g class="legend">` + "\n")
	if len(shown) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#55645a">Không có bán hàng trong những ngày này · No sales in these days</text>`+"\n", plotLeft, legendTop+14)
	}
	for i, id := range shown {
		lx := plotLeft + (i%legendPerRow)*(plotW/legendPerRow)
		ly := legendTop + (i/legendPerRow)*legendRowH
		fmt.Fprintf(&b, `<g class="legend-item" data-kiosk="%s"><rect x="%d" y="%d" width="14" height="14" fill="%s"/><text x="%d" y="%d" fill="#1d2a22">%s</text></g>`+"\n",
			xmlText(id), lx, ly, colour[id], lx+20, ly+12, xmlText(id))
	}
	b.WriteString("</g>\n</svg>\n")
	return []byte(b.String()), nil
}

// xmlText escapes text for XML content and attribute values.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// salesChart answers GET /reports/chart.svg?from=&to= (default: the seven
// days up to today).
func (h *Hub) salesChart(c *fiber.Ctx) error {
	now := time.Now()
	from, to, err := chartParams(c.Query("from"), c.Query("to"), now)
	if err != nil {
		return reportQueryError(c, err)
	}
	svg, err := SalesChartSVG(h.Store, from, to)
	if err != nil {
		return reportQueryError(c, err)
	}
	c.Set(fiber.HeaderContentType, "image/svg+xml; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	return c.Send(svg)
}

// chartParams reads a chart's days: to defaults to today, from to six days
// before to.
func chartParams(from, to string, now time.Time) (time.Time, time.Time, error) {
	t, err := reportDateParam("to", to, now)
	if err != nil {
		return t, t, err
	}
	f := t.AddDate(0, 0, -6)
	if from != "" {
		if f, err = reportDateParam("from", from, now); err != nil {
			return f, t, err
		}
	}
	if t.Before(f) {
		return f, t, fmt.Errorf("%w: to %s is before from %s", ErrBadReportQuery, t.Format(time.DateOnly), f.Format(time.DateOnly))
	}
	return f, t, nil
}

// chartURL is the page's link to the chart of [from, to].
func chartURL(from, to time.Time) string {
	return "/reports/chart.svg?from=" + from.In(pos.VietnamTime).Format(time.DateOnly) + "&to=" + to.In(pos.VietnamTime).Format(time.DateOnly)
}
