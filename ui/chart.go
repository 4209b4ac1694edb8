package ui

import (
	"image"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"latentlab/app"
	"latentlab/model/kernel"
)

// chartStyle is the look of a loss chart, taken from the Fyne theme on the
// UI goroutine so that charts can be drawn off it.
type chartStyle struct {
	bg, fg, grid  color.Color
	width, height int     // pixels
	smoothing     float64 // weight of the moving average over per-step series, in [0, 1)
	scale         string  // the y axis: "" as each chart is made to be, yLinear or yLog
}

// The y scales a person may ask for.
const (
	yAuto   = "auto"
	yLinear = "linear"
	yLog    = "log"
)

// seriesColors are the line colours of a chart, in series order.
var seriesColors = []color.Color{
	color.NRGBA{R: 66, G: 165, B: 245, A: 255},
	color.NRGBA{R: 255, G: 167, B: 38, A: 255},
	color.NRGBA{R: 102, G: 187, B: 106, A: 255},
	color.NRGBA{R: 239, G: 83, B: 80, A: 255},
	color.NRGBA{R: 171, G: 71, B: 188, A: 255},
}

// keptColors are the lines of earlier runs, oldest first: greys and a
// violet, apart from the current run's colours.
var keptColors = []color.Color{
	color.NRGBA{R: 190, G: 190, B: 190, A: 255},
	color.NRGBA{R: 206, G: 147, B: 216, A: 255},
	color.NRGBA{R: 128, G: 203, B: 196, A: 255},
}

// chartSpec says what one chart shows.
type chartSpec struct {
	title  string
	ylabel string
	series []string
	logY   bool
}

// renderChart draws the named series of h as a line chart with gonum/plot.
// Earlier runs (kept, oldest first) are drawn under the current one, each
// as its validation loss (or the chart's first series), thin and dashed,
// labelled by the settings the next run changed.
func renderChart(h *app.History, spec chartSpec, st chartStyle, kept ...app.KeptRun) (image.Image, chartReadout) {
	var readout chartReadout
	switch st.scale {
	case yLinear:
		spec.logY = false
	case yLog:
		spec.logY = true
	}
	p := plot.New()
	p.Title.Text = spec.title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = spec.ylabel
	p.BackgroundColor = st.bg
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Color, a.Label.TextStyle.Color, a.Tick.Color, a.Tick.Label.Color = st.fg, st.fg, st.fg, st.fg
	}
	p.Title.TextStyle.Color = st.fg
	p.Legend.TextStyle.Color = st.fg
	p.Legend.Top = true
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = st.grid, st.grid
	p.Add(grid)
	drawn := 0
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, run := range kept {
		name := spec.series[0]
		if slices.Contains(spec.series, app.SeriesValidation) {
			name = app.SeriesValidation
		}
		for _, s := range run.History.Series(name) {
			pts := plottable(s, spec.logY, &lo, &hi)
			if len(pts) > 60 && st.smoothing > 0 {
				smoothPoints(pts, st.smoothing)
			}
			line, err := plotter.NewLine(pts)
			if err != nil || len(pts) == 0 {
				continue
			}
			line.Color = keptColors[i%len(keptColors)]
			line.Width = vg.Points(1.5)
			line.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
			p.Add(line)
			p.Legend.Add("earlier: "+run.Label, line)
			drawn++
		}
	}
	for i, s := range h.Series(spec.series...) {
		pts := plottable(s, spec.logY, &lo, &hi)
		if len(pts) == 0 {
			continue
		}
		col := seriesColors[i%len(seriesColors)]
		if len(pts) > 60 && st.smoothing > 0 { // per-step series: faint, the moving average over them
			if raw, err := plotter.NewLine(pts); err == nil {
				r, g, b, _ := col.RGBA()
				raw.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 70}
				raw.Width = vg.Points(1)
				p.Add(raw)
			}
			smoothPoints(pts, st.smoothing)
		}
		line, points, err := plotter.NewLinePoints(pts)
		if err != nil {
			continue
		}
		drawnSeries := app.Series{Name: s.Name}
		for _, pt := range pts {
			drawnSeries.X, drawnSeries.Y = append(drawnSeries.X, pt.X), append(drawnSeries.Y, pt.Y)
		}
		readout.series = append(readout.series, drawnSeries)
		line.Color = col
		line.Width = vg.Points(1.5)
		if s.Name == app.SeriesValidation {
			line.Width = vg.Points(2.5)
			line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(line)
		// Per-epoch series are short: mark their points so that one
		// epoch's value already shows.
		if len(pts) <= 60 {
			points.Color, points.Shape, points.Radius = col, draw.CircleGlyph{}, vg.Points(2.5)
			p.Add(points)
		}
		p.Legend.Add(s.Name, line)
		drawn++
	}
	if drawn == 0 {
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
		p.Title.Text = spec.title + " (waiting for training)"
	} else if spec.logY && (hi/lo > 20 || st.scale == yLog) { // log ticks are labelled per decade: by default only worth it across two
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: 3} // three digits: 10^k computed in floating point prints as 1e+16, not 9.999999999999998e+15
	}
	img := vgimg.NewWith(vgimg.UseWH(vg.Length(st.width)*vg.Inch/96, vg.Length(st.height)*vg.Inch/96), vgimg.UseDPI(96))
	dc := draw.New(img)
	p.Draw(dc)
	if drawn > 0 {
		data := p.DataCanvas(dc)
		xf, _ := p.Transforms(&data)
		toPixels := func(l vg.Length) float64 { return float64(l) / 72 * 96 } // points to pixels at 96 dpi
		readout.width = st.width
		readout.x0, readout.x1 = p.X.Min, p.X.Max
		readout.px0, readout.px1 = toPixels(xf(p.X.Min)), toPixels(xf(p.X.Max))
	} else {
		readout.series = nil
	}
	return img.Image(), readout
}

// plottable returns the points of s a chart can draw (finite, and
// positive on a log axis), widening [*lo, *hi] to their values.
func plottable(s app.Series, logY bool, lo, hi *float64) plotter.XYs {
	pts := make(plotter.XYs, 0, len(s.X))
	for j, y := range s.Y {
		if !kernel.IsFinite(y) || (logY && y <= 0) {
			continue
		}
		pts = append(pts, plotter.XY{X: s.X[j], Y: y})
		*lo, *hi = math.Min(*lo, y), math.Max(*hi, y)
	}
	return pts
}

// smoothPoints replaces the points' values by their moving average of
// weight w (see smooth).
func smoothPoints(pts plotter.XYs, w float64) {
	ys := make([]float64, len(pts))
	for j, pt := range pts {
		ys[j] = pt.Y
	}
	for j, y := range smooth(ys, w) {
		pts[j].Y = y
	}
}

// smooth returns the exponential moving average of ys with weight w, as
// TensorBoard's scalar charts smooth: m_t = w m_(t-1) + (1 - w) y_t from
// m_0 = 0, divided by 1 - w^t so that the first values are not pulled
// towards zero (the debiasing of Kingma & Ba 2015's moment estimates).
func smooth(ys []float64, w float64) []float64 {
	out := make([]float64, len(ys))
	var m float64
	debias := 1.0
	for t, y := range ys {
		m = w*m + (1-w)*y
		debias *= w
		out[t] = m / (1 - debias)
	}
	return out
}
