package ui

import (
	"fmt"
	"image"
	"image/draw"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"latentlab/app"
	"latentlab/model"
)

// chartSize is the pixel size charts are drawn at (they scale to fit).
var chartSize = fyne.NewSize(560, 700) // a card's charts together: 560x350 each for two, 560x233 for three

// trainView shows per model its loss charts, progress, controls and
// settings.
type trainView struct {
	lab     *app.Lab
	win     fyne.Window
	prefs   fyne.Preferences
	cards   []*trainCard
	content fyne.CanvasObject

	mu    sync.Mutex // guards style, read by the chart renderer
	style chartStyle
}

// trainCard is one model's column of the Train view.
type trainCard struct {
	view       *trainView
	session    *app.Session
	charts     []*canvas.Image
	hovers     []*hoverChart // the charts, reading out the values under the pointer
	readout    *widget.Label // the values under the pointer
	specs      []chartSpec
	progress   *widget.ProgressBar
	status     *widget.Label
	message    *widget.Label
	alarm      *widget.Label
	experiment *widget.Label // the running experiment's explanation, hidden without one
	startBtn   *widget.Button

	mu       sync.Mutex // guards drawnAt, shared with the renderer
	drawnAt  float64    // newest x the charts were drawn with
	drawnFor *app.History
}

func newTrainView(lab *app.Lab, win fyne.Window, prefs fyne.Preferences) *trainView {
	v := &trainView{lab: lab, win: win, prefs: prefs}
	v.updateStyle()
	var cols []fyne.CanvasObject
	for _, k := range app.Kinds {
		c := v.newCard(lab.Session(k))
		v.cards = append(v.cards, c)
		cols = append(cols, c.content())
	}
	startAll := widget.NewButtonWithIcon("Start all", theme.MediaPlayIcon(), func() { lab.StartAll(); v.tick() })
	pauseAll := widget.NewButtonWithIcon("Pause all", theme.MediaPauseIcon(), func() { go lab.PauseAll() })
	resetAll := widget.NewButtonWithIcon("Reset all", theme.MediaReplayIcon(), func() {
		for _, k := range app.Kinds {
			if err := lab.Session(k).Reset(lab.Session(k).Config()); err != nil {
				showError(win, err)
			}
		}
		v.tick()
	})
	hint := widget.NewLabel("Losses per image, in nats; dashed: validation; dotted: earlier runs.")
	smoothing := widget.NewSlider(0, 0.99)
	smoothing.Step = 0.01
	smoothing.OnChanged = v.setSmoothing
	smoothing.SetValue(defaultSmoothing)
	smoothingBox := container.NewGridWrap(fyne.NewSize(160, smoothing.MinSize().Height), smoothing)
	clearRuns := widget.NewButtonWithIcon("Clear earlier runs", theme.ContentClearIcon(), func() {
		for _, c := range v.cards {
			c.session.ClearKeptRuns()
		}
		v.redraw()
	})
	scale := widget.NewSelect([]string{yAuto, yLinear, yLog}, v.setScale)
	scale.SetSelected(yAuto)
	bar := container.NewHBox(startAll, pauseAll, resetAll, clearRuns, widget.NewLabel("Smoothing"), smoothingBox, widget.NewLabel("y:"), scale, hint)
	v.content = container.NewBorder(bar, nil, nil, nil, container.NewGridWithColumns(3, cols...))
	return v
}

// defaultSmoothing is the charts' moving-average weight at first,
// TensorBoard's default.
const defaultSmoothing = 0.6

// setSmoothing sets the weight of the moving average the per-step series
// are drawn with (the raw values faint behind), and has every chart
// drawn again.
func (v *trainView) setSmoothing(w float64) {
	v.mu.Lock()
	v.style.smoothing = w
	v.mu.Unlock()
	v.redraw()
}

// setScale sets the charts' y axis (yAuto: each chart's own) and has every
// chart drawn again.
func (v *trainView) setScale(scale string) {
	if scale == yAuto {
		scale = ""
	}
	v.mu.Lock()
	v.style.scale = scale
	v.mu.Unlock()
	v.redraw()
}

// redraw has every card's charts drawn again at the next render.
func (v *trainView) redraw() {
	for _, c := range v.cards {
		c.mu.Lock()
		c.drawnFor = nil
		c.mu.Unlock()
	}
}

// chartsImage draws the charts of kind's card one above the other, as
// they show, for export.
func (v *trainView) chartsImage(k model.Kind) image.Image {
	v.mu.Lock()
	st := v.style
	v.mu.Unlock()
	for _, c := range v.cards {
		if c.session.Kind() != k {
			continue
		}
		h, kept := c.session.History(), c.session.KeptRuns()
		out := image.NewRGBA(image.Rect(0, 0, st.width, st.height*len(c.specs)))
		for i, spec := range c.specs {
			img, _ := renderChart(h, spec, st, kept...)
			draw.Draw(out, img.Bounds().Add(image.Pt(0, i*st.height)), img, img.Bounds().Min, draw.Src)
		}
		return out
	}
	return nil
}

// updateStyle reads the theme's colours for the chart renderer.
func (v *trainView) updateStyle() {
	th := fyne.CurrentApp().Settings().Theme()
	variant := fyne.CurrentApp().Settings().ThemeVariant()
	v.mu.Lock()
	v.style = chartStyle{bg: th.Color(theme.ColorNameBackground, variant), fg: th.Color(theme.ColorNameForeground, variant),
		grid: th.Color(theme.ColorNameSeparator, variant), width: int(chartSize.Width), height: int(chartSize.Height), smoothing: v.style.smoothing}
	v.mu.Unlock()
}

// qualitySpec charts the sample quality measured after each epoch.
var qualitySpec = chartSpec{title: "Samples: Fréchet distance to test digits (lower is better)", ylabel: "FD", logY: true,
	series: []string{app.SeriesFrechet, app.SeriesFrechetMixture}}

func chartSpecs(k model.Kind) []chartSpec {
	return append(lossSpecs(k), qualitySpec)
}

func lossSpecs(k model.Kind) []chartSpec {
	switch k {
	case model.KindVAE:
		return []chartSpec{{title: "VAE: loss = reconstruction + β·KL", ylabel: "nats per image", logY: true,
			series: []string{app.SeriesTrain, app.SeriesRecon, app.SeriesKL, app.SeriesValidation}}}
	case model.KindGAN:
		return []chartSpec{
			{title: "GAN: losses", ylabel: "nats", series: []string{app.SeriesDLoss, app.SeriesGLoss}},
			{title: "GAN: discriminator outputs", ylabel: "probability", series: []string{app.SeriesDReal, app.SeriesDFake}},
		}
	}
	return []chartSpec{{title: "AE: reconstruction loss", ylabel: "nats per image", logY: true,
		series: []string{app.SeriesTrain, app.SeriesValidation}}}
}

func (v *trainView) newCard(s *app.Session) *trainCard {
	c := &trainCard{view: v, session: s, specs: chartSpecs(s.Kind())}
	for range c.specs {
		img := canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 1, 1)))
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSize(chartSize.Width*0.6, chartSize.Height*0.3/float32(len(c.specs))))
		c.charts = append(c.charts, img)
		hc := newHoverChart(img)
		hc.OnHover = func(text string) { c.readout.SetText(text) }
		c.hovers = append(c.hovers, hc)
	}
	c.readout = widget.NewLabel("")
	c.readout.Truncation = fyne.TextTruncateEllipsis
	c.progress = widget.NewProgressBar()
	c.status = widget.NewLabel("")
	c.status.Wrapping = fyne.TextWrapWord
	c.message = widget.NewLabel("")
	c.message.Wrapping = fyne.TextWrapWord
	c.message.Importance = widget.WarningImportance
	c.alarm = widget.NewLabel("")
	c.alarm.Wrapping = fyne.TextWrapWord
	c.alarm.Importance = widget.DangerImportance
	c.alarm.TextStyle = fyne.TextStyle{Bold: true}
	c.alarm.Hide()
	c.experiment = widget.NewLabel("")
	c.experiment.Wrapping = fyne.TextWrapWord
	c.experiment.Hide()
	c.startBtn = widget.NewButtonWithIcon("Start", theme.MediaPlayIcon(), c.toggle)
	return c
}

func (c *trainCard) content() fyne.CanvasObject {
	s := c.session
	title := widget.NewLabelWithStyle(modelTitle(s.Kind()), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	reset := widget.NewButtonWithIcon("Reset", theme.MediaReplayIcon(), func() {
		if err := s.Reset(s.Config()); err != nil {
			showError(c.view.win, err)
		}
		c.experiment.Hide()
		c.view.tick()
	})
	settings := widget.NewButtonWithIcon("Settings…", theme.SettingsIcon(), func() { c.view.showSettings(s) })
	save := widget.NewButtonWithIcon("Save…", theme.DocumentSaveIcon(), func() { saveCheckpoint(c.view.win, s) })
	load := widget.NewButtonWithIcon("Load…", theme.FolderOpenIcon(), func() { loadCheckpoint(c.view.win, s, c.view.tick) })
	experiments := widget.NewButtonWithIcon("Experiments…", theme.InfoIcon(), c.showExperiments)
	if len(c.experimentsFor()) == 0 {
		experiments.Disable()
	}
	buttons := container.NewGridWithColumns(3, c.startBtn, reset, settings, save, load, experiments)
	charts := container.NewGridWithRows(len(c.hovers))
	for _, ch := range c.hovers {
		charts.Add(ch)
	}
	return container.NewBorder(container.NewVBox(title, c.progress, c.status, c.alarm), container.NewVBox(c.readout, c.experiment, c.message, buttons), nil, nil, charts)
}

// toggle starts or pauses training.
func (c *trainCard) toggle() {
	if c.session.Status().State == app.Running {
		// Pausing waits for the current step; keep the UI goroutine free.
		go c.session.Pause()
		return
	}
	c.session.Start()
	c.view.tick()
}

// runFraction is how much of a run of epochs epochs is done after epoch
// whole epochs and batch of the next one's batches: the one share the
// progress bar and the status line show.
func runFraction(epoch, epochs, batch, batches int) float64 {
	if epochs <= 0 {
		return 0
	}
	f := float64(epoch)
	if batches > 0 {
		f += float64(batch) / float64(batches)
	}
	return min(1, f/float64(epochs))
}

// tick refreshes progress and status; on the UI goroutine.
func (v *trainView) tick() {
	for _, c := range v.cards {
		c.tick()
	}
}

func (c *trainCard) tick() {
	st := c.session.Status()
	p := st.Progress
	c.progress.SetValue(runFraction(p.Epoch, p.Epochs, p.Batch, p.Batches))
	frac := c.progress.Value
	line := fmt.Sprintf("%s · epoch %d of %d (%d%%) · step %d", st.State, p.Epoch, p.Epochs, int(frac*100), p.Step) // whole percent, as the bar shows it
	if st.State == app.Running && p.LastEvent.SamplesPerSec > 0 {
		line += fmt.Sprintf(" · %.0f img/s · ETA %s", p.LastEvent.SamplesPerSec, st.ETA.Round(time.Second))
	}
	if p.BestValLoss > 0 && p.BestValLoss < 1e300 {
		line += fmt.Sprintf(" · best validation %.2f", p.BestValLoss)
	}
	c.status.SetText(line)
	msg := st.Message
	if st.Err != nil {
		msg = "Stopped: " + st.Err.Error() + ". Reset to start over from the seed."
	}
	if msg != c.message.Text {
		c.message.SetText(msg)
	}
	if st.Alarm != c.alarm.Text {
		c.alarm.SetText(st.Alarm)
		if st.Alarm == "" {
			c.alarm.Hide()
		} else {
			c.alarm.Show()
		}
	}
	if q := st.Quality; q != nil {
		line += fmt.Sprintf(" · samples: FD %.1f, %d classes", q.Frechet, q.Covered)
		if _, active, ok := c.session.History().Last(app.SeriesActive); ok {
			line += fmt.Sprintf(", %.0f active dims", active)
		}
		c.status.SetText(line)
	}
	if st.State == app.Running {
		c.startBtn.SetText("Pause")
		c.startBtn.SetIcon(theme.MediaPauseIcon())
	} else {
		label := "Start"
		if st.State == app.Paused {
			label = "Resume"
		}
		c.startBtn.SetText(label)
		c.startBtn.SetIcon(theme.MediaPlayIcon())
	}
	if st.State == app.Finished || st.State == app.Failed {
		c.startBtn.Disable()
	} else {
		c.startBtn.Enable()
	}
}

// renderCharts draws the charts whose history moved, off the UI goroutine,
// and returns the function that shows them.
func (v *trainView) renderCharts() func() {
	v.mu.Lock()
	st := v.style
	v.mu.Unlock()
	var apply []func()
	for _, c := range v.cards {
		h := c.session.History()
		kept := c.session.KeptRuns()
		x, _, ok := h.Last(c.specs[0].series[0])
		if !ok {
			x = -1
		}
		c.mu.Lock()
		same := c.drawnFor == h && c.drawnAt == x
		c.mu.Unlock()
		if same {
			continue
		}
		imgs := make([]image.Image, len(c.specs))
		readouts := make([]chartReadout, len(c.specs))
		for i, spec := range c.specs {
			cst := st
			cst.height = st.height / len(c.specs)
			imgs[i], readouts[i] = renderChart(h, spec, cst, kept...)
		}
		c.mu.Lock()
		c.drawnFor, c.drawnAt = h, x
		c.mu.Unlock()
		apply = append(apply, func() {
			for i, img := range imgs {
				c.charts[i].Image = img
				c.charts[i].Refresh()
				c.hovers[i].readout = readouts[i]
			}
		})
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
