package ui

import (
	"fmt"
	"image"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/gonum/mat"

	"latentlab/app"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/infra/render"
	"latentlab/model/measure"
)

// Compare view constants.
const (
	compareGrid    = 15   // digits per side of each manifold
	compareRecons  = 12   // test digits reconstructed
	compareSamples = 8    // samples per side of each sample grid
	interpSteps    = 10   // digits in an interpolation strip
	metricsImages  = 2000 // test images the metrics table is measured on
	// mixtureImages is how many training digits' codes the view's code
	// mixture is fitted to: half a report's, so a refit takes about a second.
	mixtureImages = 5000
)

// Where the AE and VAE sample grids draw their codes from.
const (
	fromPrior   = "prior N(0, I)"
	fromMixture = "10 Gaussians fitted to their training codes"
)

// compareView puts the three models side by side: manifolds,
// reconstructions, samples, interpolations and a table of test metrics.
type compareView struct {
	lab     *app.Lab
	win     fyne.Window
	content fyne.CanvasObject

	manifolds [3]*canvas.Image
	recon     *canvas.Image
	samples   [3]*canvas.Image // AE, VAE, GAN
	interp    *canvas.Image
	metrics   *widget.Label
	note      *widget.Label

	mu         sync.Mutex // guards the fields below, shared with the renderer
	requested  bool
	metricsDue bool   // pictures are drawn; the slower metrics table is next
	pair       [2]int // test digits interpolated between
	seed       uint64
	epochs     [3]int // epochs of the snapshots last drawn
	images     map[string]image.Image
	// fromMixture: the AE and VAE draw from a mixture fitted to their codes.
	fromMixture bool
	mixtures    codeMixtures // touched by the renderer only
}

// codeMixtures keeps the code mixture of each snapshot last drawn, so the
// view refits only when a model's weights change.
type codeMixtures map[*infer.Snapshot]*measure.Mixture

// of returns the mixture fitted to the codes of s over train, fitting it
// if s is new, and forgets the mixtures of older snapshots.
func (c codeMixtures) of(s *infer.Snapshot, train *dataset.Set, seed uint64, keep []*infer.Snapshot) (*measure.Mixture, error) {
	for old := range c {
		if !slices.Contains(keep, old) {
			delete(c, old)
		}
	}
	if m, ok := c[s]; ok {
		return m, nil
	}
	m, _, err := measure.CodeMixture(s, train, mixtureImages, seed)
	if err != nil {
		return nil, err
	}
	c[s] = m
	return m, nil
}

func newCompareView(lab *app.Lab, win fyne.Window) *compareView {
	v := &compareView{lab: lab, win: win, pair: [2]int{0, 1}, seed: 1, images: map[string]image.Image{}, mixtures: codeMixtures{}}
	img := func(min float32) *canvas.Image {
		i := canvas.NewImageFromImage(image.NewNRGBA(image.Rect(0, 0, 1, 1))) // transparent until drawn
		i.FillMode = canvas.ImageFillContain
		i.ScaleMode = canvas.ImageScalePixels
		i.SetMinSize(fyne.NewSize(min, min))
		return i
	}
	var mcols []fyne.CanvasObject
	for i, k := range app.Kinds {
		v.manifolds[i] = img(300)
		mcols = append(mcols, container.NewBorder(bold(modelTitle(k)), nil, nil, nil, v.manifolds[i]))
	}
	v.recon = img(120)
	v.recon.SetMinSize(fyne.NewSize(compareRecons*28*1.4, 3*28*1.4))
	for i := range v.samples {
		v.samples[i] = img(180)
	}
	source := widget.NewRadioGroup([]string{fromPrior, fromMixture}, func(choice string) {
		v.mu.Lock()
		v.fromMixture = choice == fromMixture
		v.requested = true
		v.mu.Unlock()
	})
	source.Required = true
	source.SetSelected(fromPrior)
	v.interp = img(100)
	v.interp.SetMinSize(fyne.NewSize(interpSteps*28*1.6, 3*28*1.6))
	v.metrics = widget.NewLabel("")
	v.metrics.TextStyle = fyne.TextStyle{Monospace: true}
	v.note = widget.NewLabel("")
	refresh := widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), v.requestRefresh)
	newPair := widget.NewButtonWithIcon("New pair", theme.ContentRedoIcon(), func() {
		v.mu.Lock()
		r := rand.New(rand.NewPCG(v.seed, 99))
		v.seed++
		v.pair = [2]int{r.IntN(lab.Data.Test.Len()), r.IntN(lab.Data.Test.Len())}
		v.requested = true
		v.mu.Unlock()
	})
	rows := container.NewVBox(
		container.NewGridWithColumns(3, mcols...),
		widget.NewSeparator(),
		container.NewHBox(
			container.NewVBox(bold("Reconstructions of the same test digits"), container.NewHBox(rowLabels("original", "AE", "VAE"), v.recon)),
			container.NewVBox(
				container.NewHBox(
					container.NewVBox(bold("AE: decoded samples"), v.samples[0]),
					container.NewVBox(bold("VAE: decoded samples"), v.samples[1]),
				),
				widget.NewLabel("AE and VAE sample their codes from"), source),
			container.NewVBox(bold("GAN: samples"), v.samples[2]),
		),
		widget.NewSeparator(),
		container.NewHBox(
			container.NewVBox(bold("Interpolation: AE and VAE through the codes of two test digits; GAN between two z"),
				container.NewHBox(rowLabels("AE", "VAE", "GAN"), v.interp)),
			container.NewVBox(bold("Test metrics (per image, nats)"), v.metrics, v.note),
		),
	)
	export := widget.NewButtonWithIcon("Export pictures…", theme.DocumentSaveIcon(), v.export)
	v.content = container.NewBorder(container.NewHBox(refresh, newPair, export), nil, nil, nil, container.NewVScroll(rows))
	v.requested = true
	return v
}

func bold(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func rowLabels(names ...string) fyne.CanvasObject {
	box := container.NewGridWithRows(len(names))
	for _, n := range names {
		box.Add(container.NewCenter(widget.NewLabel(n)))
	}
	return box
}

// requestRefresh asks the renderer to redraw the view.
func (v *compareView) requestRefresh() {
	v.mu.Lock()
	v.requested = true
	v.mu.Unlock()
}

// render redraws on request and after every epoch, off the UI goroutine:
// first the pictures, which take a moment, then on the next call the
// metrics table, which takes seconds.
func (v *compareView) render() func() {
	snaps := make([]*infer.Snapshot, len(app.Kinds))
	var epochs [3]int
	for i, k := range app.Kinds {
		snaps[i] = v.lab.Session(k).Snapshot()
		epochs[i] = snaps[i].Epoch()
	}
	v.mu.Lock()
	if !v.requested && epochs == v.epochs {
		due := v.metricsDue
		v.metricsDue = false
		v.mu.Unlock()
		if !due {
			return nil
		}
		table := metricsText(snaps, v.lab.Data.Test.Head(metricsImages)) + "\n\n" + qualityText(v.lab.Monitor, v.lab.MonitorErr, snaps, v.lab.Data, v.mixtures)
		if kept := v.lab.KeptRunsText(); kept != "" {
			table += "\n\n" + kept
		}
		return func() { v.metrics.SetText(table) }
	}
	v.requested, v.epochs, v.metricsDue = false, epochs, true
	pair, seed, mixture := v.pair, v.seed, v.fromMixture
	v.mu.Unlock()

	imgs, err := v.draw(snaps, pair, seed, mixture)
	return func() {
		if err != nil {
			v.note.SetText(err.Error())
		}
		for i, k := range app.Kinds {
			setImage(v.manifolds[i], imgs[string(k)+"-manifold"])
		}
		setImage(v.recon, imgs["reconstructions"])
		for i, k := range app.Kinds {
			setImage(v.samples[i], imgs[string(k)+"-samples"])
		}
		setImage(v.interp, imgs["interpolation"])
		if v.metrics.Text == "" {
			v.metrics.SetText("measuring…")
		}
		v.mu.Lock()
		v.images = imgs
		v.mu.Unlock()
	}
}

func setImage(c *canvas.Image, img image.Image) {
	if img == nil {
		return
	}
	c.Image = img
	c.Refresh()
}

// draw renders every picture; the AE and VAE sample from their code
// mixtures if mixture is set.
func (v *compareView) draw(snaps []*infer.Snapshot, pair [2]int, seed uint64, mixture bool) (map[string]image.Image, error) {
	out := map[string]image.Image{}
	test := v.lab.Data.Test
	tile := func(m *mat.Dense, cols int) image.Image {
		img, err := render.Tile(m, test.Rows, test.Cols, cols, 1)
		if err != nil {
			return nil
		}
		return img
	}
	for _, s := range snaps {
		plane, err := infer.DefaultPlane(s, test.Head(padDots), 0, min(1, s.LatentDim()-1))
		if err != nil {
			return out, err
		}
		if g, err := s.Manifold(plane, compareGrid); err == nil {
			out[string(s.Kind())+"-manifold"] = tile(g, compareGrid)
		}
	}
	ae, vae, gan := snaps[0], snaps[1], snaps[2]
	// Reconstructions: originals, AE, VAE (posterior means).
	x := test.Matrix(0, compareRecons)
	rows := mat.NewDense(3*compareRecons, test.Dim(), nil)
	rows.Slice(0, compareRecons, 0, test.Dim()).(*mat.Dense).Copy(x)
	for r, s := range []*infer.Snapshot{ae, vae} {
		if !s.HasEncoder() { // a decoder alone: its row stays empty
			continue
		}
		code, _, err := s.EncodeBatch(x)
		if err != nil {
			return out, err
		}
		rec, err := s.DecodeBatch(code)
		if err != nil {
			return out, err
		}
		rows.Slice((r+1)*compareRecons, (r+2)*compareRecons, 0, test.Dim()).(*mat.Dense).Copy(rec)
	}
	out["reconstructions"] = tile(rows, compareRecons)
	n := compareSamples * compareSamples
	for i, s := range snaps {
		z := infer.SamplePrior(n, s.LatentDim(), seed+10+uint64(i))
		if mixture && s.HasEncoder() {
			mix, err := v.mixtures.of(s, v.lab.Data.Train, seed, snaps)
			if err != nil {
				return out, err
			}
			z = mix.Sample(n, seed+10+uint64(i))
		}
		if m, err := s.DecodeBatch(z); err == nil {
			out[string(s.Kind())+"-samples"] = tile(m, compareSamples)
		}
	}
	// Interpolations.
	strip := mat.NewDense(3*interpSteps, test.Dim(), nil)
	ends := test.Subset(pair[:]).Matrix(0, 2)
	for r, s := range []*infer.Snapshot{ae, vae} {
		if !s.HasEncoder() {
			continue
		}
		code, _, err := s.EncodeBatch(ends)
		if err != nil {
			return out, err
		}
		if m, err := s.DecodeBatch(lerpRows(code.RawRowView(0), code.RawRowView(1), interpSteps)); err == nil {
			strip.Slice(r*interpSteps, (r+1)*interpSteps, 0, test.Dim()).(*mat.Dense).Copy(m)
		}
	}
	z := infer.SamplePrior(2, gan.LatentDim(), seed+2)
	if m, err := gan.DecodeBatch(lerpRows(z.RawRowView(0), z.RawRowView(1), interpSteps)); err == nil {
		strip.Slice(2*interpSteps, 3*interpSteps, 0, test.Dim()).(*mat.Dense).Copy(m)
	}
	out["interpolation"] = tile(strip, interpSteps)
	return out, nil
}

// lerpRows returns steps points evenly spaced from a to b, one per row.
func lerpRows(a, b []float64, steps int) *mat.Dense {
	m := mat.NewDense(steps, len(a), nil)
	for i := 0; i < steps; i++ {
		t := float64(i) / float64(steps-1)
		row := m.RawRowView(i)
		for j := range a {
			row[j] = (1-t)*a[j] + t*b[j]
		}
	}
	return m
}

// export writes every picture of the view as a PNG into a folder the user
// picks, each atomically.
func (v *compareView) export() {
	v.mu.Lock()
	imgs := make(map[string]image.Image, len(v.images))
	for name, img := range v.images {
		imgs[name] = img
	}
	v.mu.Unlock()
	if len(imgs) == 0 {
		showError(v.win, fmt.Errorf("nothing to export yet: the pictures are still being drawn"))
		return
	}
	dialog.ShowFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			showError(v.win, err)
			return
		}
		if dir == nil {
			return
		}
		var written []string
		for name, img := range imgs {
			path := filepath.Join(dir.Path(), "compare-"+name+".png")
			if err := render.WritePNG(path, img); err != nil {
				showError(v.win, err)
				return
			}
			written = append(written, filepath.Base(path))
		}
		sort.Strings(written)
		dialog.ShowInformation("Exported", fmt.Sprintf("Wrote %s in %s", strings.Join(written, ", "), dir.Path()), v.win)
	}, v.win)
}
