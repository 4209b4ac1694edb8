package ui

import (
	"image"
	"image/color"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/gonum/floats"

	"latentlab/app"
	"latentlab/model"
)

// The Latent view draws a traversal and a bar per dimension for each
// model, principal directions on request, and a bar's click makes its
// axis the pad's x axis on the Explore tab.
func TestLatent_TraversalsBarsAndPicks(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	m.tabs.SelectIndex(tabLatent)
	v := m.latent
	draw := func(what string) *latentPicture {
		t.Helper()
		show := v.render()
		if show == nil {
			t.Fatalf("%s: nothing drawn", what)
		}
		show()
		if v.shown == nil || v.shown.picture == nil || v.traversal.Image != v.shown.picture {
			t.Fatalf("%s: no traversal on screen", what)
		}
		return v.shown
	}
	pic := draw("VAE axes")
	d := m.lab.Session(model.KindVAE).Snapshot().LatentDim()
	if pic.req.kind != model.KindVAE || len(pic.bars) != d || pic.rows != min(d, traversalRows) || !strings.Contains(v.barsTitle.Text, "KL") {
		t.Fatalf("VAE: %d bars, %d rows, title %q", len(pic.bars), pic.rows, v.barsTitle.Text)
	}
	if v.render() != nil {
		t.Fatal("drawn again with nothing changed")
	}
	v.rowsOf.SetSelected("Principal directions")
	pic = draw("VAE directions")
	if len(pic.axes) == 0 || pic.axes[0] != d || !strings.Contains(v.barsTitle.Text, "principal direction") {
		t.Fatalf("VAE directions: axes %v, title %q", pic.axes, v.barsTitle.Text)
	}
	v.bars.OnPicked(0)
	vae := column(m, model.KindVAE)
	if m.tabs.SelectedIndex() != tabExplore || vae.axisX.SelectedIndex() != d || vae.axisY.SelectedIndex() == d {
		t.Fatalf("after picking PC1: tab %d, axes %d x %d", m.tabs.SelectedIndex(), vae.axisX.SelectedIndex(), vae.axisY.SelectedIndex())
	}
	m.tabs.SelectIndex(tabLatent)
	v.kind.SetSelected(modelTitle(model.KindGAN))
	pic = draw("GAN")
	gd := m.lab.Session(model.KindGAN).Snapshot().LatentDim()
	if len(pic.bars) != min(padDirections, gd) || !strings.Contains(v.barsTitle.Text, "GANSpace") {
		t.Fatalf("GAN: %d bars, title %q", len(pic.bars), v.barsTitle.Text)
	}
	v.from.SetSelected("A test digit's code")
	v.kind.SetSelected(modelTitle(model.KindAE))
	draw("AE around a test digit")
	if !strings.Contains(v.note.Text, "test digit") {
		t.Fatalf("AE note %q", v.note.Text)
	}
}

// A tap picks the bar under the pointer; bars are as tall as their values.
func TestBarChart_PicksTheBarUnderThePointer(t *testing.T) {
	test.NewTempApp(t)
	b := NewBarChart()
	b.Resize(fyne.NewSize(400, 120))
	b.SetValues([]float64{1, 4, 2, 0}, []string{"z0", "z1", "z2", "z3"}, []bool{false, false, false, true})
	var picked []int
	b.OnPicked = func(i int) { picked = append(picked, i) }
	for _, x := range []float32{10, 150, 399, 250} {
		b.Tapped(&fyne.PointEvent{Position: fyne.NewPos(x, 60)})
	}
	if !slices.Equal(picked, []int{0, 1, 3, 2}) {
		t.Fatalf("taps picked %v", picked)
	}
	img := b.draw(400, 120).(*image.RGBA)
	height := func(bar int) int { // lit pixels in the bar's middle column
		x, n := bar*100+50, 0
		for y := range 120 - labelBand {
			if _, _, bl, _ := img.At(x, y).RGBA(); bl > 0 {
				n++
			}
		}
		return n
	}
	if h1, h0, h2 := height(1), height(0), height(2); h1 <= h2 || h2 <= h0 || h0 == 0 {
		t.Fatalf("bar heights %d, %d, %d for values 1, 4, 2", h0, h1, h2)
	}
}

// The map embeds the test digits' codes in the background; a hovered dot
// shows its digit, a clicked one moves the pad's point to its code; a GAN
// has no codes to map; a cancelled map never shows.
func TestCodeMap_EmbedsHoversAndJumps(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	m.tabs.SelectIndex(tabLatent)
	cm := m.latent.codes
	t.Cleanup(cm.stop)
	cm.begin(model.KindGAN)
	if !strings.Contains(cm.status.Text, "no encoder") {
		t.Fatalf("GAN map: %q", cm.status.Text)
	}
	cm.begin(model.KindVAE)
	cm.halt()
	cm.begin(model.KindVAE)
	deadline := time.Now().Add(30 * time.Second)
	for {
		cm.mu.Lock()
		res := cm.result
		cm.mu.Unlock()
		if res != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no map after 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	show := cm.render()
	if show == nil {
		t.Fatal("a finished map is not shown")
	}
	show()
	if cm.shown == nil || cm.shown.err != nil || len(cm.scatter.dots) != cm.test.Len() || cm.shown.kind != model.KindVAE {
		t.Fatalf("map: %+v", cm.shown)
	}
	blank := pixelsOf(cm.hover.Image)
	cm.hovered(3)
	if slices.Equal(pixelsOf(cm.hover.Image), blank) || !strings.Contains(cm.status.Text, "Test digit 3") {
		t.Fatalf("hovering dot 3: %q", cm.status.Text)
	}
	cm.picked(3)
	want, _, _ := m.lab.Session(model.KindVAE).Snapshot().Encode(cm.test.Matrix(3, 4).RawRowView(0))
	if vae := column(m, model.KindVAE); m.tabs.SelectedIndex() != tabExplore || floats.Distance(vae.z, want, math.Inf(1)) > 1e-5 { // batch and single-row encodes round apart
		t.Fatalf("after a click: tab %d, VAE z %v, code %v", m.tabs.SelectedIndex(), vae.z, want)
	}
}

// "Towards digit k" moves the pad's point and says what became of its
// digit; without the digit classifier (the test lab's noise data) it says
// what it needs.
func TestLatent_TowardsNeedsTheClassifier(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	m.tabs.SelectIndex(tabLatent)
	v := m.latent
	if show := v.render(); show != nil {
		show()
	}
	if len(v.analogyFrom.Options) != 11 || v.analogyFrom.Selected != readClass {
		t.Fatalf("analogy's from: %v, %q", v.analogyFrom.Options, v.analogyFrom.Selected)
	}
	v.analogyFrom.SetSelected("4")
	before := slices.Clone(column(m, model.KindVAE).z)
	v.towards(3)
	if !strings.Contains(v.action.Text, "classifier") || !slices.Equal(column(m, model.KindVAE).z, before) {
		t.Fatalf("towards 3 without a classifier: %q", v.action.Text)
	}
}

// Asking for the training digits nearest the pad's digit opens a dialog
// with them (in pixels only: the test lab's noise data has no classifier).
func TestNearest_ShowsTheTrainingDigits(t *testing.T) {
	m, w := newTestUI(t, testLab(t))
	f := m.latent.nearest
	if f.render() != nil {
		t.Fatal("neighbours shown before any was asked for")
	}
	if err := f.ask(model.KindVAE, column(m, model.KindVAE).z); err != nil {
		t.Fatal(err)
	}
	show := f.render()
	if show == nil {
		t.Fatal("no neighbours found")
	}
	show()
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("no dialog")
	}
	if err := f.ask(model.KindVAE, []float64{1, 2, 3}); err == nil {
		t.Fatal("a point of the wrong dimension: no error")
	}
}

// Latent spaces of 1 and 256 dimensions: every pad, every axis choice and
// the Latent view's pictures draw without error.
func TestExploreAndLatent_AnyDimension(t *testing.T) {
	m, _ := newTestUI(t, testLabWith(t, map[model.Kind]int{model.KindAE: 1, model.KindVAE: 256, model.KindGAN: 3}))
	for _, k := range app.Kinds {
		c := column(m, k)
		d := m.lab.Session(k).Snapshot().LatentDim()
		if c.dim != d || len(c.sliders) != d || c.pad.manifold == nil {
			t.Fatalf("%s (%d dimensions): column of %d, %d sliders, manifold %v", k, d, c.dim, len(c.sliders), c.pad.manifold != nil)
		}
		if d >= 2 {
			c.axisX.SetSelectedIndex(len(c.axisX.Options) - 1) // the last principal direction
			if show := m.explore.renderSlices(); show != nil {
				show()
			}
			if c.plane.DirX == nil {
				t.Fatalf("%s: no plane of principal directions", k)
			}
		}
		m.tabs.SelectIndex(tabLatent)
		m.latent.kind.SetSelected(modelTitle(k))
		for _, rows := range []string{"Latent axes", "Principal directions"} {
			m.latent.rowsOf.SetSelected(rows)
			show := m.latent.render()
			if show == nil {
				t.Fatalf("%s, %s: nothing drawn", k, rows)
			}
			show()
			want := min(d, traversalRows)
			if rows != "Latent axes" {
				want = min(d, padDirections)
			}
			if m.latent.shown == nil || m.latent.shown.req.kind != k || m.latent.shown.rows != want {
				t.Fatalf("%s, %s: %+v", k, rows, m.latent.shown)
			}
		}
		m.tabs.SelectIndex(tabExplore)
	}
}

// An experiment resets its model with its settings, starts it and keeps
// its explanation on the card.
func TestTrain_ExperimentResetsAndRuns(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	for _, c := range m.train.cards {
		exps := c.experimentsFor()
		if len(exps) == 0 {
			t.Fatalf("%s: no experiment", c.session.Kind())
		}
		want := exps[0].Apply(c.session.Config(), m.lab.Data.Train.Len())
		c.runExperiment(exps[0])
		cfg := c.session.Config()
		if cfg.TrainSize != want.TrainSize || cfg.LearningRate != want.LearningRate || cfg.Beta != want.Beta || cfg.Epochs != want.Epochs ||
			!c.experiment.Visible() || !strings.Contains(c.experiment.Text, exps[0].Name) {
			t.Fatalf("%s after %q: %+v, card %q", c.session.Kind(), exps[0].Name, cfg, c.experiment.Text)
		}
		if st := c.session.Status().State; st == app.Idle || st == app.Paused {
			t.Fatalf("%s: %s after the experiment started", c.session.Kind(), st)
		}
	}
}

// The progress bar and the status line show the share of the whole run.
func TestRunFraction(t *testing.T) {
	for _, c := range []struct {
		epoch, epochs, batch, batches int
		want                          float64
	}{{0, 10, 0, 100, 0}, {3, 10, 50, 100, 0.35}, {80, 80, 0, 10, 1}, {0, 0, 0, 0, 0}, {12, 10, 0, 5, 1}} {
		if got := runFraction(c.epoch, c.epochs, c.batch, c.batches); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%+v: %v", c, got)
		}
	}
}

// The charts' smoothing is TensorBoard's debiased moving average: a
// constant stays itself, and known values come out.
func TestSmooth_DebiasedMovingAverage(t *testing.T) {
	for i, v := range smooth([]float64{4, 4, 4, 4}, 0.9) {
		if math.Abs(v-4) > 1e-12 {
			t.Fatalf("a constant 4 smooths to %v at %d", v, i)
		}
	}
	// w = 0.5: m = 0.5, 1.25, 2.125 over 1 - 0.5^t = 0.5, 0.75, 0.875.
	want := []float64{1, 1.25 / 0.75, 2.125 / 0.875}
	for i, v := range smooth([]float64{1, 2, 3}, 0.5) {
		if math.Abs(v-want[i]) > 1e-12 {
			t.Fatalf("value %d: %v, want %v", i, v, want[i])
		}
	}
	if got := smooth([]float64{1, 2, 3}, 0); got[2] != 3 {
		t.Fatalf("no smoothing changed the values: %v", got)
	}
}

// Space starts every model when none trains and pauses them when one
// does; About credits the data.
func TestShortcuts_SpaceAndTabs(t *testing.T) {
	m, w := newTestUI(t, testLab(t))
	m.addShortcuts()
	space := func() { w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeySpace}) }
	space()
	for _, k := range app.Kinds {
		if st := m.lab.Session(k).Status().State; st != app.Running {
			t.Fatalf("%s: %s after space", k, st)
		}
	}
	space()
	waitUntil(t, "every model paused", func() bool {
		for _, k := range app.Kinds {
			if m.lab.Session(k).Status().State == app.Running {
				return false
			}
		}
		return true
	})
	if !strings.Contains(aboutText(), "MNIST") || !strings.Contains(aboutText(), "Creative Commons") {
		t.Fatalf("About: %q", aboutText())
	}
}

// waitUntil polls cond for up to ten seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 10 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The charts export as one picture, the card's charts one above the
// other, on any y scale.
func TestTrain_ChartsExportOnEveryScale(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	s := m.lab.Session(model.KindAE)
	for i := range 100 {
		s.History().Add(app.SeriesTrain, float64(i)/50, 500/float64(i+1))
	}
	for _, scale := range []string{yAuto, yLinear, yLog} {
		m.train.setScale(scale)
		img := m.train.chartsImage(model.KindAE)
		st := m.train.style
		if img == nil || img.Bounds().Dy() != st.height*len(chartSpecs(model.KindAE)) || img.Bounds().Dx() != st.width {
			t.Fatalf("%s: charts image %v", scale, img)
		}
	}
}

// Hovering a chart reads out the series' value at the epoch under the
// pointer: the value the history holds there, and nothing off the data.
func TestChart_HoverReadsTheSeries(t *testing.T) {
	test.NewTempApp(t)
	h := app.NewHistory()
	for i := 0; i <= 100; i++ {
		h.Add(app.SeriesTrain, float64(i)/50, 300-float64(i))
	}
	h.Add(app.SeriesValidation, 2, 190) // per epoch: far from epoch 1
	st := chartStyle{bg: color.Black, fg: color.White, grid: color.Gray{Y: 80}, width: 560, height: 350}
	img, r := renderChart(h, lossSpecs(model.KindAE)[0], st)
	if img.Bounds().Dx() != 560 || r.px1 <= r.px0 {
		t.Fatalf("readout %+v", r)
	}
	px := r.px0 + (1.0-r.x0)/(r.x1-r.x0)*(r.px1-r.px0) // epoch 1: point 50, value 250
	if got := r.at(px); !strings.Contains(got, app.SeriesTrain+" 250") || !strings.HasPrefix(got, "epoch 1.00") || strings.Contains(got, app.SeriesValidation) {
		t.Fatalf("readout at epoch 1: %q", got)
	}
	if got := r.at(r.px0 - 20); got != "" {
		t.Fatalf("left of the data: %q", got)
	}
	chart := newHoverChart(canvas.NewImageFromImage(img))
	chart.Resize(fyne.NewSize(280, 175)) // half size: pixels double
	chart.readout = r
	var said string
	chart.OnHover = func(text string) { said = text }
	chart.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(float32(px/2), 80)}})
	if !strings.Contains(said, app.SeriesTrain+" 250") {
		t.Fatalf("hovering epoch 1 at half size: %q", said)
	}
	chart.MouseOut()
	if said != "" {
		t.Fatalf("after the pointer left: %q", said)
	}
}

// A rate's slider runs on a log scale and follows its entry both ways;
// the value it sets is the one applied.
func TestSettings_LogSliderFollowsTheEntry(t *testing.T) {
	test.NewTempApp(t)
	lr := sliderScale{lo: 1e-5, hi: 10, log: true}
	if v := lr.fromSlider(0.5); math.Abs(v-0.01) > 1e-12 { // halfway between 1e-5 and 10 in decades
		t.Fatalf("halfway: %v", v)
	}
	if f := lr.toSlider(1e-3); math.Abs(f-2.0/6) > 1e-9 {
		t.Fatalf("1e-3 sits at %v", f)
	}
	wd := sliderScale{lo: 1e-6, hi: 1, log: true, zero: true}
	if wd.fromSlider(0) != 0 || wd.toSlider(0) != 0 {
		t.Fatal("weight decay's left end is not 0")
	}
	form := newSettingsForm(model.DefaultConfig(model.KindVAE))
	for i, it := range form.items {
		if it.Text != "Learning rate" {
			continue
		}
		row := it.Widget.(*fyne.Container)
		entry, slider := row.Objects[0].(*widget.Entry), row.Objects[1].(*widget.Slider)
		slider.SetValue(0.5)
		if entry.Text != "0.01" || form.fields[i].text() != "0.01" {
			t.Fatalf("slider at halfway: entry %q", entry.Text)
		}
		entry.SetText("0.0001")
		if math.Abs(slider.Value-1.0/6) > 0.001 {
			t.Fatalf("entry 1e-4: slider at %v", slider.Value)
		}
		c, err := form.config(model.DefaultConfig(model.KindVAE))
		if err != nil || c.LearningRate != 1e-4 {
			t.Fatalf("applied %v, %v", c.LearningRate, err)
		}
		return
	}
	t.Fatal("no learning rate setting")
}
