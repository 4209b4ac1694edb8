package ui

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"latentlab/app"
	"latentlab/model/dataset"
	"latentlab/model/digit"
	"latentlab/model/infer"
)

// drawView lets a person draw a digit (or open an image, or pick a test
// digit) and shows, on every stroke, what each model makes of it: the
// digit as the models see it, each model's answer, and each pad's
// crosshair moved to the model's point for it.
type drawView struct {
	lab     *app.Lab
	win     fyne.Window
	explore *exploreView
	pad     *DrawPad
	loaded  []float64 // an opened image or a test digit, prepared; nil: the drawing
	input   *canvas.Image
	about   *widget.Label
	answers []*answerColumn
	content fyne.CanvasObject
	rng     *rand.Rand
	// inversions counts the GAN inversions asked for (UI goroutine): one
	// that finishes after a newer was asked for is dropped.
	inversions int
	onEncode   func(time.Duration) // the time from a stroke to updated pads (AE, VAE)

	mu      sync.Mutex // guards pending, which the background renderer takes
	pending *inversion
}

// inversion is a GAN inversion waiting for the background renderer: the
// n-th asked for, of x, with the snapshot s, for column.
type inversion struct {
	column *answerColumn
	snap   *infer.Snapshot
	x      []float64
	n      int
}

// render runs the waiting inversion, if any, off the UI goroutine (the
// bridge's renderer calls it) and returns what shows its answer.
func (v *drawView) render() func() {
	v.mu.Lock()
	job := v.pending
	v.pending = nil
	v.mu.Unlock()
	if job == nil {
		return nil
	}
	began := time.Now()
	a, err := app.Answer(job.snap, job.x, 1)
	took := time.Since(began)
	return func() {
		if job.n != v.inversions {
			return // a newer drawing is on its way
		}
		v.show(job.column, job.snap, job.x, a, err)
		if err == nil {
			job.column.text.SetText(job.column.text.Text + fmt.Sprintf("\n(inverted in %.2f s)", took.Seconds()))
		}
	}
}

// answerColumn shows one model's answer.
type answerColumn struct {
	session *app.Session
	image   *canvas.Image
	text    *widget.Label
}

func newDrawView(lab *app.Lab, win fyne.Window, explore *exploreView) *drawView {
	v := &drawView{lab: lab, win: win, explore: explore, pad: NewDrawPad(), rng: rand.New(rand.NewPCG(7, 11))}
	v.pad.OnChanged = v.stroked
	pen := widget.NewSlider(0.03, 0.15)
	pen.Step = 0.01
	pen.Value = v.pad.Pen
	pen.OnChanged = func(x float64) { v.pad.Pen = x }
	buttons := container.NewHBox(
		widget.NewButton("Undo", v.pad.Undo),
		widget.NewButton("Clear", func() { v.loaded = nil; v.pad.Clear() }),
		widget.NewButton("Open image…", v.openImage),
		widget.NewButton("Random test digit", v.testDigit))
	left := container.NewBorder(widget.NewLabelWithStyle("Draw a digit", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewVBox(container.NewBorder(nil, nil, widget.NewLabel("Pen"), nil, pen), buttons), nil, nil, newSquare(v.pad))
	v.input = digitCanvas(140)
	v.about = widget.NewLabel("What the models see: the drawing as MNIST's digits were made\n(20-pixel box, centre of mass at the frame's centre).")
	v.about.Wrapping = fyne.TextWrapWord
	middle := container.NewVBox(widget.NewLabelWithStyle("The models' input (28 x 28)", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewCenter(v.input), v.about)
	var cols []fyne.CanvasObject
	for _, k := range app.Kinds {
		c := &answerColumn{session: lab.Session(k), image: digitCanvas(140), text: widget.NewLabel("")}
		c.text.Wrapping = fyne.TextWrapWord
		v.answers = append(v.answers, c)
		cols = append(cols, container.NewVBox(widget.NewLabelWithStyle(modelTitle(k), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			container.NewCenter(c.image), c.text))
	}
	v.content = container.NewPadded(container.NewGridWithColumns(2,
		container.NewGridWithColumns(2, left, middle),
		container.NewGridWithColumns(3, cols...)))
	v.clearAnswers("Draw with the mouse, open or drop an image, or pick a test digit.")
	return v
}

// stroked answers the drawing, which replaces any loaded digit.
func (v *drawView) stroked(final bool) {
	v.loaded = nil
	v.update(final)
}

// digitCanvas is an empty digit picture of side pixels.
func digitCanvas(side float32) *canvas.Image {
	img := canvas.NewImageFromImage(grayImage(make([]float64, digit.Frame*digit.Frame), digit.Frame, digit.Frame))
	img.ScaleMode = canvas.ImageScalePixels
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(side, side))
	return img
}

// current returns the digit to answer: the loaded one, or the drawing
// prepared as the data's digits were.
func (v *drawView) current() ([]float64, error) {
	if v.loaded != nil {
		return v.loaded, nil
	}
	if v.pad.Empty() {
		return nil, nil
	}
	return digit.Prepare(v.pad.InkImage(drawSide, drawSide))
}

// update answers the current digit: AE and VAE at once, the GAN's
// inversion (a few hundred decodes) in the background when a stroke ends.
func (v *drawView) update(final bool) {
	start := time.Now()
	x, err := v.current()
	switch {
	case errors.Is(err, digit.ErrNoInk):
		v.clearAnswers("Nothing drawn yet.")
		return
	case err != nil:
		v.clearAnswers(err.Error())
		return
	case x == nil:
		v.clearAnswers("Draw with the mouse, open or drop an image, or pick a test digit.")
		return
	}
	v.input.Image = grayImage(x, digit.Frame, digit.Frame)
	v.input.Refresh()
	v.about.SetText("What the models see: " + v.label(x))
	for _, c := range v.answers {
		s := c.session.Snapshot()
		if s.Pixels() != len(x) {
			c.text.SetText(fmt.Sprintf("draws %d-pixel images, not %d", s.Pixels(), len(x)))
			continue
		}
		if s.HasEncoder() {
			a, err := app.Answer(s, x, 0)
			v.show(c, s, x, a, err)
			continue
		}
		if !final {
			c.text.SetText("inverting the generator when the stroke ends…")
			continue
		}
		v.inversions++
		c.text.SetText("inverting the generator…")
		v.mu.Lock()
		v.pending = &inversion{column: c, snap: s, x: x, n: v.inversions}
		v.mu.Unlock()
	}
	if v.onEncode != nil {
		v.onEncode(time.Since(start))
	}
}

// show puts a model's answer a for x in its column and its pad.
func (v *drawView) show(c *answerColumn, s *infer.Snapshot, x []float64, a app.DigitAnswer, err error) {
	if err != nil {
		c.text.SetText(err.Error())
		return
	}
	c.image.Image = grayImage(a.Image, digit.Frame, digit.Frame)
	c.image.Refresh()
	var b strings.Builder
	if s.HasEncoder() {
		fmt.Fprintf(&b, "code %s\nreconstruction %.1f nats", formatZ(a.Z), a.ReconLoss)
		if a.LogVar != nil {
			fmt.Fprintf(&b, "\nKL %.1f, −ELBO %.1f nats", a.KL, a.ReconLoss+a.KL)
		}
	} else {
		fmt.Fprintf(&b, "%s\nfound %.2f from the input (a random z: %.2f)", formatZ(a.Z), a.Distance, a.RandomDistance)
	}
	fmt.Fprintf(&b, "\nits digit: %s", v.label(a.Image))
	c.text.SetText(b.String())
	v.explore.showPoint(s.Kind(), a.Z, a.LogVar)
}

// label is the classifier's reading of x, or nothing on other data.
func (v *drawView) label(x []float64) string {
	if v.lab.Monitor == nil {
		return "(no classifier for this data)"
	}
	k, p, err := v.lab.Monitor.Label(x)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("a %d to the classifier (%.0f%%)", k, 100*p)
}

// clearAnswers empties the input and the answers and says why.
func (v *drawView) clearAnswers(why string) {
	blank := grayImage(make([]float64, digit.Frame*digit.Frame), digit.Frame, digit.Frame)
	v.input.Image = blank
	v.input.Refresh()
	v.about.SetText(why)
	for _, c := range v.answers {
		c.image.Image = blank
		c.image.Refresh()
		c.text.SetText("")
	}
}

// openImage asks for an image file and answers it.
func (v *drawView) openImage() { askOpenPath(v.win, v.loadImageFile) }

// loadImageFile answers the digit in the image file at path (PNG, JPEG or
// GIF), prepared as the data's digits were.
func (v *drawView) loadImageFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := digit.Read(f, path)
	if err != nil {
		return err
	}
	x, err := digit.Prepare(img)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	v.load(x)
	return nil
}

// testDigit answers a random digit of the test set.
func (v *drawView) testDigit() {
	test := v.lab.Data.Test
	v.loadTestDigit(test, v.rng.IntN(test.Len()))
}

// loadTestDigit answers digit i of set.
func (v *drawView) loadTestDigit(set *dataset.Set, i int) {
	v.load(set.Matrix(i, i+1).RawRowView(0))
	v.about.SetText(fmt.Sprintf("Test digit %d, labelled %d. ", i, set.Labels[i]) + v.about.Text)
}

// load answers x in place of the drawing.
func (v *drawView) load(x []float64) {
	v.pad.OnChanged = nil // clearing the drawing is no stroke
	v.pad.Clear()
	v.pad.OnChanged = v.stroked
	v.loaded = x
	v.update(true)
}
