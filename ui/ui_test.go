package ui

import (
	"bytes"
	"fmt"
	"image"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"go.uber.org/goleak"

	"latentlab/app"
	"latentlab/assets"
	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
)

// testLab returns a lab of small models on a small synthetic data set of
// 28x28 images; training is not started.
func testLab(t *testing.T) *app.Lab {
	t.Helper()
	return testLabWith(t, nil)
}

// testLabWith is testLab with the latent dimension of some models set.
func testLabWith(t *testing.T, latent map[model.Kind]int) *app.Lab {
	t.Helper()
	mk := func(n, seed int) *dataset.Set {
		s := &dataset.Set{Rows: 28, Cols: 28, Pixels: make([]uint8, n*784), Labels: make([]uint8, n)}
		for i := range s.Pixels {
			s.Pixels[i] = uint8((i*7 + seed) % 13 * 21)
		}
		for i := range s.Labels {
			s.Labels[i] = uint8(i % 10)
		}
		return s
	}
	cfgs := map[model.Kind]model.Config{}
	for _, k := range app.Kinds {
		c := model.DefaultConfig(k)
		c.Hidden = []int{16}
		if k == model.KindGAN {
			c.Hidden = []int{16, 16}
		}
		c.BatchSize = 16
		c.Epochs = 1000
		if d, ok := latent[k]; ok {
			c.LatentDim = d
		}
		cfgs[k] = c
	}
	train, test := mk(120, 1), mk(60, 3)
	src := dataset.Source{Name: "noise digits", SHA256: dataset.Digest(train, test), Rows: 28, Cols: 28}
	lab, err := app.NewLab(&app.Data{Train: train, Val: mk(20, 2), Test: test, Source: src}, cfgs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lab.Close)
	return lab
}

// newTestUI builds the whole window content in a test window.
func newTestUI(t *testing.T, lab *app.Lab) (*mainUI, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	m := newMainUI(lab, w, nil)
	w.SetContent(m.content)
	w.Resize(fyne.NewSize(1400, 950))
	// Draw the pads' backgrounds once, as the renderer would.
	if f := m.explore.renderBackgrounds(); f != nil {
		f()
	}
	return m, w
}

// pixelsOf returns the grey levels of a picture made by grayImage or
// opaqueRGBA (or of an *image.Gray), row by row; nil for other pictures.
func pixelsOf(img image.Image) []byte {
	switch g := img.(type) {
	case *image.Gray:
		b := g.Bounds()
		out := make([]uint8, 0, b.Dx()*b.Dy())
		for y := b.Min.Y; y < b.Max.Y; y++ {
			out = append(out, g.Pix[g.PixOffset(b.Min.X, y):][:b.Dx()]...)
		}
		return out
	case *image.RGBA:
		b := g.Bounds()
		out := make([]uint8, 0, b.Dx()*b.Dy())
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := g.Pix[g.PixOffset(b.Min.X, y):][:4*b.Dx()]
			for x := 0; x < b.Dx(); x++ {
				out = append(out, row[4*x])
			}
		}
		return out
	}
	return nil
}

func column(m *mainUI, k model.Kind) *padColumn {
	for _, c := range m.explore.columns {
		if c.kind == k {
			return c
		}
	}
	return nil
}

// dragPad drags across pad from fractions (fu, fv) by (du, dv) in five
// events, as the desktop driver reports a drag: each event carries the
// pointer's current position and the delta since the last one.
func dragPad(pad *LatentPad, fu, fv, du, dv float32) {
	size := pad.Size()
	at := func(f float32) fyne.Position {
		return fyne.NewPos((fu+f*du)*size.Width, (1-(fv+f*dv))*size.Height)
	}
	prev := at(0)
	for i := 1; i <= 5; i++ {
		pos := at(float32(i) / 5)
		pad.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: pos}, Dragged: fyne.NewDelta(pos.X-prev.X, pos.Y-prev.Y)})
		prev = pos
	}
	pad.DragEnd()
}

func TestExplore_DragChangesDecodedDigitAndReadout(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	c := column(m, model.KindVAE)
	img0, text0 := pixelsOf(c.digit.Image), c.readout.Text
	dragPad(c.pad, 0.5, 0.5, 0.3, 0.2)
	u, v := c.pad.Point()
	if u < 0.75 || v < 0.65 {
		t.Fatalf("crosshair at (%.2f, %.2f) after dragging to about (0.8, 0.7)", u, v)
	}
	if bytes.Equal(img0, pixelsOf(c.digit.Image)) {
		t.Fatal("the decoded digit did not change")
	}
	if c.readout.Text == text0 {
		t.Fatalf("the z readout did not change: %q", c.readout.Text)
	}
	// The readout says the z the crosshair is at.
	if c.z[0] <= 0 || c.z[1] <= 0 {
		t.Fatalf("z = %v after dragging up and right of the centre", c.z)
	}
}

func TestExplore_SliderMovesCrosshairAndDigit(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	c := column(m, model.KindGAN)
	img0 := pixelsOf(c.digit.Image)
	u0, _ := c.pad.Point()
	c.sliders[0].SetValue(2)
	u, _ := c.pad.Point()
	if u <= u0 {
		t.Fatalf("crosshair u %.2f -> %.2f after moving slider z0 to 2", u0, u)
	}
	if bytes.Equal(img0, pixelsOf(c.digit.Image)) {
		t.Fatal("the decoded digit did not change")
	}
}

func TestExplore_LinkedModeDrivesAllThreePads(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	vae, gan, ae := column(m, model.KindVAE), column(m, model.KindGAN), column(m, model.KindAE)
	ganImg := pixelsOf(gan.digit.Image)
	dragPad(vae.pad, 0.5, 0.5, -0.3, 0.1)
	for _, c := range []*padColumn{gan, ae} {
		if c.z[0] != vae.z[0] || c.z[1] != vae.z[1] {
			t.Fatalf("%s z = %v, VAE z = %v in linked mode", c.kind, c.z, vae.z)
		}
	}
	if bytes.Equal(ganImg, pixelsOf(gan.digit.Image)) {
		t.Fatal("the GAN digit did not change with the linked point")
	}
	// Unlinked, the others stay where they are.
	m.explore.linked.SetChecked(false)
	before := slices.Clone(gan.z)
	dragPad(vae.pad, 0.5, 0.5, 0.2, -0.2)
	if gan.z[0] != before[0] || gan.z[1] != before[1] {
		t.Fatalf("unlinked GAN z moved from %v to %v", before, gan.z)
	}
}

func TestTrain_BadSettingsShowErrorAndChangeNothing(t *testing.T) {
	lab := testLab(t)
	m, _ := newTestUI(t, lab)
	s := lab.Session(model.KindVAE)
	before := s.Config()
	for _, bad := range []string{"abc", "-1", "NaN", "1e9"} {
		form := newSettingsForm(before)
		for i, it := range form.items {
			if it.Text == "Learning rate" {
				form.fields[i].put(bad)
			}
		}
		if err := m.train.applySettings(s, form); err == nil {
			t.Errorf("learning rate %q accepted", bad)
		}
		if s.Config().LearningRate != before.LearningRate {
			t.Fatalf("learning rate changed to %v by %q", s.Config().LearningRate, bad)
		}
	}
	// A good value that needs no new graph applies at once.
	form := newSettingsForm(before)
	for i, it := range form.items {
		if it.Text == "Learning rate" {
			form.fields[i].put("0.002")
		}
	}
	if err := m.train.applySettings(s, form); err != nil {
		t.Fatal(err)
	}
	if got := s.Config().LearningRate; got != 0.002 {
		t.Fatalf("learning rate %v after applying 0.002", got)
	}
}

func TestTrain_ChartsDrawWhileTraining(t *testing.T) {
	lab := testLab(t)
	m, _ := newTestUI(t, lab)
	lab.StartAll()
	deadline := time.Now().Add(20 * time.Second)
	for lab.Session(model.KindGAN).Status().Progress.Step < 10 {
		if time.Now().After(deadline) {
			t.Fatal("no training progress")
		}
		time.Sleep(10 * time.Millisecond)
	}
	f := m.train.renderCharts()
	if f == nil {
		t.Fatal("no charts to draw after training steps")
	}
	f()
	for _, card := range m.train.cards {
		for _, ch := range card.charts {
			if b := ch.Image.Bounds(); b.Dx() < 100 || b.Dy() < 50 {
				t.Fatalf("%s chart is %v", card.session.Kind(), b)
			}
		}
	}
	lab.PauseAll()
}

func TestBridge_StopsItsGoroutinesWithTheLab(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	lab := testLab(t)
	m, _ := newTestUI(t, lab)
	b := startBridge(lab, m.tick, m.render)
	lab.StartAll()
	time.Sleep(300 * time.Millisecond)
	b.Stop()
	lab.Close()
}

// Pictures reach the screen with the frames even while the Lab sends no
// updates, and the renderer draws no new ones before the last were shown.
func TestBridge_ShowsPicturesWithFramesWithoutPilingUp(t *testing.T) {
	test.NewTempApp(t)
	lab := testLab(t)
	var rendered, shown, updates atomic.Int32
	piled := make(chan struct{}, 1)
	b := startBridge(lab, func() { updates.Add(1) }, func() func() {
		if rendered.Load() != shown.Load() {
			select {
			case piled <- struct{}{}:
			default:
			}
		}
		rendered.Add(1)
		return func() { shown.Add(1) }
	})
	defer b.Stop()
	deadline := time.Now().Add(10 * time.Second)
	for shown.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d pictures rendered, %d shown after 10 s", rendered.Load(), shown.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case <-piled:
		t.Error("the renderer drew again before its last pictures were shown")
	default:
	}
	if updates.Load() == 0 {
		t.Error("no status update ran")
	}
}

// While the Lab keeps changing, each picture reaches the screen in the
// same UI call as a status update, never in a repaint of its own.
func TestBridge_PicturesRideWithStatusUpdates(t *testing.T) {
	updates := make(chan struct{}, 1)
	var mu sync.Mutex
	var inUpdate bool
	var together, alone int
	do := func(f func()) { // runs f at once, as the UI goroutine would
		mu.Lock()
		defer mu.Unlock()
		inUpdate = false
		f()
	}
	var shown atomic.Int32
	b := startBridgeOn(do, updates, func() { inUpdate = true }, func() func() {
		return func() {
			if inUpdate {
				together++
			} else {
				alone++
			}
			shown.Add(1)
		}
	})
	stop := make(chan struct{})
	go func() { // a Lab that changes all the time
		for {
			select {
			case <-stop:
				return
			case updates <- struct{}{}:
			default:
			}
			time.Sleep(time.Millisecond)
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for shown.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	b.Stop()
	close(stop)
	mu.Lock()
	defer mu.Unlock()
	if together < 3 || alone > 0 {
		t.Errorf("%d pictures shown with a status update, %d alone; want at least 3, and none alone", together, alone)
	}
}

func TestLatentPad_TestDragReachesThePad(t *testing.T) {
	test.NewTempApp(t)
	pad := NewLatentPad()
	var got [2]float64
	pad.OnChanged = func(u, v float64) { got = [2]float64{u, v} }
	w := test.NewTempWindow(t, pad)
	w.Resize(fyne.NewSize(300, 300))
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(pad)
	test.Drag(w.Canvas(), pos.Add(fyne.NewPos(pad.Size().Width*0.25, pad.Size().Height*0.25)), 5, 5)
	if got[0] < 0.2 || got[0] > 0.3 || got[1] < 0.7 || got[1] > 0.8 {
		t.Fatalf("OnChanged(%.2f, %.2f), want about (0.25, 0.75)", got[0], got[1])
	}
	test.TapAt(pad, fyne.NewPos(pad.Size().Width*0.9, pad.Size().Height*0.9))
	if u, v := pad.Point(); u < 0.85 || v > 0.15 {
		t.Fatalf("tap moved the point to (%.2f, %.2f), want about (0.9, 0.1)", u, v)
	}
}

func TestTrain_StartButtonPausesAndResumes(t *testing.T) {
	lab := testLab(t)
	m, _ := newTestUI(t, lab)
	card := m.train.cards[1] // VAE
	s := card.session
	m.tabs.SelectIndex(tabTrain)
	test.Tap(card.startBtn)
	waitSteps := func(min int64) {
		deadline := time.Now().Add(20 * time.Second)
		for s.Status().Progress.Step < min {
			if time.Now().After(deadline) {
				t.Fatalf("step %d, waiting for %d", s.Status().Progress.Step, min)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitSteps(5)
	m.tick()
	if card.startBtn.Text != "Pause" {
		t.Fatalf("button says %q while training", card.startBtn.Text)
	}
	test.Tap(card.startBtn) // pause
	deadline := time.Now().Add(10 * time.Second)
	for s.Status().State != app.Paused {
		if time.Now().After(deadline) {
			t.Fatal("did not pause")
		}
		time.Sleep(5 * time.Millisecond)
	}
	m.tick()
	if card.startBtn.Text != "Resume" {
		t.Fatalf("button says %q when paused", card.startBtn.Text)
	}
	paused := s.Status().Progress.Step
	time.Sleep(100 * time.Millisecond)
	if s.Status().Progress.Step != paused {
		t.Fatal("steps went on while paused")
	}
	test.Tap(card.startBtn) // resume
	waitSteps(paused + 5)
	lab.PauseAll()
}

func TestCompare_DrawsEveryPicture(t *testing.T) {
	lab := testLab(t)
	m, _ := newTestUI(t, lab)
	m.compare.requestRefresh()
	apply := m.compare.render()
	if apply == nil {
		t.Fatal("nothing drawn on request")
	}
	apply()
	for _, name := range []string{"ae-manifold", "vae-manifold", "gan-manifold", "reconstructions", "ae-samples", "vae-samples", "gan-samples", "interpolation"} {
		img := m.compare.images[name]
		if img == nil || img.Bounds().Dx() < 28 {
			t.Errorf("picture %s missing", name)
		}
	}
	table := m.compare.render() // the metrics come second
	if table == nil {
		t.Fatal("no metrics table after the pictures")
	}
	table()
	// Noise is not MNIST: the shipped classifier's figures would mean
	// nothing there, and the table says so.
	if !strings.Contains(m.compare.metrics.Text, "VAE") || !strings.Contains(m.compare.metrics.Text, "not measured") ||
		!strings.Contains(m.compare.metrics.Text, "noise digits") {
		t.Errorf("metrics table: %q", m.compare.metrics.Text)
	}
	if m.compare.render() != nil {
		t.Error("redrawn with nothing changed")
	}
}

// Switched to the code mixture, the AE's and VAE's samples change and the
// GAN's, which has no codes, do not; the mixture is fitted once per
// snapshot, not at every redraw.
func TestCompare_SamplesFromTheCodeMixture(t *testing.T) {
	lab := testLab(t)
	m, _ := newTestUI(t, lab)
	draw := func() map[string]image.Image {
		t.Helper()
		m.compare.requestRefresh()
		apply := m.compare.render()
		if apply == nil {
			t.Fatal("nothing drawn on request")
		}
		apply()
		m.compare.render() // the metrics table
		return maps.Clone(m.compare.images)
	}
	prior := draw()
	m.compare.mu.Lock()
	m.compare.fromMixture = true
	m.compare.mu.Unlock()
	mixed := draw()
	for _, name := range []string{"ae-samples", "vae-samples", "gan-samples"} {
		same := samePixels(prior[name], mixed[name])
		if want := name == "gan-samples"; same != want {
			t.Errorf("%s: unchanged by the mixture = %v, want %v", name, same, want)
		}
	}
	if len(m.compare.mixtures) != 2 {
		t.Fatalf("%d mixtures kept, want the AE's and the VAE's", len(m.compare.mixtures))
	}
	fitted := maps.Clone(m.compare.mixtures)
	again := draw()
	if !samePixels(mixed["vae-samples"], again["vae-samples"]) {
		t.Error("the same snapshot and seed drew other samples")
	}
	for s, mix := range m.compare.mixtures {
		if fitted[s] != mix {
			t.Errorf("the %s's mixture was fitted again for the same snapshot", s.Kind())
		}
	}
}

// On MNIST the quality table measures every model's samples, the AE's and
// VAE's code mixtures' and real digits with the shipped classifier; the
// GAN has no codes and no mixture row.
func TestQualityText_MeasuresOnMNIST(t *testing.T) {
	lab := testLab(t)
	m, err := dataset.Load(assets.MNIST())
	if err != nil {
		t.Fatal(err)
	}
	mon, err := app.NewMonitor(m.Test, m.Source)
	if err != nil {
		t.Fatal(err)
	}
	var snaps []*infer.Snapshot
	for _, k := range app.Kinds {
		snaps = append(snaps, lab.Session(k).Snapshot())
	}
	text := qualityText(mon, nil, snaps, &app.Data{Train: m.Train.Head(2000), Test: m.Test, Source: m.Source}, codeMixtures{})
	for _, want := range []string{"AE", "VAE", "GAN", "real", "AE mix", "VAE mix"} {
		if !strings.Contains(text, want) {
			t.Errorf("quality table lacks %q: %q", want, text)
		}
	}
	if strings.Contains(text, "GAN mix") {
		t.Errorf("the GAN has a code mixture row: %q", text)
	}
}

// The architecture is a setting: conv with the sizes left as they were
// takes conv's own channels; a wrong name is refused.
func TestSettings_ArchitectureChoosesItsDefaults(t *testing.T) {
	base := model.DefaultConfig(model.KindGAN)
	set := func(text string) (model.Config, error) {
		form := newSettingsForm(base)
		for i, it := range form.items {
			if it.Text == "Architecture" {
				form.fields[i].put(text)
			}
		}
		return form.config(base)
	}
	c, err := set("conv")
	if err != nil || c.Arch != model.ArchConv || !slices.Equal(c.Hidden, []int{64, 128}) || c.Dropout != 0 {
		t.Fatalf("conv: %+v, %v; want DCGAN's channels 64,128 and no dropout", c, err)
	}
	if c, err := set("cnn"); err != nil || c.Family() != base.Family() { // not on the list: nothing chosen
		t.Fatalf("cnn chose %+v, %v", c, err)
	}
	if c, err := set("mlp"); err != nil || !slices.Equal(c.Hidden, base.Hidden) {
		t.Fatalf("mlp: %+v, %v", c, err)
	}
}

// Up-sampling is a setting beside the architecture: a conv model takes
// either; an mlp has none, whatever the form says, and a conv model
// switched to mlp drops its choice.
func TestSettings_Upsampling(t *testing.T) {
	set := func(base model.Config, field, text string) (model.Config, error) {
		form := newSettingsForm(base)
		for i, it := range form.items {
			if it.Text == field {
				form.fields[i].put(text)
				return form.config(base)
			}
		}
		t.Fatalf("no %s setting for a %s %s", field, base.Family(), base.Kind)
		return base, nil
	}
	conv := model.DefaultConfig(model.KindGAN).WithArch(model.ArchConv)
	conv.ImageRows, conv.ImageCols = 28, 28
	c, err := set(conv, "Up-sampling", "transposed")
	if err != nil || c.Upsample != model.UpsampleTransposed || !conv.NeedsRebuild(c) {
		t.Fatalf("transposed gave %q, %v (rebuild %t)", c.Upsample, err, conv.NeedsRebuild(c))
	}
	if back, err := set(c, "Architecture", "mlp"); err != nil || back.Upsample != "" || back.Conv() {
		t.Fatalf("mlp after transposed gave %q %s, %v", back.Upsample, back.Family(), err)
	}
	mlp := model.DefaultConfig(model.KindVAE)
	mlp.ImageRows, mlp.ImageCols = 28, 28
	if c, err := set(mlp, "Up-sampling", "transposed"); err != nil || c.Upsample != "" {
		t.Fatalf("an mlp VAE took up-sampling %q, %v", c.Upsample, err)
	}
}

// The generator average is a GAN setting: off, a listed decay, or the
// decay a run from the command line has, which the list then offers.
func TestSettings_GeneratorAverage(t *testing.T) {
	set := func(base model.Config, text string) (model.Config, error) {
		form := newSettingsForm(base)
		found := false
		for i, it := range form.items {
			if it.Text == "Generator average" {
				form.fields[i].put(text)
				found = true
			}
		}
		if !found {
			t.Fatalf("no Generator average setting for a %s", base.Kind)
		}
		return form.config(base)
	}
	base := model.DefaultConfig(model.KindGAN)
	if c, err := set(base, "0.999"); err != nil || c.GeneratorAverage != 0.999 {
		t.Fatalf("0.999 gave %v, %v", c.GeneratorAverage, err)
	}
	base.GeneratorAverage = 0.995
	if c, err := set(base, "off"); err != nil || c.GeneratorAverage != 0 {
		t.Fatalf("off gave %v, %v", c.GeneratorAverage, err)
	}
	if c, err := set(base, "0.995"); err != nil || c.GeneratorAverage != 0.995 {
		t.Fatalf("the run's own 0.995 gave %v, %v", c.GeneratorAverage, err)
	}
	for _, it := range newSettingsForm(model.DefaultConfig(model.KindVAE)).items {
		if it.Text == "Generator average" {
			t.Fatal("a VAE offers a generator average")
		}
	}
}

// The discriminator's learning rate is a GAN setting: a rate of its own,
// or 0 for the generator's.
func TestSettings_DiscriminatorLearningRate(t *testing.T) {
	set := func(base model.Config, text string) (model.Config, error) {
		form := newSettingsForm(base)
		for i, it := range form.items {
			if it.Text == "D learning rate" {
				form.fields[i].put(text)
				return form.config(base)
			}
		}
		t.Fatalf("no D learning rate setting for a %s", base.Kind)
		return base, nil
	}
	base := model.DefaultConfig(model.KindGAN)
	if c, err := set(base, "4e-4"); err != nil || c.DLearningRate != 4e-4 || c.LearningRate != base.LearningRate {
		t.Fatalf("4e-4 gave D %v and G %v, %v", c.DLearningRate, c.LearningRate, err)
	}
	base.DLearningRate = 4e-4
	if c, err := set(base, "0"); err != nil || c.DLearningRate != 0 {
		t.Fatalf("0 gave %v, %v", c.DLearningRate, err)
	}
	if _, err := set(base, "-1"); err == nil {
		t.Fatal("a negative rate was taken")
	}
	for _, it := range newSettingsForm(model.DefaultConfig(model.KindVAE)).items {
		if it.Text == "D learning rate" {
			t.Fatal("a VAE offers a discriminator learning rate")
		}
	}
}

// Status news reaches only the view that shows; a hidden view catches up
// the moment its tab is chosen.
func TestTick_HiddenViewCatchesUpWhenShown(t *testing.T) {
	lab := testLab(t)
	m, _ := newTestUI(t, lab)
	card := m.train.cards[1]
	before := card.status.Text
	s := card.session
	s.Start()
	deadline := time.Now().Add(20 * time.Second)
	for s.Status().Progress.Step < 3 {
		if time.Now().After(deadline) {
			t.Fatal("no training steps")
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.Pause()
	m.tick() // Explore shows
	if card.status.Text != before {
		t.Errorf("the hidden Train card changed to %q", card.status.Text)
	}
	m.tabs.SelectIndex(tabTrain)
	if want := fmt.Sprintf("step %d", s.Status().Progress.Step); !strings.Contains(card.status.Text, want) {
		t.Errorf("the Train card says %q once shown, want %q in it", card.status.Text, want)
	}
}

// A pad follows its model's latent dimension even while Explore is hidden:
// Draw and Latent set points on it meanwhile.
func TestTick_HiddenExploreFollowsTheLatentDimension(t *testing.T) {
	lab := testLab(t)
	m, _ := newTestUI(t, lab)
	m.tabs.SelectIndex(tabTrain)
	s := lab.Session(model.KindVAE)
	cfg := s.Config()
	cfg.LatentDim = 4
	if err := s.Reset(cfg); err != nil {
		t.Fatal(err)
	}
	m.tick()
	c := column(m, model.KindVAE)
	if c.dim != 4 || len(c.z) != 4 {
		t.Fatalf("the hidden VAE column has dimension %d and a %d-D point after a reset to 4", c.dim, len(c.z))
	}
}
