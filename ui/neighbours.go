package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"latentlab/app"
	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/measure"
)

// neighbourCount is how many training digits the nearest-neighbour
// dialog shows in each row.
const neighbourCount = 8

// neighbourFinder answers "which training digits is the digit at this
// point nearest?", in pixels and in the digit classifier's features: the
// way to see whether a model copies its training set. The renderer finds
// them (the first time, the classifier reads the whole training set) and
// the UI shows them in a dialog.
type neighbourFinder struct {
	lab *app.Lab
	win fyne.Window

	onShown func() // the neighbours are on the screen

	mu      sync.Mutex // guards what follows, shared with the renderer
	pending *neighbourQuery
	index   *measure.FeatureIndex
}

// neighbourQuery is a digit to find the neighbours of.
type neighbourQuery struct {
	kind  model.Kind
	z     []float64
	image []float64
}

// ask queues the digit at z of kind's model; on the UI goroutine.
func (f *neighbourFinder) ask(kind model.Kind, z []float64) error {
	s := f.lab.Session(kind).Snapshot()
	img, err := s.Decode(z)
	if err != nil {
		return err
	}
	if len(img) != f.lab.Data.Train.Dim() {
		return fmt.Errorf("the %s draws %d pixels, the training digits have %d", kind, len(img), f.lab.Data.Train.Dim())
	}
	f.mu.Lock()
	f.pending = &neighbourQuery{kind: kind, z: z, image: img}
	f.mu.Unlock()
	return nil
}

// render finds the pending query's neighbours off the UI goroutine and
// returns what shows them, or nil.
func (f *neighbourFinder) render() func() {
	f.mu.Lock()
	q, index := f.pending, f.index
	f.pending = nil
	f.mu.Unlock()
	if q == nil {
		return nil
	}
	train := f.lab.Data.Train
	byPixels, err := measure.NearestByPixels(q.image, train, neighbourCount)
	if err != nil {
		return func() { showError(f.win, err) }
	}
	var byFeatures []measure.Neighbour
	if f.lab.Monitor != nil && f.lab.Monitor.Classifier().Pixels() == train.Dim() {
		if index == nil {
			if index, err = measure.NewFeatureIndex(context.Background(), f.lab.Monitor.Classifier(), train); err != nil {
				return func() { showError(f.win, err) }
			}
			f.mu.Lock()
			f.index = index
			f.mu.Unlock()
		}
		if byFeatures, err = index.Nearest(q.image, neighbourCount); err != nil {
			return func() { showError(f.win, err) }
		}
	}
	return func() { f.show(q, train, byPixels, byFeatures) }
}

// show puts the neighbours in a dialog.
func (f *neighbourFinder) show(q *neighbourQuery, train *dataset.Set, byPixels, byFeatures []measure.Neighbour) {
	rows := container.NewVBox(
		widget.NewLabel(fmt.Sprintf("The %s's digit at %s, and the training digits nearest it:", strings.ToUpper(string(q.kind)), formatZ(q.z))),
		container.NewHBox(digitTile(q.image, train, "the model's")))
	for _, r := range []struct {
		what string
		ns   []measure.Neighbour
	}{{"in pixels (Euclidean distance)", byPixels}, {"in the classifier's features", byFeatures}} {
		if r.ns == nil {
			rows.Add(widget.NewLabel("Nearest " + r.what + ": no digit classifier for this data."))
			continue
		}
		rows.Add(widget.NewLabel("Nearest " + r.what + ":"))
		line := container.NewHBox()
		for _, n := range r.ns {
			line.Add(digitTile(train.Matrix(n.Index, n.Index+1).RawRowView(0), train, fmt.Sprintf("#%d: %.2f", n.Index, n.Distance)))
		}
		rows.Add(line)
	}
	rows.Add(widget.NewLabel("A model that copies its training set draws digits at distance near 0 from one of them;\none that generalises draws new digits, near several in features, none in pixels."))
	dialog.ShowCustom("Nearest training digits", "Close", rows, f.win)
	if f.onShown != nil {
		f.onShown()
	}
}

// digitTile is a digit's picture with a caption under it.
func digitTile(pixels []float64, set *dataset.Set, caption string) fyne.CanvasObject {
	img := canvas.NewImageFromImage(grayImage(pixels, set.Rows, set.Cols))
	img.ScaleMode = canvas.ImageScalePixels
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(72, 72))
	return container.NewVBox(img, widget.NewLabelWithStyle(caption, fyne.TextAlignCenter, fyne.TextStyle{}))
}
