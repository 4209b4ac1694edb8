package ui

import (
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/gonum/mat"

	"latentlab/app"
	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/infra/render"
	"latentlab/model/measure"
)

// readClass is the analogy's "from" that reads the class of the digit at
// the point.
const readClass = "its digit"

// Latent view constants.
const (
	traversalSteps = 9    // images per traversal row, from -3σ to +3σ
	traversalRows  = 16   // rows shown at most: the most used
	latentDigits   = 1000 // test digits the use of each dimension is measured on
	labelWidth     = 112  // pixels of row labels left of a traversal
	latentEvery    = 1200 * time.Millisecond
)

// latentView shows the structure of one model's latent space, live: a
// traversal (rows of digits sweeping ±3σ along one latent axis or
// principal direction each, most used first, unused ones marked) around
// the pad's point or a test digit's code, and a bar per dimension of its
// use (the VAE's KL, the AE's code variance) or per principal direction
// of its share of the variance; a bar's click makes it the pad's x axis.
type latentView struct {
	lab     *app.Lab
	win     fyne.Window
	explore *exploreView
	content fyne.CanvasObject
	onPick  func(kind model.Kind, axis int) // a bar picked axis (pad axis index) of kind's pad

	kind      *widget.RadioGroup
	rowsOf    *widget.RadioGroup
	from      *widget.RadioGroup
	traversal *canvas.Image
	bars      *BarChart
	barsTitle *widget.Label
	note      *widget.Label
	action    *widget.Label // what the last "towards" click did
	// analogyFrom is the class a "towards" click starts from: readClass,
	// or a digit a for the analogy z + c(k) - c(a).
	analogyFrom *widget.Select
	rng         *rand.Rand
	test        *dataset.Set
	shown       *latentPicture // the picture on screen, for export (UI goroutine)
	codes       *codeMap
	nearest     *neighbourFinder

	mu       sync.Mutex // guards what the renderer reads
	request  latentRequest
	gen      int       // counts the requests
	drawnGen int       // the request of the last picture
	drawnAt  time.Time // when the last picture was drawn
	drawn    *infer.Snapshot
	attrs    attrCache
}

// attrCache holds the class attributes last found, for which snapshot and
// when: a GAN's take thousands of decodes.
type attrCache struct {
	snap  *infer.Snapshot
	at    time.Time
	attrs measure.Attributes
}

// latentRequest is what the view asks the renderer to draw.
type latentRequest struct {
	kind       model.Kind
	directions bool      // principal directions instead of latent axes
	base       []float64 // the pad's point, nil: a test digit's code
	digit      int
}

// latentPicture is what the renderer drew, handed to the UI.
type latentPicture struct {
	req     latentRequest
	snap    *infer.Snapshot
	picture image.Image
	images  *mat.Dense // the traversal, rows x traversalSteps
	rows    int
	bars    []float64
	labels  []string
	dim     []bool
	axes    []int // the pad axis each bar picks
	title   string
	note    string
	attrs   *measure.Attributes // the ways from class to class, nil without a classifier
}

func newLatentView(lab *app.Lab, win fyne.Window, explore *exploreView) *latentView {
	v := &latentView{lab: lab, win: win, explore: explore, rng: rand.New(rand.NewPCG(3, 5)), test: lab.Data.Test.Head(latentDigits)}
	var names []string
	for _, k := range app.Kinds {
		names = append(names, modelTitle(k))
	}
	v.kind = widget.NewRadioGroup(names, func(string) { v.changed() })
	v.kind.Horizontal = true
	v.kind.SetSelected(names[1])
	v.rowsOf = widget.NewRadioGroup([]string{"Latent axes", "Principal directions"}, func(string) { v.changed() })
	v.rowsOf.Horizontal = true
	v.rowsOf.SetSelected("Latent axes")
	v.from = widget.NewRadioGroup([]string{"The pad's point", "A test digit's code"}, func(string) { v.changed() })
	v.from.Horizontal = true
	v.from.SetSelected("The pad's point")
	v.traversal = canvas.NewImageFromImage(image.NewGray(image.Rect(0, 0, 1, 1)))
	v.traversal.FillMode = canvas.ImageFillContain
	v.traversal.ScaleMode = canvas.ImageScalePixels
	v.bars = NewBarChart()
	v.bars.OnPicked = v.picked
	v.barsTitle = widget.NewLabel("")
	v.barsTitle.Wrapping = fyne.TextWrapWord
	v.note = widget.NewLabel("")
	v.note.Wrapping = fyne.TextWrapWord
	v.action = widget.NewLabel("")
	v.action.Truncation = fyne.TextTruncateEllipsis
	another := widget.NewButton("Another test digit", func() {
		v.from.SetSelected("A test digit's code")
		v.mu.Lock()
		v.request.digit = v.rng.IntN(v.test.Len())
		v.gen++
		v.mu.Unlock()
	})
	nearest := widget.NewButton("Nearest training digits…", func() {
		k := v.selectedKind()
		c := v.explore.column(k)
		if c == nil {
			return
		}
		if err := v.nearest.ask(k, slices.Clone(c.z)); err != nil {
			showError(v.win, err)
			return
		}
		v.action.SetText("Finding the training digits nearest the pad's digit (the first time, the classifier reads every training digit)…")
	})
	exports := container.NewHBox(nearest,
		widget.NewButton("Export PNG…", func() { v.export("png") }),
		widget.NewButton("Export GIF…", func() { v.export("gif") }))
	fromOptions := []string{readClass}
	for k := range model.Classes {
		fromOptions = append(fromOptions, fmt.Sprint(k))
	}
	v.analogyFrom = widget.NewSelect(fromOptions, nil)
	v.analogyFrom.SetSelected(readClass)
	towards := container.NewHBox(widget.NewLabel("   From"), v.analogyFrom, widget.NewLabel("towards digit:"))
	for k := range model.Classes {
		b := widget.NewButton(fmt.Sprint(k), func() { v.towards(k) })
		towards.Add(b)
	}
	top := container.NewVBox(
		container.NewHBox(widget.NewLabel("Model:"), v.kind, towards),
		container.NewHBox(widget.NewLabel("Rows:"), v.rowsOf, widget.NewLabel("  Around:"), v.from, another, exports))
	v.codes = newCodeMap(lab, v.selectedKind)
	v.nearest = &neighbourFinder{lab: lab, win: win}
	v.nearest.onShown = func() { v.action.SetText("") }
	bars := container.NewBorder(v.barsTitle, v.note, nil, nil, v.bars)
	right := container.NewGridWithRows(2, bars, v.codes.content)
	v.content = container.NewBorder(top, nil, nil, nil,
		container.NewGridWithColumns(2, container.NewBorder(nil, v.action, nil, nil, v.traversal), right))
	v.changed()
	return v
}

// selectedKind returns the model the view shows.
func (v *latentView) selectedKind() model.Kind {
	for _, k := range app.Kinds {
		if v.kind.Selected == modelTitle(k) {
			return k
		}
	}
	return model.KindVAE
}

// changed takes the controls' settings, and the pad's point, into the
// request; on the UI goroutine.
func (v *latentView) changed() {
	if v.kind == nil || v.rowsOf == nil || v.from == nil {
		return // still being built
	}
	k := v.selectedKind()
	var base []float64
	if v.from.Selected != "A test digit's code" || !v.lab.Session(k).Snapshot().HasEncoder() {
		for _, c := range v.explore.columns {
			if c.kind == k {
				base = slices.Clone(c.z)
			}
		}
	}
	v.mu.Lock()
	v.request = latentRequest{kind: k, directions: v.rowsOf.Selected == "Principal directions", base: base, digit: v.request.digit}
	v.gen++
	v.mu.Unlock()
}

// picked makes the picked bar's axis the x axis of the model's pad.
func (v *latentView) picked(i int) {
	if v.shown == nil || i >= len(v.shown.axes) || v.onPick == nil {
		return
	}
	v.onPick(v.shown.req.kind, v.shown.axes[i])
}

// render draws the view's pictures off the UI goroutine: the traversal
// and bars when the request changed or, at most every latentEvery, when
// the model trained on, and the map's progress or result; it returns what
// shows them, or nil.
func (v *latentView) render() func() {
	var shows []func()
	for _, f := range []func() func(){v.renderTraversal, v.codes.render, v.nearest.render} {
		if show := f(); show != nil {
			shows = append(shows, show)
		}
	}
	if len(shows) == 0 {
		return nil
	}
	return func() {
		for _, show := range shows {
			show()
		}
	}
}

// renderTraversal draws the traversal and the bars, or returns nil.
func (v *latentView) renderTraversal() func() {
	v.mu.Lock()
	req, gen, at, drawn := v.request, v.gen, v.drawnAt, v.drawn
	fresh := gen != v.drawnGen
	v.mu.Unlock()
	s := v.lab.Session(req.kind).Snapshot()
	if !fresh && (s == drawn || time.Since(at) < latentEvery) {
		return nil
	}
	pic, err := v.draw(s, req)
	v.mu.Lock()
	v.drawnGen, v.drawnAt, v.drawn = gen, time.Now(), s
	v.mu.Unlock()
	return func() {
		if err != nil {
			v.note.SetText(err.Error())
			return
		}
		v.shown = pic
		v.traversal.Image = pic.picture
		v.traversal.Refresh()
		v.bars.SetValues(pic.bars, pic.labels, pic.dim)
		v.barsTitle.SetText(pic.title)
		v.note.SetText(pic.note)
	}
}

// draw computes the traversal and the bars for req with s.
func (v *latentView) draw(s *infer.Snapshot, req latentRequest) (*latentPicture, error) {
	pic := &latentPicture{req: req, snap: s}
	d := s.LatentDim()
	base := req.base
	if len(base) != d {
		base = make([]float64, d)
	}
	var use *measure.DimensionUse
	if s.HasEncoder() {
		u, err := measure.UseOfDimensions(s, v.test)
		if err != nil {
			return nil, err
		}
		use = &u
		if req.base == nil {
			code, _, err := s.Encode(v.test.Matrix(req.digit, req.digit+1).RawRowView(0))
			if err != nil {
				return nil, err
			}
			base = code
		}
	}
	pic.attrs = v.attributes(s)
	var rows []measure.TraversalRow
	column := v.explore.column(req.kind)
	if req.directions || use == nil {
		dirs, err := column.directions(s, nil)
		if err != nil {
			return nil, err
		}
		pic.bars = dirs.Explained
		pic.labels = nil
		for j := range dirs.Explained {
			pic.axes = append(pic.axes, d+j)
			pic.labels = append(pic.labels, fmt.Sprintf("PC%d", j+1))
		}
		pic.title = fmt.Sprintf("Share of the variance along each principal direction (%s). Click a bar: that direction becomes the %s pad's x axis.",
			map[string]string{"pca": "of the codes of 1,000 test digits", "ganspace": "GANSpace: of the generator's first layer over 2,000 prior points"}[dirs.Method], strings.ToUpper(string(req.kind)))
		if req.directions {
			rows = measure.DirectionRows(dirs)
		}
	}
	if use != nil && !req.directions {
		pic.bars, pic.dim = use.Activity, make([]bool, d)
		what := "variance of the codes"
		if use.KL != nil {
			pic.bars, what = use.KL, "KL (nats)"
		}
		pic.labels, pic.axes = nil, nil
		for j := range d {
			pic.dim[j] = !use.Active[j]
			pic.axes = append(pic.axes, j)
			pic.labels = append(pic.labels, fmt.Sprintf("z%d", j))
		}
		pic.title = fmt.Sprintf("%s of each latent dimension on 1,000 test digits, z0 at the left; faint: inactive (activity, the variance of the %s, below %.2g). %d of %d active. Click a bar: that axis becomes the %s pad's x axis.",
			what, map[bool]string{true: "posterior means", false: "codes"}[use.KL != nil], measure.ActivityThreshold, use.ActiveCount(), d, strings.ToUpper(string(req.kind)))
	}
	if rows == nil {
		rows = measure.AxisRows(s, use)
	}
	shown := min(len(rows), traversalRows)
	images, err := measure.Traversal(s, base, rows[:shown], traversalSteps)
	if err != nil {
		return nil, err
	}
	cfg := s.Config()
	grid, err := render.Tile(images, cfg.ImageRows, cfg.ImageCols, traversalSteps, 2)
	if err != nil {
		return nil, err
	}
	labels, colors := make([]string, shown), make([]color.Color, shown)
	for r, row := range rows[:shown] {
		labels[r] = rowLabel(row, s.Kind(), use != nil)
		if row.Inactive {
			colors[r] = color.Gray{Y: 120}
		}
	}
	pic.picture = render.Labelled(grid, labels, colors, labelWidth, 2, cfg.ImageRows+2)
	pic.images, pic.rows = images, shown
	pic.note = fmt.Sprintf("Each row sweeps one %s from −3σ to +3σ around %s.", map[bool]string{true: "principal direction", false: "latent axis"}[req.directions], baseName(req, s))
	if shown < len(rows) {
		pic.note += fmt.Sprintf(" The %d most used of %d are shown.", shown, len(rows))
	}
	return pic, nil
}

// attributes returns the class attributes of s's latent space, cached as
// principal directions are, or nil without the digit classifier.
func (v *latentView) attributes(s *infer.Snapshot) *measure.Attributes {
	if v.lab.Monitor == nil || v.lab.Monitor.Classifier().Pixels() != s.Pixels() {
		return nil
	}
	v.mu.Lock()
	cache := v.attrs
	v.mu.Unlock()
	if cache.snap == s || cache.snap != nil && cache.snap.LatentDim() == s.LatentDim() && cache.snap.Kind() == s.Kind() && time.Since(cache.at) < directionsEvery {
		return &cache.attrs
	}
	a, err := measure.ClassAttributes(s, v.lab.Monitor.Classifier(), v.test, 1)
	if err != nil {
		return nil
	}
	v.mu.Lock()
	v.attrs = attrCache{snap: s, at: time.Now(), attrs: a}
	v.mu.Unlock()
	return &a
}

// towards moves the shown model's point one step towards digit class k,
// from the class the classifier reads in its digit; on the UI goroutine.
func (v *latentView) towards(k int) {
	pic := v.shown
	if pic == nil || pic.attrs == nil {
		v.action.SetText("Moving towards a digit needs the digit classifier (MNIST data) and a drawn traversal.")
		return
	}
	c := v.explore.column(pic.req.kind)
	s := v.lab.Session(pic.req.kind).Snapshot()
	if c == nil || len(c.z) != s.LatentDim() {
		return
	}
	img, err := s.Decode(c.z)
	if err != nil {
		v.action.SetText(err.Error())
		return
	}
	from, _, err := v.lab.Monitor.Label(img)
	if err != nil {
		v.action.SetText(err.Error())
		return
	}
	analogy := v.analogyFrom.Selected != readClass
	if analogy {
		from = slices.Index(v.analogyFrom.Options, v.analogyFrom.Selected) - 1
	}
	if from == k {
		if analogy {
			v.action.SetText(fmt.Sprintf("From %d towards %d: the same digit, nothing to move.", from, k))
		} else {
			v.action.SetText(fmt.Sprintf("The %s's digit at its point is already a %d to the classifier.", strings.ToUpper(string(pic.req.kind)), k))
		}
		return
	}
	step := 0.5 // of the way between centroids
	if pic.attrs.Method == "regression" || analogy {
		step = 1 // prior standard deviation, or the whole analogy
	}
	z, err := pic.attrs.Towards(c.z, from, k, step)
	if err != nil {
		v.action.SetText(err.Error())
		return
	}
	v.explore.setZ(c, z)
	img, _ = s.Decode(z)
	now, p, _ := v.lab.Monitor.Label(img)
	v.from.SetSelected("The pad's point")
	v.changed()
	how := fmt.Sprintf("half the way from the centroid of the %ds' codes to the %ds'", from, k)
	switch {
	case analogy && pic.attrs.Method == "centroids":
		how = fmt.Sprintf("by the analogy z + centroid(%d) − centroid(%d)", k, from)
	case pic.attrs.Method == "regression":
		how = fmt.Sprintf("one standard deviation along the direction where the classifier's p(%d) − p(%d) grows fastest", k, from)
	}
	v.action.SetText(fmt.Sprintf("Moved the %s's point %s: its digit is now a %d to the classifier (%.0f%%).",
		strings.ToUpper(string(pic.req.kind)), how, now, 100*p))
}

// rowLabel names a traversal row and what ordered it.
func rowLabel(row measure.TraversalRow, kind model.Kind, measured bool) string {
	switch {
	case row.Inactive:
		return row.Name + " inactive"
	case row.Name[0] == 'P':
		return fmt.Sprintf("%s %.0f%%", row.Name, 100*row.Score)
	case !measured:
		return row.Name
	case kind == model.KindVAE:
		return fmt.Sprintf("%s KL %.2f", row.Name, row.Score)
	}
	return fmt.Sprintf("%s var %.2f", row.Name, row.Score)
}

// baseName says where a traversal starts.
func baseName(req latentRequest, s *infer.Snapshot) string {
	if req.base == nil && s.HasEncoder() {
		return fmt.Sprintf("the code of test digit %d", req.digit)
	}
	return "the pad's point"
}

// export writes the picture on screen as PNG, or its traversal as an
// animated GIF.
func (v *latentView) export(format string) {
	pic := v.shown
	if pic == nil {
		showError(v.win, fmt.Errorf("no traversal drawn yet"))
		return
	}
	name := fmt.Sprintf("%s-traversal.%s", pic.req.kind, format)
	exportFile(v.win, name, func(w io.Writer) error {
		if format == "png" {
			return png.Encode(w, pic.picture)
		}
		cfg := pic.snap.Config()
		cols := 1
		for cols*cols < pic.rows {
			cols++
		}
		anim, err := render.Sweep(pic.images, pic.rows, traversalSteps, cfg.ImageRows, cfg.ImageCols, cols, 2, 12)
		if err != nil {
			return err
		}
		return gif.EncodeAll(w, anim)
	})
}
