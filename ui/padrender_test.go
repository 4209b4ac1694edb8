package ui

import (
	"fmt"
	"image"
	"math"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"gonum.org/v1/gonum/floats"

	"latentlab/app"
	"latentlab/model"
	"latentlab/model/infer"
)

// The GAN's pad shows the slice through its point: moving an axis off the
// plane redraws the manifold through the new point (the same picture as
// the plane through that point decodes), while a drag within the plane
// leaves the manifold as it is.
func TestPad_ManifoldIsTheSliceThroughThePoint(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	gan := column(m, model.KindGAN)
	if gan.dim < 3 {
		t.Fatalf("the test GAN has %d latent dimensions", gan.dim)
	}
	kicks := 0
	m.explore.onSlice = func() { kicks++ }
	before := gan.pad.manifold
	if show := m.explore.renderSlices(); show != nil {
		t.Fatal("a slice to draw before the point moved")
	}
	gan.sliders[gan.dim-1].SetValue(2.5) // an axis off the plane (z0 x z1)
	if kicks == 0 {
		t.Fatal("moving an off-plane axis did not ask for a slice")
	}
	show := m.explore.renderSlices()
	if show == nil {
		t.Fatal("no slice drawn after an off-plane axis moved")
	}
	show()
	after := gan.pad.manifold
	if samePixels(before, after) {
		t.Fatal("the manifold did not change with the off-plane axis")
	}
	want := gan.manifold(gan.session.Snapshot(), gan.plane.Through(gan.z))
	if !samePixels(after, want) {
		t.Fatal("the manifold is not the slice through the point")
	}
	kicks = 0
	gan.pad.OnChanged(0.2, 0.7) // a drag within the plane
	if kicks != 0 || m.explore.renderSlices() != nil {
		t.Fatalf("a drag within the plane asked for %d slices", kicks)
	}
	if gan.z[gan.dim-1] != 2.5 {
		t.Fatalf("the drag moved the off-plane axis to %v", gan.z[gan.dim-1])
	}
}

// Principal directions as a pad's axes: the plane is spanned by them, its
// note says how much variance they hold, and a drag moves the point
// within that plane only.
func TestPad_PrincipalAxes(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	for _, k := range []model.Kind{model.KindVAE, model.KindGAN} {
		c := column(m, k)
		d := c.dim
		if len(c.axisX.Options) != d+min(padDirections, d) || c.axisX.Options[d] != "PC1" {
			t.Fatalf("%s axis options %v", k, c.axisX.Options)
		}
		c.axisX.SetSelectedIndex(d)
		c.axisY.SetSelectedIndex(d + 1)
		show := m.explore.renderSlices()
		if show == nil {
			t.Fatalf("%s: no background for principal axes", k)
		}
		show()
		if c.plane.DirX == nil || !strings.Contains(c.planeNote.Text, "PC1") || !strings.Contains(c.planeNote.Text, "PC2") {
			t.Fatalf("%s: plane %+v, note %q", k, c.plane, c.planeNote.Text)
		}
		before := slices.Clone(c.z)
		c.pad.OnChanged(0.8, 0.3)
		step := floats.SubTo(make([]float64, d), c.z, before)
		x, y := infer.Plane{DirX: c.plane.DirX, DirY: c.plane.DirY, Base: make([]float64, d)}.Coords(step)
		if off := floats.Dot(step, step) - x*x - y*y; off > 1e-9 || floats.Norm(step, 2) == 0 {
			t.Fatalf("%s: a drag moved z by %v, %v of it off the plane", k, step, off)
		}
		if u, v := c.plane.Fractions(c.z); abs(u-0.8) > 1e-9 || abs(v-0.3) > 1e-9 {
			t.Fatalf("%s: the point dragged to (0.8, 0.3) sits at (%v, %v)", k, u, v)
		}
		// The sliders run over the principal directions; the last moves z
		// along its direction alone, and the readout shows z.
		last := len(c.sliders) - 1
		if len(c.sliders) != min(padDirections, d) || c.sliderSet.names[last] != fmt.Sprintf("PC%d", last+1) {
			t.Fatalf("%s: sliders %v", k, c.sliderSet.names)
		}
		before = slices.Clone(c.z)
		c.sliders[last].SetValue(c.sliders[last].Value + 0.5)
		step = floats.SubTo(make([]float64, d), c.z, before)
		if along := floats.Dot(step, c.sliderSet.dirs[last]); abs(along-0.5) > 0.011 || abs(floats.Norm(step, 2)-abs(along)) > 1e-9 {
			t.Fatalf("%s: slider PC%d moved z by %v (%v along it)", k, last+1, step, along)
		}
		if c.readout.Text != formatZ(c.z) {
			t.Fatalf("%s: readout %q, z %v", k, c.readout.Text, c.z)
		}
	}
}

func abs(x float64) float64 { return max(x, -x) }

// samePixels reports whether two pictures are the same grey image.
func samePixels(a, b image.Image) bool {
	la, lb := pixelsOf(a), pixelsOf(b)
	return la != nil && lb != nil && a.Bounds() == b.Bounds() && slices.Equal(la, lb)
}

// The AE's and VAE's pads draw the code mixture's components with the
// rings: one ellipse per component, centred where the component's mean
// falls on the plane and as wide as its standard deviation along the
// plane's axes; the GAN, which has no codes, draws none. A model of
// another epoch gets a mixture of its own.
func TestPad_CodeMixtureContours(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	for _, k := range app.Kinds {
		c := column(m, k)
		if k == model.KindGAN {
			if len(c.pad.contours) != 0 {
				t.Errorf("the GAN's pad draws %d code contours", len(c.pad.contours))
			}
			continue
		}
		c.mu.Lock()
		mix := c.mixture.mix
		c.mu.Unlock()
		if mix == nil || len(c.pad.contours) == 0 {
			t.Fatalf("%s: no code mixture on the pad (%d contours)", k, len(c.pad.contours))
		}
		drawn := 0
		for j, w := range mix.Weights {
			if w < 0.01 {
				continue
			}
			contour := c.pad.contours[drawn]
			drawn++
			// Points at angles 0 and pi are mean ± the first column of L:
			// their midpoint is the mean, their horizontal half-distance
			// the standard deviation along the plane's x axis.
			half := len(contour.Points) / 2
			a, b := contour.Points[0], contour.Points[half]
			mu, mv := c.plane.Fractions(mix.Means[j])
			if abs(float64(a[0]+b[0])/2-mu) > 1e-5 || abs(float64(a[1]+b[1])/2-mv) > 1e-5 {
				t.Errorf("%s component %d: ellipse centred at (%v, %v), mean at (%v, %v)", k, j, (a[0]+b[0])/2, (a[1]+b[1])/2, mu, mv)
			}
			xx, _, _ := c.plane.Covariance(mix.Covs[j])
			width := c.plane.MaxX - c.plane.MinX // the points are float32 fractions of it
			if got, want := abs(float64(a[0]-b[0]))/2*width, math.Sqrt(xx); abs(got-want) > 1e-4*want+1e-6*width {
				t.Errorf("%s component %d: ellipse half-width %v along x, standard deviation %v", k, j, got, want)
			}
		}
		if drawn != len(c.pad.contours) {
			t.Errorf("%s: %d contours, %d components with a share of 1%% or more", k, len(c.pad.contours), drawn)
		}
		img := drawContours(c.pad.contours, 100)
		lit := 0
		for i := 3; i < len(img.Pix); i += 4 {
			if img.Pix[i] > 0 {
				lit++
			}
		}
		if lit == 0 {
			t.Errorf("%s: the contours drew no pixel", k)
		}
	}
	// The same mixture for a later snapshot of the same epoch; a new one
	// for another epoch's.
	vae := column(m, model.KindVAE)
	s := vae.session.Snapshot()
	codes, err := infer.EncodeSet(s, m.explore.dots)
	if err != nil {
		t.Fatal(err)
	}
	vae.mu.Lock()
	cached := vae.mixture.mix
	vae.mixture.snap = nil
	vae.mu.Unlock()
	if mix, _ := vae.codeMixture(s, codes); mix == cached {
		t.Error("a snapshot the cache does not know reused the cached mixture")
	}
}

// The contours show with the rings and hide with them.
func TestLatentPad_ContoursFollowTheRings(t *testing.T) {
	test.NewTempApp(t)
	p := NewLatentPad()
	p.Resize(fyne.NewSize(300, 300))
	r := test.WidgetRenderer(p).(*padRenderer)
	p.SetContours([]Contour{{Points: [][2]float32{{0.2, 0.2}, {0.8, 0.2}, {0.5, 0.8}}, Color: mixtureContourColor}})
	if r.contours.Hidden || r.contours.Image == nil {
		t.Fatal("contours hidden with the rings shown")
	}
	p.SetLayers(true, true, false)
	if !r.contours.Hidden {
		t.Fatal("contours shown with the rings hidden")
	}
	p.SetLayers(true, true, true)
	p.SetContours(nil)
	if !r.contours.Hidden {
		t.Fatal("no contours, yet the layer shows")
	}
}
