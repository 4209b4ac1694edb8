package ui

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"latentlab/model"
	"latentlab/model/digit"
)

// drawSeven draws a 7 on pad in two strokes, as the desktop driver reports
// drags.
func drawSeven(pad *DrawPad) {
	size := pad.Size()
	for _, s := range [][2][2]float32{{{0.25, 0.2}, {0.75, 0.2}}, {{0.75, 0.2}, {0.4, 0.85}}} {
		for i := 0; i <= 10; i++ {
			f := float32(i) / 10
			pos := fyne.NewPos((s[0][0]+f*(s[1][0]-s[0][0]))*size.Width, (s[0][1]+f*(s[1][1]-s[0][1]))*size.Height)
			pad.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: pos}})
		}
		pad.DragEnd()
	}
}

// Drawing answers at once: the models' input shows the drawing, the AE
// and VAE show their reconstructions and codes and their pads jump to the
// codes; the GAN's inversion arrives after the stroke; Undo and Clear take
// the drawing back.
func TestDraw_StrokesAnswerInEveryModel(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	m.tabs.SelectIndex(tabDraw)
	v := m.draw
	ae, vae := column(m, model.KindAE), column(m, model.KindVAE)
	aeZ, vaeZ := slices.Clone(ae.z), slices.Clone(vae.z)
	blank := pixelsOf(v.input.Image)
	drawSeven(v.pad)
	if slices.Equal(pixelsOf(v.input.Image), blank) {
		t.Fatal("the models' input is still blank after drawing")
	}
	for i, c := range v.answers[:2] {
		if !strings.Contains(c.text.Text, "code") || !strings.Contains(c.text.Text, "reconstruction") {
			t.Errorf("answer %d: %q", i, c.text.Text)
		}
	}
	if !strings.Contains(v.answers[1].text.Text, "ELBO") {
		t.Errorf("the VAE's answer has no ELBO: %q", v.answers[1].text.Text)
	}
	if n := len(vae.pad.rings); n != len(vae.rings)+2 || vae.pad.rings[n-1].Color != posteriorRingColor || vae.pad.rings[n-1].RU <= 0 {
		t.Errorf("the VAE's pad has no posterior ellipses: %+v", vae.pad.rings)
	}
	if len(ae.pad.rings) != len(ae.rings) {
		t.Errorf("the AE's pad has posterior ellipses: %+v", ae.pad.rings)
	}
	if slices.Equal(ae.z, aeZ) || slices.Equal(vae.z, vaeZ) {
		t.Errorf("the pads did not move to the codes: AE %v -> %v, VAE %v -> %v", aeZ, ae.z, vaeZ, vae.z)
	}
	gan := v.answers[2]
	if !strings.Contains(gan.text.Text, "inverting") {
		t.Errorf("the GAN's column while it inverts: %q", gan.text.Text)
	}
	if show := v.render(); show != nil { // as the bridge's renderer does
		show()
	}
	if !strings.Contains(gan.text.Text, "found") {
		t.Fatalf("the GAN's inversion did not arrive: %q", gan.text.Text)
	}
	before := pixelsOf(v.input.Image)
	v.pad.Undo()
	if slices.Equal(pixelsOf(v.input.Image), before) {
		t.Error("Undo left the input as it was")
	}
	v.pad.Clear()
	if !slices.Equal(pixelsOf(v.input.Image), blank) || v.answers[0].text.Text != "" {
		t.Errorf("Clear left %q", v.answers[0].text.Text)
	}
	v.testDigit()
	if slices.Equal(pixelsOf(v.input.Image), blank) || !strings.Contains(v.answers[0].text.Text, "code") {
		t.Error("a random test digit was not answered")
	}
}

// A right click on a test digit's dot loads that digit into Draw.
func TestExplore_RightClickOnADotLoadsItsDigit(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	vae := column(m, model.KindVAE)
	d := vae.pad.dots[3]
	size := vae.pad.Size()
	vae.pad.TappedSecondary(&fyne.PointEvent{Position: fyne.NewPos(d.U*size.Width, (1-d.V)*size.Height)})
	if m.tabs.SelectedIndex() != tabDraw || !strings.Contains(m.draw.about.Text, "Test digit") {
		t.Fatalf("tab %d, %q", m.tabs.SelectedIndex(), m.draw.about.Text)
	}
	want := m.explore.dots.Image(3)
	got := pixelsOf(m.draw.input.Image)
	for i := range want {
		if math.Abs(float64(got[i])-float64(want[i])*255) > 1 && !dotsOverlap(vae.pad.dots, 3) {
			t.Fatalf("pixel %d shows %d, the picked digit has %v", i, got[i], want[i])
		}
	}
}

// dotsOverlap reports whether another dot lies where dot i does, so a
// click there may pick either.
func dotsOverlap(dots []Dot, i int) bool {
	for j, d := range dots {
		if j != i && d.U == dots[i].U && d.V == dots[i].V {
			return true
		}
	}
	return false
}

// The pad stamps only the points added since it was last drawn: its image,
// as a stroke grows, after Undo and at a second size, is the image of the
// same strokes drawn from scratch; the ink's part of it prepares to the
// same digit as the whole.
func TestDrawPad_IncrementalRasterIsTheWholeDrawing(t *testing.T) {
	test.NewTempApp(t)
	pad := NewDrawPad()
	pad.Resize(fyne.NewSize(300, 300))
	fresh := func(w, h int) []uint8 {
		p := NewDrawPad()
		p.strokes = pad.strokes
		return p.Image(w, h).Pix
	}
	check := func(when string) {
		t.Helper()
		for _, side := range []int{drawSide, 97} {
			if !slices.Equal(pad.Image(side, side).Pix, fresh(side, side)) {
				t.Fatalf("%s, at %d pixels: the pad's image is not the drawing's", when, side)
			}
		}
		whole, err := digit.Prepare(pad.Image(drawSide, drawSide))
		if err != nil {
			t.Fatal(err)
		}
		ink, err := digit.Prepare(pad.InkImage(drawSide, drawSide))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(whole, ink) {
			t.Fatalf("%s: the ink's part prepares to another digit than the whole image", when)
		}
	}
	for i := 0; i <= 10; i++ { // a stroke drawn point by point, looked at after each
		f := float32(i) / 10
		pad.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(60+150*f, 40+200*f*f)}})
		check("while drawing")
	}
	pad.DragEnd()
	drawSeven(pad)
	check("after a seven")
	pad.Undo()
	check("after Undo")
	pad.Pen = 0.12
	pad.Tapped(&fyne.PointEvent{Position: fyne.NewPos(280, 20)}) // at the edge
	check("after a wide dot at the edge")
}

// A stroke on the Draw tab moves the hidden pads' points at once and leaves
// the widgets under them (sliders, readout, digit) until the Explore tab
// shows again, when they show the new point.
func TestDraw_HiddenPadsCatchUpWhenShown(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	ae := column(m, model.KindAE)
	before := ae.readout.Text
	m.tabs.SelectIndex(tabDraw)
	drawSeven(m.draw.pad)
	if ae.readout.Text != before || !ae.stale {
		t.Fatalf("the hidden AE column's readout changed while drawing: %q -> %q", before, ae.readout.Text)
	}
	m.tabs.SelectIndex(tabExplore)
	if want := formatZ(ae.z); ae.readout.Text != want || ae.stale {
		t.Fatalf("the AE column shows %q after Explore came back, its point is %q", ae.readout.Text, want)
	}
	for i, sl := range ae.sliders {
		if sl.Value != ae.z[i] {
			t.Fatalf("slider %d at %v, z is %v", i, sl.Value, ae.z[i])
		}
	}
}

// A digit's image dropped on the window is answered on the Draw tab; a
// broken image and a file that is neither image nor model leave the app
// as it was.
func TestDrop_ImageIsAnsweredOnDraw(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	dir := t.TempDir()
	good := filepath.Join(dir, "digit.png")
	img := image.NewGray(image.Rect(0, 0, 60, 90))
	for y := 20; y < 70; y++ {
		for x := 25; x < 35; x++ {
			img.SetGray(x, y, color.Gray{Y: 255})
		}
	}
	f, err := os.Create(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	broken, other := filepath.Join(dir, "broken.png"), filepath.Join(dir, "notes.txt")
	for _, p := range []string{broken, other} {
		if err := os.WriteFile(p, []byte("not an image, not a model"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	blank := pixelsOf(m.draw.input.Image)
	for _, p := range []string{broken, other} {
		if err := m.openDropped(storage.NewFileURI(p)); err == nil || !strings.Contains(err.Error(), filepath.Base(p)) {
			t.Errorf("dropping %s: error %v, want one naming the file", p, err)
		}
	}
	if !slices.Equal(pixelsOf(m.draw.input.Image), blank) {
		t.Fatal("a bad drop changed the models' input")
	}
	m.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(good)})
	if m.tabs.SelectedIndex() != tabDraw {
		t.Fatalf("tab %d after dropping an image, want Draw", m.tabs.SelectedIndex())
	}
	if slices.Equal(pixelsOf(m.draw.input.Image), blank) || !strings.Contains(m.draw.answers[0].text.Text, "code") {
		t.Fatalf("the dropped digit was not answered: %q", m.draw.answers[0].text.Text)
	}
}
