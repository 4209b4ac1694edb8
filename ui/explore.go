package ui

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"latentlab/app"
	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
)

// Explore view constants.
const (
	priorHalfWidth = 3.0  // VAE and GAN pads span +-3 standard deviations of the prior
	padGrid        = 14   // decoded digits per side of a pad's manifold
	padDots        = 1500 // encoded test digits drawn on AE and VAE pads
	digitRedecode  = 100 * time.Millisecond
	sliderArea     = 90 // pixels of sliders under each pad: two rows, more scroll
)

// exploreView shows one latent pad per model, side by side, with the digit
// decoded at each pad's point, a readout of z and a slider per latent axis.
type exploreView struct {
	lab      *app.Lab
	columns  []*padColumn
	linked   *widget.Check
	layers   [3]*widget.Check // manifold, dots, rings
	content  fyne.CanvasObject
	dots     *dataset.Set // the test digits drawn on the pads
	onDrag   func(time.Duration)
	onPick   func(i int) // a right click picked dots' test digit i
	onSlice  func()      // asks the fast lane for the pads' slices through a new point (nil: none)
	onSliced func()      // a slice is on the screen
	// hidden is set while another tab shows: a point set then moves the
	// pads at once and the widgets under them when the view shows again
	// (a stroke on the Draw tab sets three points).
	hidden bool
}

// column returns the pad column of kind's model.
func (v *exploreView) column(kind model.Kind) *padColumn {
	for _, c := range v.columns {
		if c.kind == kind {
			return c
		}
	}
	return nil
}

// pickAxis makes axis (a pad axis index: latent axis, then principal
// directions) the x axis of kind's pad, swapping with the y axis if it
// was that.
func (v *exploreView) pickAxis(kind model.Kind, axis int) {
	c := v.column(kind)
	if c == nil || axis < 0 || axis >= len(c.axisX.Options) {
		return
	}
	if c.axisY.SelectedIndex() == axis {
		c.axisY.SetSelectedIndex(c.axisX.SelectedIndex())
	}
	c.axisX.SetSelectedIndex(axis)
}

// setHidden records whether another tab shows, and brings the widgets
// under the pads up to date when the view shows again.
func (v *exploreView) setHidden(hidden bool) {
	v.hidden = hidden
	if hidden {
		return
	}
	if v.onSlice != nil { // the pads' points may have left their slices meanwhile
		v.onSlice()
	}
	for _, c := range v.columns {
		if c.stale {
			c.showZ()
		}
	}
}

// padColumn is one model's pad and everything under it. Its fields belong
// to the UI goroutine except those behind mu, which the background
// renderer reads.
type padColumn struct {
	view    *exploreView
	session *app.Session
	kind    model.Kind

	pad       *LatentPad
	digit     *canvas.Image
	readout   *textLine // z, as many coordinates as fit
	status    *widget.Label
	sliders   []*widget.Slider
	values    []*textLine
	sliderUI  *fyne.Container
	axisX     *widget.Select
	axisY     *widget.Select
	axesRow   *fyne.Container
	planeNote *widget.Label // the principal axes' share of the variance

	z          []float64    // the point being decoded: the truth the pad, sliders and readout show
	rings      []Ring       // the background's rings (the prior's)
	posterior  [2][]float64 // a drawn digit's posterior mean and standard deviations (VAE), or nil
	plane      infer.Plane  // the pad's plane, from the last render
	sliderSet  sliderSet    // what the sliders run over
	lastDecode time.Time
	lastStep   int64
	dim        int
	stale      bool // the sliders, readout and digit show an older z (view hidden)

	render   sync.Mutex // held while a renderer draws this pad's background
	mu       sync.Mutex // guards what follows, shared with the renderers
	axes     [2]int     // the pad's axes: latent axis i < dim, principal direction i - dim beyond
	rendered renderKey
	base     []float64    // the point the pad's plane passes through: z
	sliced   []float64    // the off-plane part of the base the manifold shows
	drawn    infer.Plane  // the plane of the last background
	dirs     dirCache     // the principal directions the renderer last found
	mixture  mixtureCache // the code mixture the renderer last fitted
}

func newExploreView(lab *app.Lab) *exploreView {
	v := &exploreView{lab: lab, dots: lab.Data.Test.Head(padDots)}
	v.linked = widget.NewCheck("Linked: one z for all three", nil)
	v.linked.SetChecked(true)
	names := []string{"Manifold", "Test digits", "Rings: prior and codes"}
	for i := range v.layers {
		v.layers[i] = widget.NewCheck(names[i], func(bool) { v.applyLayers() })
		v.layers[i].SetChecked(true)
	}
	var cols []fyne.CanvasObject
	for _, k := range app.Kinds {
		c := newPadColumn(v, lab.Session(k))
		v.columns = append(v.columns, c)
		cols = append(cols, c.content())
	}
	legend := container.NewHBox()
	for d := uint8(0); d < 10; d++ {
		sw := canvas.NewRectangle(LabelColor(d))
		sw.SetMinSize(fyne.NewSize(10, 10))
		legend.Add(container.NewHBox(container.NewCenter(sw), widget.NewLabel(fmt.Sprint(d))))
	}
	bar := container.NewHBox(v.linked, widget.NewSeparator(), v.layers[0], v.layers[1], v.layers[2], layout.NewSpacer(), legend)
	v.content = container.NewBorder(bar, nil, nil, nil, container.NewGridWithColumns(3, cols...))
	return v
}

func (v *exploreView) applyLayers() {
	for _, c := range v.columns {
		c.pad.SetLayers(v.layers[0].Checked, v.layers[1].Checked && c.kind != model.KindGAN, v.layers[2].Checked && c.kind != model.KindAE)
	}
}

// setZ makes z the point of column from and, when linked, of every column
// (over the axes they share).
func (v *exploreView) setZ(from *padColumn, z []float64) {
	from.setZ(z)
	if !v.linked.Checked {
		return
	}
	for _, c := range v.columns {
		if c == from {
			continue
		}
		nz := slices.Clone(c.z)
		copy(nz, z)
		c.setZ(nz)
	}
}

// showPoint moves the pad of kind's model to z (its own point for a digit,
// so not linked to the others) and, given the VAE's log-variance, draws
// the posterior's 1σ and 2σ ellipses around it (nil: none).
func (v *exploreView) showPoint(kind model.Kind, z, logVar []float64) {
	for _, c := range v.columns {
		if c.kind != kind || len(c.z) != len(z) {
			continue
		}
		c.posterior = [2][]float64{}
		if logVar != nil {
			sd := make([]float64, len(logVar))
			for i, lv := range logVar {
				sd[i] = math.Exp(lv / 2)
			}
			c.posterior = [2][]float64{slices.Clone(z), sd}
		}
		c.showRings()
		c.setZ(slices.Clone(z))
	}
}

// tick runs on the UI goroutine after training news: status lines, and the
// digits redecoded with the newest weights (at most ten times a second).
func (v *exploreView) tick() {
	for _, c := range v.columns {
		c.tick()
	}
}

// followShape reshapes each column whose model's latent dimension changed,
// even while Explore is hidden: the other views (Draw, Latent) set points
// and axes on the pads, which must have their model's dimension.
func (v *exploreView) followShape() {
	for _, c := range v.columns {
		c.followShape()
	}
}

func newPadColumn(v *exploreView, s *app.Session) *padColumn {
	c := &padColumn{view: v, session: s, kind: s.Kind()}
	c.pad = NewLatentPad()
	c.digit = newDigitView(150)
	c.readout = newTextLine()
	c.status = widget.NewLabel("")
	c.sliderUI = container.NewVBox()
	c.axisX = widget.NewSelect(nil, func(string) { c.axesChanged() })
	c.axisY = widget.NewSelect(nil, func(string) { c.axesChanged() })
	c.planeNote = widget.NewLabel("")
	c.planeNote.Truncation = fyne.TextTruncateEllipsis // never widens the column
	c.axesRow = container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("plane:"), c.axisX, widget.NewLabel("×"), c.axisY), nil, c.planeNote)
	c.pad.OnChanged = func(u, vv float64) {
		start := time.Now()
		if v.onDrag != nil {
			defer func() { v.onDrag(time.Since(start)) }()
		}
		// The plane through the point: every other direction keeps its value.
		v.setZ(c, c.plane.Through(c.z).At(u, vv))
	}
	c.pad.OnDotPicked = func(i int) {
		if v.onPick != nil && i < v.dots.Len() {
			v.onPick(i)
		}
	}
	c.reshape(s.Snapshot())
	return c
}

func (c *padColumn) content() fyne.CanvasObject {
	title := widget.NewLabelWithStyle(modelTitle(c.kind), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	top := container.NewVBox(title, c.status)
	// The same height in every column, so the pads line up; more axes scroll.
	sliders := container.NewVScroll(c.sliderUI)
	sliders.SetMinSize(fyne.NewSize(200, sliderArea))
	bottom := container.NewVBox(
		c.readout,
		container.NewCenter(c.digit),
		container.NewBorder(c.axesRow, nil, nil, nil, sliders),
	)
	return container.NewBorder(top, bottom, nil, nil, newSquare(c.pad))
}

func modelTitle(k model.Kind) string {
	switch k {
	case model.KindAE:
		return "AE · autoencoder"
	case model.KindVAE:
		return "VAE · variational autoencoder"
	}
	return "GAN · generator"
}

// reshape rebuilds the sliders and axis pickers for the snapshot's latent
// dimension; it keeps z where the dimension did not change.
func (c *padColumn) reshape(s *infer.Snapshot) {
	d := s.LatentDim()
	if d == c.dim {
		return
	}
	c.dim = d
	c.z = make([]float64, d)
	lo, hi := make([]float64, d), make([]float64, d)
	for i := range lo {
		lo[i], hi[i] = -priorHalfWidth, priorHalfWidth
	}
	y := min(1, d-1)
	c.plane = infer.LinearPriorPlane(d, 0, y, priorHalfWidth)
	c.mu.Lock()
	c.axes = [2]int{0, y}
	c.mu.Unlock()
	opts := axisOptions(d)
	c.axisX.Options, c.axisY.Options = opts, opts
	c.axisX.SetSelectedIndex(0)
	c.axisY.SetSelectedIndex(y)
	c.sliderSet = sliderSet{}
	c.setSliders(axisSliders(lo, hi))
	c.setZ(c.z)
}

func (c *padColumn) axesChanged() {
	x, y := c.axisX.SelectedIndex(), c.axisY.SelectedIndex()
	if x < 0 || y < 0 {
		return
	}
	c.mu.Lock()
	c.axes = [2]int{x, y}
	c.mu.Unlock()
	if x < c.dim && y < c.dim { // latent axes: the plane is known at once
		c.plane.AxisX, c.plane.AxisY, c.plane.DirX, c.plane.DirY = x, y, nil, nil
	}
	c.setZ(c.z)
	if c.view.onSlice != nil { // the background for the new axes, without waiting for the next render
		c.view.onSlice()
	}
}

// setZ moves the point to z: the crosshair at once, the sliders, readout
// and decoded digit now or, while the view is hidden, when it shows again.
func (c *padColumn) setZ(z []float64) {
	c.z = z
	u, v := c.plane.Fractions(z)
	c.pad.SetPoint(u, v)
	c.shareBase(z)
	if c.view.hidden {
		c.stale = true
		return
	}
	c.showZ()
}

// showZ shows z on the sliders, the readout and the digit.
func (c *padColumn) showZ() {
	z := c.z
	c.stale = false
	c.showSliders(z)
	c.readout.setShortened(formatZ(z), shortZ(z))
	c.decode()
}

// followShape reshapes the column when its model's latent dimension
// changed, and reports whether it did.
func (c *padColumn) followShape() bool {
	s := c.session.Snapshot()
	if s.LatentDim() == c.dim {
		return false
	}
	c.reshape(s)
	return true
}

// decode renders the digit at z with the newest snapshot.
func (c *padColumn) decode() {
	s := c.session.Snapshot()
	if s.LatentDim() != len(c.z) {
		return
	}
	px, err := s.Preview(c.z)
	if err != nil {
		c.readout.SetText(err.Error())
		return
	}
	cfg := s.Config()
	c.digit.Image = grayImage(px, cfg.ImageRows, cfg.ImageCols)
	c.digit.Refresh()
	c.lastDecode, c.lastStep = time.Now(), s.Step()
}

func (c *padColumn) tick() {
	st := c.session.Status()
	c.status.SetText(statusLine(st))
	if c.followShape() {
		return
	}
	s := c.session.Snapshot()
	if s.Step() != c.lastStep && time.Since(c.lastDecode) >= digitRedecode {
		c.decode()
	}
}

func statusLine(st app.Status) string {
	p := st.Progress
	s := fmt.Sprintf("%s · epoch %d/%d · step %d", st.State, p.Epoch, p.Epochs, p.Step)
	if st.State == app.Running && p.LastEvent.SamplesPerSec > 0 {
		s += fmt.Sprintf(" · %.0f img/s", p.LastEvent.SamplesPerSec)
	}
	return s
}

// showRings draws the background's rings and, around a drawn digit's
// code, its posterior's 1σ and 2σ ellipses in the pad's plane.
func (c *padColumn) showRings() {
	rings := slices.Clone(c.rings)
	if mean, sd := c.posterior[0], c.posterior[1]; mean != nil && len(mean) == c.dim && !c.plane.Quantiles {
		u, v := c.plane.Fractions(mean)
		sx, sy := c.plane.Spread(sd)
		for _, k := range []float64{1, 2} {
			rings = append(rings, Ring{U: float32(u), V: float32(v),
				RU:    float32(k * sx / (c.plane.MaxX - c.plane.MinX)),
				RV:    float32(k * sy / (c.plane.MaxY - c.plane.MinY)),
				Color: posteriorRingColor})
		}
	}
	c.pad.SetRings(rings)
}

// posteriorRingColor is the colour of a drawn digit's posterior ellipses.
var posteriorRingColor = color.NRGBA{R: 255, G: 170, B: 60, A: 220}

// renderBackgrounds renders every pad that needs it, off the UI goroutine,
// and returns the function that installs them on it.
func (v *exploreView) renderBackgrounds() func() {
	var apply []func()
	for _, c := range v.columns {
		if bg := c.renderBackground(); bg != nil {
			apply = append(apply, func() { c.applyBackground(bg) })
		}
	}
	if len(apply) == 0 {
		return nil
	}
	return func() {
		for _, f := range apply {
			f()
		}
	}
}
