package ui

import (
	"image"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// drawSide is the side, in pixels, of the image a DrawPad's strokes are
// drawn into for the models (and on the screen, scaled).
const drawSide = 280

// DrawPad is a square a person draws a digit on with the mouse: light
// strokes on a dark ground, as the data's digits. Points are kept as
// fractions of the pad, so the drawing does not depend on the window's
// size.
type DrawPad struct {
	widget.BaseWidget

	// OnChanged is called on the UI goroutine when the drawing changes:
	// final is false while a stroke is being drawn, true when it ends.
	OnChanged func(final bool)
	// Pen is the stroke's width as a fraction of the pad's side.
	Pen float64

	strokes []stroke
	drawing bool
	raster  *canvas.Raster
}

// stroke is one drag's points and the pen it was drawn with.
type stroke struct {
	points [][2]float64
	pen    float64
}

var (
	_ fyne.Draggable = (*DrawPad)(nil)
	_ fyne.Tappable  = (*DrawPad)(nil)
)

// NewDrawPad returns an empty pad with a pen about as wide, for its size,
// as the strokes of MNIST's digits.
func NewDrawPad() *DrawPad {
	p := &DrawPad{Pen: 0.07}
	p.raster = canvas.NewRaster(func(w, h int) image.Image { return p.Image(w, h) })
	p.ExtendBaseWidget(p)
	return p
}

// Dragged adds the point under the mouse to the stroke being drawn,
// starting one if none is.
func (p *DrawPad) Dragged(e *fyne.DragEvent) {
	if !p.drawing {
		p.strokes = append(p.strokes, stroke{pen: p.Pen})
		p.drawing = true
	}
	p.addPoint(e.Position)
	p.changed(false)
}

// DragEnd ends the stroke.
func (p *DrawPad) DragEnd() {
	p.drawing = false
	p.changed(true)
}

// Tapped draws a dot.
func (p *DrawPad) Tapped(e *fyne.PointEvent) {
	p.strokes = append(p.strokes, stroke{pen: p.Pen})
	p.addPoint(e.Position)
	p.changed(true)
}

// addPoint appends pos, as fractions of the pad, to the last stroke.
func (p *DrawPad) addPoint(pos fyne.Position) {
	size := p.Size()
	if size.Width <= 0 || size.Height <= 0 {
		return
	}
	last := &p.strokes[len(p.strokes)-1]
	last.points = append(last.points, [2]float64{clamp01(float64(pos.X / size.Width)), clamp01(float64(pos.Y / size.Height))})
}

// Undo removes the last stroke.
func (p *DrawPad) Undo() {
	if len(p.strokes) > 0 {
		p.strokes = p.strokes[:len(p.strokes)-1]
		p.changed(true)
	}
}

// Clear removes every stroke.
func (p *DrawPad) Clear() {
	p.strokes = nil
	p.changed(true)
}

// Empty reports whether nothing is drawn.
func (p *DrawPad) Empty() bool { return len(p.strokes) == 0 }

func (p *DrawPad) changed(final bool) {
	p.raster.Refresh()
	if p.OnChanged != nil {
		p.OnChanged(final)
	}
}

// Image returns the drawing as a w x h grey image: strokes of ink 1
// (white) on 0, their edges anti-aliased.
func (p *DrawPad) Image(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	scale := float64(min(w, h))
	for _, s := range p.strokes {
		r := s.pen * scale / 2
		for i, pt := range s.points {
			from := pt
			if i > 0 {
				from = s.points[i-1]
			}
			ax, ay, bx, by := from[0]*float64(w), from[1]*float64(h), pt[0]*float64(w), pt[1]*float64(h)
			steps := max(1, int(math.Hypot(bx-ax, by-ay)/(r/4+0.5)))
			for k := 0; k <= steps; k++ {
				t := float64(k) / float64(steps)
				stamp(img, ax+t*(bx-ax), ay+t*(by-ay), r)
			}
		}
	}
	return img
}

// stamp draws a disc of radius r at (cx, cy) into img, keeping the
// brighter of what is there and the disc, its edge one pixel of ramp.
func stamp(img *image.Gray, cx, cy, r float64) {
	b := img.Bounds()
	for y := max(b.Min.Y, int(cy-r-1)); y <= min(b.Max.Y-1, int(cy+r+1)); y++ {
		for x := max(b.Min.X, int(cx-r-1)); x <= min(b.Max.X-1, int(cx+r+1)); x++ {
			d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy)
			v := uint8(255 * clamp01(r+0.5-d))
			if i := img.PixOffset(x, y); v > img.Pix[i] {
				img.Pix[i] = v
			}
		}
	}
}

// MinSize is a comfortable square to draw in.
func (p *DrawPad) MinSize() fyne.Size { return fyne.NewSize(drawSide, drawSide) }

// CreateRenderer draws the strokes.
func (p *DrawPad) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(p.raster) }
