package ui

import (
	"fmt"
	"image"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"

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
