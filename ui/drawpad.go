package ui

import (
	"image"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// drawSide is the side, in pixels, of the image a DrawPad's strokes are
// drawn into for the models: seven times the 20-pixel box a digit is
// scaled into, enough for smooth grey levels there, small enough that
// preparing it on every drag event takes a fraction of a millisecond. The
// screen draws the strokes at its own size; padSide is the least.
const (
	drawSide = 140
	padSide  = 280
)

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
	// rasters are the drawing at the sizes asked for (the screen's, the
	// models'), each stamped only with the points added since it was last
	// asked for (UI goroutine).
	rasters map[image.Point]*padRaster
}

// padRaster is the drawing at one size, as far as it has been stamped:
// strokes[:stroke] whole and the first point points of strokes[stroke],
// with the bounds of the ink stamped.
type padRaster struct {
	img           *image.Gray
	stroke, point int
	ink           image.Rectangle
}

// maxRasters bounds the sizes a pad keeps (a window resized many times).
const maxRasters = 4

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
		p.rasters = nil
		p.changed(true)
	}
}

// Clear removes every stroke.
func (p *DrawPad) Clear() {
	p.strokes = nil
	p.rasters = nil
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
// (white) on 0, their edges anti-aliased. The image is the pad's own,
// valid until the drawing changes; callers read it and do not write it.
func (p *DrawPad) Image(w, h int) *image.Gray { return p.rasterAt(w, h).img }

// InkImage returns the part of Image(w, h) that holds ink, with a margin
// of ground around it: what a digit's preprocessing needs to read.
func (p *DrawPad) InkImage(w, h int) image.Image {
	r := p.rasterAt(w, h)
	return r.img.SubImage(r.ink.Inset(-inkMargin).Intersect(r.img.Bounds()))
}

// inkMargin is the ground InkImage keeps around the ink, in pixels.
const inkMargin = 2

// rasterAt returns the drawing at w x h, stamped up to its last point.
func (p *DrawPad) rasterAt(w, h int) *padRaster {
	size := image.Pt(w, h)
	r := p.rasters[size]
	if r == nil {
		if len(p.rasters) >= maxRasters {
			p.rasters = nil
		}
		if p.rasters == nil {
			p.rasters = map[image.Point]*padRaster{}
		}
		r = &padRaster{img: image.NewGray(image.Rect(0, 0, w, h))}
		p.rasters[size] = r
	}
	scale := float64(min(w, h))
	for ; r.stroke < len(p.strokes); r.stroke, r.point = r.stroke+1, 0 {
		s := p.strokes[r.stroke]
		rad := s.pen * scale / 2
		for ; r.point < len(s.points); r.point++ {
			i, pt := r.point, s.points[r.point]
			from := pt
			if i > 0 {
				from = s.points[i-1]
			}
			ax, ay, bx, by := from[0]*float64(w), from[1]*float64(h), pt[0]*float64(w), pt[1]*float64(h)
			steps := max(1, int(math.Hypot(bx-ax, by-ay)/(rad/4+0.5)))
			for k := 0; k <= steps; k++ {
				t := float64(k) / float64(steps)
				r.ink = r.ink.Union(stamp(r.img, ax+t*(bx-ax), ay+t*(by-ay), rad))
			}
		}
		if r.stroke == len(p.strokes)-1 {
			break // the last stroke may grow: go on from its next point
		}
	}
	return r
}

// stamp draws a disc of radius r at (cx, cy) into img, keeping the
// brighter of what is there and the disc, its edge one pixel of ramp, and
// returns the pixels it may have touched.
func stamp(img *image.Gray, cx, cy, r float64) image.Rectangle {
	area := image.Rect(int(cx-r-1), int(cy-r-1), int(cx+r+1)+1, int(cy+r+1)+1).Intersect(img.Bounds())
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy)
			v := uint8(255 * clamp01(r+0.5-d))
			if i := img.PixOffset(x, y); v > img.Pix[i] {
				img.Pix[i] = v
			}
		}
	}
	return area
}

// MinSize is a comfortable square to draw in.
func (p *DrawPad) MinSize() fyne.Size { return fyne.NewSize(padSide, padSide) }

// CreateRenderer draws the strokes.
func (p *DrawPad) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(p.raster) }
