package ui

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"latentlab/model"
	"latentlab/model/infer"
	"latentlab/model/infra/render"
	"latentlab/model/measure"
)

// A pad shows the slice of latent space through its point z: the plane of
// its two axes, every other direction holding z's value. Its axes are two
// latent axes, or principal directions (measure.PrincipalDirections: of
// the codes for an AE or VAE, GANSpace's for a GAN). The background
// renderer redraws a pad's dots and manifold as training moves on; when z
// leaves the slice (a slider of another axis, a drag on a linked pad, a
// jump to a code), the bridge's fast lane redraws the manifold alone
// through the new point.

// planeMargin widens an AE's plane beyond its codes by a tenth each way,
// so that the outermost digits are not on the edge.
const planeMargin = 0.1

// padDirections is how many principal directions the axis pickers offer.
const padDirections = 10

// directionsEvery spaces the pads' principal directions: GANSpace over a
// convolutional generator takes about a second.
const directionsEvery = 10 * time.Second

// axisOptions names the choices of a pad's axis pickers in a latent space
// of d dimensions: its axes z0, z1, ..., then principal directions PC1,
// PC2, ... where there are two or more dimensions.
func axisOptions(d int) []string {
	var opts []string
	for i := range d {
		opts = append(opts, fmt.Sprintf("z%d", i))
	}
	for i := range min(padDirections, d) {
		if d >= 2 {
			opts = append(opts, fmt.Sprintf("PC%d", i+1))
		}
	}
	return opts
}

// renderKey says what a pad's background was drawn for: a snapshot (which
// fixes the step and the latent dimension) and the axes.
type renderKey struct {
	snap *infer.Snapshot
	axes [2]int
}

// dirCache holds the principal directions the renderer found, and for
// which snapshot and when.
type dirCache struct {
	snap *infer.Snapshot
	at   time.Time
	dirs measure.Directions
}

// mixtureCache holds the code mixture the renderer fitted, and for which
// snapshot and when.
type mixtureCache struct {
	snap *infer.Snapshot
	at   time.Time
	mix  *measure.Mixture
}

// padBackground is what the renderer draws for a pad, handed to the UI.
type padBackground struct {
	key       renderKey
	plane     infer.Plane
	manifold  image.Image
	dots      []Dot
	rings     []Ring
	contours  []Contour // the code mixture's components (AE, VAE)
	sliders   sliderSet // what the sliders run over, and their ranges
	explained string    // the principal axes' share of the variance (of the codes, or GANSpace's first layer), or ""
}

// shareBase hands the renderers the pad's point z and, when z has left the
// slice the manifold shows, asks the fast lane for the slice through it.
func (c *padColumn) shareBase(z []float64) {
	off := c.plane.Through(z).OffPlane()
	c.mu.Lock()
	c.base = slices.Clone(z)
	moved := c.sliced != nil && !slices.Equal(off, c.sliced)
	c.mu.Unlock()
	if moved && c.view.onSlice != nil {
		c.view.onSlice()
	}
}

// renderSlices is the fast lane's work, off the UI goroutine: for each
// pad whose axes changed, its whole background; for each whose point has
// left the slice its manifold shows, the manifold through the point. It
// returns what installs them, or nil.
func (v *exploreView) renderSlices() func() {
	var apply []func()
	for _, c := range v.columns {
		c.mu.Lock()
		axesChanged := c.axes != c.rendered.axes
		base, sliced, drawn := c.base, c.sliced, c.drawn
		c.mu.Unlock()
		if axesChanged {
			if bg := c.renderBackground(); bg != nil {
				apply = append(apply, func() { c.applyBackground(bg) })
			}
			continue
		}
		if base == nil || drawn.Base == nil || len(base) != len(drawn.Base) {
			continue
		}
		plane := drawn.Through(base)
		off := plane.OffPlane()
		if slices.Equal(off, sliced) {
			continue
		}
		img := c.manifold(c.session.Snapshot(), plane)
		c.mu.Lock()
		c.sliced = off
		c.mu.Unlock()
		if img != nil {
			apply = append(apply, func() { c.pad.SetManifold(img) })
		}
	}
	if len(apply) == 0 {
		return nil
	}
	return func() {
		for _, f := range apply {
			f()
		}
		if v.onSliced != nil {
			v.onSliced()
		}
	}
}

// manifold decodes the pad's grid of digits over plane, or nil if s cannot.
func (c *padColumn) manifold(s *infer.Snapshot, plane infer.Plane) image.Image {
	grid, err := s.Manifold(plane, padGrid)
	if err != nil {
		return nil
	}
	cfg := s.Config()
	img, err := render.Tile(grid, cfg.ImageRows, cfg.ImageCols, padGrid, 0)
	if err != nil {
		return nil
	}
	return opaqueRGBA(img)
}

// renderBackground computes a pad's manifold, dots and rings from the
// newest snapshot, through the pad's point, off the UI goroutine, and for
// an AE or VAE its code mixture's contours. It returns nil when nothing
// changed since the last call. The mixture is fitted after the fast lane
// has the pad back: a fit can take a second.
func (c *padColumn) renderBackground() *padBackground {
	bg, codes := c.renderPlane()
	if bg != nil && codes != nil {
		if mix, err := c.codeMixture(bg.key.snap, codes); err == nil {
			bg.contours = mixtureContours(mix, bg.plane)
		}
	}
	return bg
}

// renderPlane is renderBackground's part that the fast lane waits for:
// plane, manifold and dots, with the dots' codes (nil for a GAN).
func (c *padColumn) renderPlane() (*padBackground, *mat.Dense) {
	c.render.Lock() // the background renderer and the fast lane take turns
	defer c.render.Unlock()
	s := c.session.Snapshot()
	c.mu.Lock()
	axes, done, base := c.axes, c.rendered, c.base
	c.mu.Unlock()
	d := s.LatentDim()
	if axes[0] >= d+min(padDirections, d) || axes[1] >= d+min(padDirections, d) || axes[0] == axes[1] && d > 1 {
		axes = [2]int{0, min(1, d-1)}
	}
	key := renderKey{snap: s, axes: axes}
	if key == done {
		return nil, nil
	}
	bg := &padBackground{key: key}
	var codes *mat.Dense
	if s.HasEncoder() {
		var err error
		if codes, err = infer.EncodeSet(s, c.view.dots); err != nil {
			return nil, nil
		}
	}
	if err := c.planeOf(bg, s, axes, codes); err != nil {
		return nil, nil
	}
	if len(base) == d {
		bg.plane = bg.plane.Through(base)
	}
	bg.manifold = c.manifold(s, bg.plane)
	if codes != nil {
		n, _ := codes.Dims()
		bg.dots = make([]Dot, n)
		for i := 0; i < n; i++ {
			u, v := bg.plane.Fractions(codes.RawRowView(i))
			bg.dots[i] = Dot{U: float32(u), V: float32(v), Label: c.view.dots.Labels[i]}
		}
	}
	c.mu.Lock()
	c.drawn, c.sliced = bg.plane, bg.plane.OffPlane()
	c.mu.Unlock()
	return bg, codes
}

// planeOf sets bg's plane, slider ranges and rings for axes: an AE's
// planes span its codes, a VAE's and GAN's the prior; principal axes take
// their directions (of the codes, or GANSpace's) from the cache.
func (c *padColumn) planeOf(bg *padBackground, s *infer.Snapshot, axes [2]int, codes *mat.Dense) error {
	d := s.LatentDim()
	if s.Kind() == model.KindAE && codes != nil {
		bg.sliders = axisSliders(infer.Extent(codes))
	} else {
		lo, hi := make([]float64, d), make([]float64, d)
		for i := range lo {
			lo[i], hi[i] = -priorHalfWidth, priorHalfWidth
		}
		bg.sliders = axisSliders(lo, hi)
		for _, r := range []float32{1, 2} { // 1 and 2 standard deviations of N(0, I), along any unit axes
			f := r / float32(2*priorHalfWidth)
			bg.rings = append(bg.rings, Ring{U: 0.5, V: 0.5, RU: f, RV: f})
		}
	}
	if axes[0] < d && axes[1] < d {
		if s.Kind() == model.KindAE && codes != nil {
			plane, err := infer.PlaneOfCodes(codes, axes[0], axes[1])
			if err != nil {
				return err
			}
			bg.plane = plane.Spanning(codes, planeMargin)
			return nil
		}
		bg.plane = infer.LinearPriorPlane(d, axes[0], axes[1], priorHalfWidth)
		return nil
	}
	dirs, err := c.directions(s, codes)
	if err != nil {
		return err
	}
	vec := func(a int) []float64 {
		if a < d {
			e := make([]float64, d)
			e[a] = 1
			return e
		}
		return dirs.Vectors[a-d]
	}
	plane, err := infer.LinearPriorPlane(d, 0, 0, priorHalfWidth).WithDirections(vec(axes[0]), vec(axes[1]))
	if err != nil {
		return err
	}
	if s.Kind() == model.KindAE && codes != nil {
		plane = plane.Spanning(codes, planeMargin)
	}
	bg.plane = plane
	bg.sliders = directionSliders(dirs, s, codes)
	var parts []string
	for _, a := range axes {
		if a >= d {
			parts = append(parts, fmt.Sprintf("PC%d %.0f%%", a-d+1, 100*dirs.Explained[a-d]))
		}
	}
	bg.explained = strings.Join(parts, ", ")
	return nil
}

// directionSliders is the set of sliders over the principal directions
// dirs: an AE's over the extent of its codes' coordinates, a VAE's and
// GAN's over ±3 (the prior's coordinate along any unit direction is
// N(0, 1)).
func directionSliders(dirs measure.Directions, s *infer.Snapshot, codes *mat.Dense) sliderSet {
	set := sliderSet{dirs: dirs.Vectors}
	spansCodes := s.Kind() == model.KindAE && codes != nil
	if spansCodes {
		set.lo, set.hi = infer.Extent(dirs.Coordinates(codes))
	}
	for j := range dirs.Vectors {
		set.names = append(set.names, fmt.Sprintf("PC%d", j+1))
		if !spansCodes {
			set.lo, set.hi = append(set.lo, -priorHalfWidth), append(set.hi, priorHalfWidth)
		}
	}
	return set
}

// directions returns the principal directions of s's latent space: the
// cached ones while they are for s, or younger than directionsEvery and
// of the same dimension; else found from codes, the dots' codes where the
// caller has them already (nil: encoded here).
func (c *padColumn) directions(s *infer.Snapshot, codes *mat.Dense) (measure.Directions, error) {
	c.mu.Lock()
	cache := c.dirs
	c.mu.Unlock()
	if cache.snap == s || cache.snap != nil && cache.snap.LatentDim() == s.LatentDim() && time.Since(cache.at) < directionsEvery {
		return cache.dirs, nil
	}
	k := min(padDirections, s.LatentDim())
	var dirs measure.Directions
	var err error
	if codes != nil {
		dirs, err = measure.DirectionsOfCodes(codes, k, 1)
	} else {
		dirs, err = measure.PrincipalDirections(s, c.view.dots, k, 1)
	}
	if err != nil {
		return measure.Directions{}, err
	}
	c.mu.Lock()
	c.dirs = dirCache{snap: s, at: time.Now(), dirs: dirs}
	c.mu.Unlock()
	return dirs, nil
}

// codeMixture returns a mixture of Gaussians fitted to codes, the dots'
// codes under s: the cached one while it is for s, or for an earlier
// snapshot of the same epoch of training (of the same dimension, at most
// directionsEvery old); else fitted anew, by EM from the cached one's
// components where there is one of the same dimension. A model opened
// from a file, or a new epoch, gets its own.
func (c *padColumn) codeMixture(s *infer.Snapshot, codes *mat.Dense) (*measure.Mixture, error) {
	c.mu.Lock()
	cache := c.mixture
	c.mu.Unlock()
	if cache.snap == s || cache.snap != nil && cache.snap.LatentDim() == s.LatentDim() && cache.snap.Epoch() == s.Epoch() &&
		cache.snap.Step() < s.Step() && time.Since(cache.at) < directionsEvery {
		return cache.mix, nil
	}
	n, d := codes.Dims()
	var mix *measure.Mixture
	var err error
	if cache.mix != nil && cache.mix.Dim() == d && cache.mix.Components() < n {
		mix, _, err = cache.mix.Refit(codes) // a few EM iterations while the model trains on
	} else {
		mix, err = measure.FitCodes(codes, 1)
	}
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.mixture = mixtureCache{snap: s, at: time.Now(), mix: mix}
	c.mu.Unlock()
	return mix, nil
}

// mixtureContourColor is the colour of the code mixture's ellipses.
var mixtureContourColor = color.NRGBA{R: 235, G: 235, B: 235, A: 190}

// mixtureContours returns the one-standard-deviation ellipse of each
// component of mix with a share of at least 1%, in plane: the contour of
// its marginal in the plane's coordinates, whose covariance [xx xy; xy yy]
// = L Lᵀ maps the unit circle to mean + L (cos t, sin t).
func mixtureContours(mix *measure.Mixture, plane infer.Plane) []Contour {
	const points = 64
	var out []Contour
	for j, w := range mix.Weights {
		xx, xy, yy := plane.Covariance(mix.Covs[j])
		l11 := math.Sqrt(xx)
		if w < 0.01 || !(l11 > 0) {
			continue
		}
		l21 := xy / l11
		l22 := math.Sqrt(math.Max(yy-l21*l21, 0))
		mx, my := plane.Coords(mix.Means[j])
		contour := Contour{Points: make([][2]float32, points), Color: mixtureContourColor}
		for i := range points {
			sin, cos := math.Sincos(2 * math.Pi * float64(i) / points)
			u, v := plane.Fractions(plane.Point(mx+l11*cos, my+l21*cos+l22*sin))
			contour.Points[i] = [2]float32{float32(u), float32(v)}
		}
		out = append(out, contour)
	}
	return out
}

// applyBackground installs a rendered background; on the UI goroutine.
func (c *padColumn) applyBackground(bg *padBackground) {
	if bg == nil || bg.key.snap.LatentDim() != c.dim {
		return
	}
	c.mu.Lock()
	c.rendered = bg.key
	current := c.axes == bg.key.axes
	c.mu.Unlock()
	if current { // else the axes changed since: the next render has them
		c.plane = bg.plane
		c.planeNote.SetText(bg.explained)
	}
	if current {
		c.setSliders(bg.sliders)
	}
	c.pad.SetManifold(bg.manifold)
	c.pad.SetDots(bg.dots)
	c.pad.SetContours(bg.contours)
	c.rings = bg.rings
	c.showRings()
	c.setZ(c.z)
}
