package ui

import (
	"fmt"
	"log"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"latentlab/app"
	"latentlab/assets"
	"latentlab/model"
)

// Options configure the desktop app.
type Options struct {
	DataDir  string    // IDX files to use instead of the embedded MNIST
	Paused   bool      // open without starting training
	Stats    bool      // print responsiveness figures on exit
	Launched time.Time // when the process started, for the figures
	Open     []string  // models to open at start (files, or pretrained:NAME), paused
	// HeapProfile, if set, is where a Go heap profile is written when the
	// window closes, before the models are let go (go tool pprof reads it).
	HeapProfile string
}

// appID identifies latentlab to Fyne (preferences, storage).
const appID = "org.latentlab.app"

// Run opens the desktop app and returns when its window closes, after
// every training goroutine has stopped.
func Run(opts Options) error {
	a := fyneapp.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon()))
	// Fyne reports a window it cannot create (no OpenGL) in its log and
	// goes on without one; the watch ends the app with the reason instead.
	log.SetOutput(&windowFailure{out: os.Stderr, exit: os.Exit})
	win := a.NewWindow("latentlab — AE · VAE · GAN latent explorer")
	data, err := app.LoadData(opts.DataDir, app.ValidationImages, 1)
	var dataErr error
	if err != nil && opts.DataDir != "" {
		// Keep running on the embedded digits and say why in a dialog.
		dataErr = fmt.Errorf("%w\n\nShowing the embedded MNIST instead", err)
		data, err = app.LoadData("", app.ValidationImages, 1)
	}
	if err != nil {
		return err
	}
	configs, notices := loadConfigs(a.Preferences())
	lab, err := app.NewLab(data, configs)
	if err != nil {
		// Saved settings that do not fit this data (a batch larger than
		// its training set, say) must not keep the app from opening.
		notices = append(notices, fmt.Sprintf("The saved settings do not fit this data (%v); every model starts with the defaults.", err))
		lab, err = app.NewLab(data, nil)
	}
	if err != nil {
		return err
	}
	ui := newMainUI(lab, win, a.Preferences())
	if opts.Launched.IsZero() {
		opts.Launched = time.Now()
	}
	ui.stats = newUIStats(opts.Launched)
	win.SetContent(ui.content)
	win.Resize(fyne.NewSize(1480, 960))
	b := startBridge(lab, ui.tick, ui.render)
	b.startFastLane(fyne.Do, ui.slice)
	ui.explore.onSlice = b.Kick
	trainStart := time.Now()
	if !opts.Paused {
		lab.StartAll()
	}
	for _, path := range opts.Open { // after StartAll: an opened model stays paused
		if _, err := lab.OpenModel(path); err != nil {
			notices = append(notices, fmt.Sprintf("%s did not open: %v", path, err))
		}
	}
	// Fyne's desktop driver already quits on SIGINT and SIGTERM.
	if dataErr != nil {
		showError(win, dataErr)
	}
	if len(notices) > 0 {
		text := strings.Join(notices, "\n\n")
		fmt.Fprintln(os.Stderr, "latentlab app: "+strings.ReplaceAll(text, "\n\n", "\nlatentlab app: "))
		dialog.ShowInformation("Notices", text, win)
	}
	win.ShowAndRun()
	open := time.Since(trainStart).Seconds()
	if opts.HeapProfile != "" {
		if err := writeHeapProfile(opts.HeapProfile); err != nil {
			fmt.Fprintf(os.Stderr, "latentlab app: %v\n", err)
		}
	}
	b.Stop()
	ui.latent.codes.stop()
	lab.Close()
	if opts.Stats {
		ui.stats.report(os.Stderr)
		// The models train in turn, so each one's rate is over the whole time
		// the window was open, not over its own steps.
		for _, k := range app.Kinds {
			p := lab.Session(k).Status().Progress
			fmt.Fprintf(os.Stderr, "latentlab: %s trained %d images in %.1fs while the window was open: %.0f images/s (%.1fs in its own steps)\n",
				k, p.Samples, open, float64(p.Samples)/max(open, 1e-9), p.TrainSeconds)
		}
	}
	return nil
}

// mainUI is the window's content: the three views in tabs.
type mainUI struct {
	lab     *app.Lab
	win     fyne.Window
	explore *exploreView
	train   *trainView
	compare *compareView
	draw    *drawView
	latent  *latentView
	tabs    *container.AppTabs
	content fyne.CanvasObject
	stats   *uiStats
	visible atomic.Int32 // index of the tab on screen, read by the renderer
	lastBG  atomic.Int64 // unix nanoseconds of the last pad background render
}

// Tab indices.
const (
	tabExplore = iota
	tabTrain
	tabCompare
	tabDraw
	tabLatent
)

func newMainUI(lab *app.Lab, win fyne.Window, prefs fyne.Preferences) *mainUI {
	m := &mainUI{lab: lab, win: win}
	m.explore = newExploreView(lab)
	m.explore.onDrag = func(d time.Duration) {
		if m.stats != nil {
			m.stats.drag(d)
		}
	}
	m.train = newTrainView(lab, win, prefs)
	m.compare = newCompareView(lab, win)
	m.draw = newDrawView(lab, win, m.explore)
	m.latent = newLatentView(lab, win, m.explore)
	m.latent.onPick = func(kind model.Kind, axis int) {
		m.explore.pickAxis(kind, axis)
		m.tabs.SelectIndex(tabExplore)
	}
	m.latent.codes.onJump = func(kind model.Kind, z []float64) {
		if c := m.explore.column(kind); c != nil && len(z) == c.dim {
			m.explore.setZ(c, z)
			m.tabs.SelectIndex(tabExplore)
		}
	}
	m.explore.onPick = func(i int) { // a right click on a test digit's dot: see it in Draw
		m.draw.loadTestDigit(m.explore.dots, i)
		m.tabs.SelectIndex(tabDraw)
	}
	m.explore.onSliced = func() {
		if m.stats != nil {
			m.stats.sliced()
		}
	}
	m.draw.onEncode = func(d time.Duration) {
		if m.stats != nil {
			m.stats.encode(d)
		}
	}
	// Each view scrolls when the window is smaller than it (a 1366x768 or
	// 1280x800 laptop screen): the views need about 1500x900, and without
	// the scroll that would be the window's minimum size, taller and wider
	// than such a screen.
	m.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Explore", theme.SearchIcon(), container.NewScroll(m.explore.content)),
		container.NewTabItemWithIcon("Train", theme.ComputerIcon(), container.NewScroll(m.train.content)),
		container.NewTabItemWithIcon("Compare", theme.GridIcon(), container.NewScroll(m.compare.content)),
		container.NewTabItemWithIcon("Draw", theme.DocumentCreateIcon(), container.NewScroll(m.draw.content)),
		container.NewTabItemWithIcon("Latent", theme.ListIcon(), container.NewScroll(m.latent.content)),
	)
	m.tabs.OnSelected = func(*container.TabItem) {
		m.visible.Store(int32(m.tabs.SelectedIndex()))
		m.explore.setHidden(m.tabs.SelectedIndex() != tabExplore)
		m.tickVisible() // catch up with what happened behind another tab
		if m.tabs.SelectedIndex() == tabLatent {
			m.latent.changed() // the pad's point may have moved
		}
		if m.tabs.SelectedIndex() == tabCompare {
			m.compare.requestRefresh()
		}
	}
	footer := widget.NewLabel(fmt.Sprintf("%d training · %d validation · %d test images", lab.Data.Train.Len(), valLen(lab.Data), lab.Data.Test.Len()))
	m.content = container.NewBorder(nil, footer, nil, nil, m.tabs)
	win.SetMainMenu(m.menu())
	win.SetOnDropped(m.dropped)
	m.addShortcuts()
	return m
}

func valLen(d *app.Data) int {
	if d.Val == nil {
		return 0
	}
	return d.Val.Len()
}

// tick runs on the UI goroutine after training news.
//
// Only the view that shows is brought up to date (a hidden one catches up
// when its tab is chosen): labels and bars refreshed behind another tab
// still lay out and shape their text on the UI goroutine.
func (m *mainUI) tick() {
	m.tickVisible()
	if m.visible.Load() != tabExplore {
		m.explore.followShape() // the other views set points on the pads
	}
	if m.stats != nil && m.lab.Session(app.Kinds[0]).Status().Progress.Step > 0 {
		m.stats.progressShown()
	}
}

// tickVisible brings the view that shows up to date with the training.
func (m *mainUI) tickVisible() {
	switch m.visible.Load() {
	case tabExplore:
		m.explore.tick()
	case tabTrain:
		m.train.tick()
	}
}

// padRenderEvery spaces the pads' manifold and dot renders: each costs an
// encoding of the test digits, taken from the training's CPU time.
const padRenderEvery = 1200 * time.Millisecond

// slice is the fast lane's work: the Explore pads' slices through their
// points, when Explore shows.
func (m *mainUI) slice() func() {
	if m.visible.Load() != tabExplore {
		return nil
	}
	return m.explore.renderSlices()
}

// render draws what the visible view needs, off the UI goroutine.
func (m *mainUI) render() func() {
	var apply []func()
	switch m.visible.Load() {
	case tabExplore:
		if time.Since(time.Unix(0, m.lastBG.Load())) >= padRenderEvery {
			m.lastBG.Store(time.Now().UnixNano())
			if f := m.explore.renderBackgrounds(); f != nil {
				apply = append(apply, f)
			}
		}
	case tabTrain:
		if f := m.train.renderCharts(); f != nil {
			apply = append(apply, f)
		}
	case tabCompare:
		if f := m.compare.render(); f != nil {
			apply = append(apply, f)
		}
	case tabDraw:
		if f := m.draw.render(); f != nil {
			apply = append(apply, f)
		}
	case tabLatent:
		if f := m.latent.render(); f != nil {
			apply = append(apply, f)
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
