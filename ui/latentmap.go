package ui

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/gonum/mat"

	"latentlab/app"
	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/measure"
)

// mapDigits is how many test digits the map embeds.
const mapDigits = 5000

// codeMap is the Latent view's map of the test digits' codes: a t-SNE
// embedding computed in the background on request, with its progress,
// cancellable; hovering a dot shows its digit, clicking it moves the
// model's point (and the linked pads') to its code.
type codeMap struct {
	lab      *app.Lab
	test     *dataset.Set
	scatter  *ScatterMap
	progress *widget.ProgressBar
	status   *widget.Label
	hover    *canvas.Image
	start    *widget.Button
	cancel   *widget.Button
	content  fyne.CanvasObject
	onJump   func(kind model.Kind, z []float64) // a click on a dot
	shown    *mapResult                         // the map on screen (UI goroutine)

	mu      sync.Mutex // guards job and result, shared with the job's goroutine
	job     *mapJob
	result  *mapResult
	wg      sync.WaitGroup
	applied *mapResult // the result last handed to the UI (renderer)
}

// mapJob is a map being computed.
type mapJob struct {
	kind     model.Kind
	stop     context.CancelFunc
	done     atomic.Int64 // t-SNE steps done
	total    atomic.Int64
	finished atomic.Bool
}

// mapResult is a finished map, or why there is none.
type mapResult struct {
	kind  model.Kind
	codes *mat.Dense
	dots  []Dot
	err   error
}

func newCodeMap(lab *app.Lab, kind func() model.Kind) *codeMap {
	m := &codeMap{lab: lab, test: lab.Data.Test.Head(mapDigits), scatter: NewScatterMap(),
		progress: widget.NewProgressBar(), status: widget.NewLabel(""), hover: digitCanvas(84)}
	m.status.Wrapping = fyne.TextWrapWord
	m.start = widget.NewButton("Compute the map", func() { m.begin(kind()) })
	m.cancel = widget.NewButton("Cancel", func() { m.halt(); m.status.SetText("Cancelled.") })
	m.cancel.Disable()
	m.scatter.OnHover = m.hovered
	m.scatter.OnPicked = m.picked
	title := widget.NewLabelWithStyle(fmt.Sprintf("Map of %s test digits' codes (t-SNE)", thousands(m.test.Len())), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	controls := container.NewBorder(nil, nil, container.NewHBox(m.start, m.cancel), nil, m.progress)
	m.content = container.NewBorder(container.NewVBox(title, controls), m.status, nil, container.NewVBox(m.hover), newSquare(m.scatter))
	m.status.SetText("Dots are the codes of test digits, placed by t-SNE so that neighbours in latent space stay neighbours. Hover a dot to see its digit; click it to move the pad's point to its code.")
	return m
}

// begin starts a map of kind's codes, cancelling any running one (whose
// result, if it comes, is dropped).
func (m *codeMap) begin(kind model.Kind) {
	m.halt()
	s := m.lab.Session(kind).Snapshot()
	if !s.HasEncoder() {
		m.status.SetText(fmt.Sprintf("The %s has no encoder: it puts no digit of the data in its latent space.", kind))
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	job := &mapJob{kind: kind, stop: cancel}
	job.total.Store(1)
	m.mu.Lock()
	m.job = job
	m.mu.Unlock()
	m.start.Disable()
	m.cancel.Enable()
	m.progress.SetValue(0)
	m.status.SetText(fmt.Sprintf("Encoding %d test digits and embedding their codes…", m.test.Len()))
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer job.finished.Store(true)
		res := computeMap(ctx, s, m.test, job)
		m.mu.Lock()
		if m.job == job {
			m.result = res
		}
		m.mu.Unlock()
	}()
}

// computeMap encodes test with s and embeds the codes.
func computeMap(ctx context.Context, s *infer.Snapshot, test *dataset.Set, job *mapJob) *mapResult {
	res := &mapResult{kind: job.kind}
	codes, err := infer.EncodeSet(s, test)
	if err != nil {
		res.err = err
		return res
	}
	y, err := measure.TSNE(ctx, codes, measure.TSNEOptions{Seed: 1, Progress: func(done, total int) {
		job.done.Store(int64(done))
		job.total.Store(int64(total))
	}})
	if err != nil {
		res.err = err
		return res
	}
	lo, hi := infer.Extent(y)
	res.codes = codes
	res.dots = make([]Dot, test.Len())
	for i := range res.dots {
		u := 0.03 + 0.94*(y.At(i, 0)-lo[0])/(hi[0]-lo[0])
		v := 0.03 + 0.94*(y.At(i, 1)-lo[1])/(hi[1]-lo[1])
		res.dots[i] = Dot{U: float32(u), V: float32(v), Label: test.Labels[i]}
	}
	return res
}

// cancelJob cancels the running map, if any, and forgets it.
func (m *codeMap) cancelJob() {
	m.mu.Lock()
	job := m.job
	m.job = nil
	m.mu.Unlock()
	if job != nil {
		job.stop()
	}
}

// halt cancels the running map, if any, without waiting for it; on the
// UI goroutine.
func (m *codeMap) halt() {
	m.cancelJob()
	m.start.Enable()
	m.cancel.Disable()
	m.progress.SetValue(0)
}

// stop cancels the running map, if any, and waits for its goroutine: the
// window closes.
func (m *codeMap) stop() {
	m.cancelJob()
	m.wg.Wait()
}

// render returns what shows the job's progress or its finished map, off
// the UI goroutine, or nil.
func (m *codeMap) render() func() {
	m.mu.Lock()
	job, res, applied := m.job, m.result, m.applied
	if res != nil {
		m.applied = res
	}
	m.mu.Unlock()
	if res != nil && res != applied {
		return func() { m.show(res) }
	}
	if job == nil || job.finished.Load() {
		return nil
	}
	done, total := float64(job.done.Load()), float64(job.total.Load())
	return func() { m.progress.SetValue(done / total) }
}

// show puts a finished map on the screen.
func (m *codeMap) show(res *mapResult) {
	m.start.Enable()
	m.cancel.Disable()
	if res.err != nil {
		m.status.SetText("No map: " + res.err.Error())
		return
	}
	m.shown = res
	m.progress.SetValue(1)
	m.scatter.SetDots(res.dots)
	m.status.SetText(fmt.Sprintf("The %s's codes of %d test digits. Hover a dot to see its digit; click it to move the %s pad's point to its code.",
		res.kind, len(res.dots), res.kind))
}

// hovered shows the digit of dot i.
func (m *codeMap) hovered(i int) {
	if m.shown == nil || i >= m.test.Len() {
		return
	}
	m.hover.Image = grayImage(m.test.Matrix(i, i+1).RawRowView(0), m.test.Rows, m.test.Cols)
	m.hover.Refresh()
	m.status.SetText(fmt.Sprintf("Test digit %d, labelled %d.", i, m.test.Labels[i]))
}

// picked moves the model's point to dot i's code.
func (m *codeMap) picked(i int) {
	if m.shown == nil || m.onJump == nil || i >= len(m.shown.dots) {
		return
	}
	m.onJump(m.shown.kind, append([]float64(nil), m.shown.codes.RawRowView(i)...))
}

// thousands writes n with commas between its thousands: 5,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
