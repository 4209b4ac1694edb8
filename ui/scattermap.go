package ui

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// ScatterMap draws points of the unit square as dots coloured by label
// (an embedding of the test digits' codes). Hovering near a dot calls
// OnHover with its index, a click calls OnPicked.
type ScatterMap struct {
	widget.BaseWidget

	OnHover  func(i int)
	OnPicked func(i int)

	dots   []Dot
	raster *canvas.Raster
}

var (
	_ fyne.Tappable     = (*ScatterMap)(nil)
	_ desktop.Hoverable = (*ScatterMap)(nil)
)

// mapPickRadius is how near, in pixels, the pointer must be to a dot.
const mapPickRadius = 8

// NewScatterMap returns an empty map.
func NewScatterMap() *ScatterMap {
	m := &ScatterMap{}
	m.raster = canvas.NewRaster(func(w, h int) image.Image { return drawMapDots(m.dots, w, h) })
	m.ExtendBaseWidget(m)
	return m
}

// SetDots sets the points.
func (m *ScatterMap) SetDots(dots []Dot) {
	m.dots = dots
	m.raster.Refresh()
}

// nearest returns the dot within mapPickRadius of pos, or -1.
func (m *ScatterMap) nearest(pos fyne.Position) int {
	size := m.Size()
	best, bestD := -1, float32(mapPickRadius*mapPickRadius)
	for i, d := range m.dots {
		dx, dy := d.U*size.Width-pos.X, (1-d.V)*size.Height-pos.Y
		if dd := dx*dx + dy*dy; dd <= bestD {
			best, bestD = i, dd
		}
	}
	return best
}

// Tapped picks the dot under the pointer.
func (m *ScatterMap) Tapped(e *fyne.PointEvent) {
	if i := m.nearest(e.Position); i >= 0 && m.OnPicked != nil {
		m.OnPicked(i)
	}
}

// MouseIn is part of desktop.Hoverable.
func (m *ScatterMap) MouseIn(e *desktop.MouseEvent) { m.MouseMoved(e) }

// MouseMoved shows the dot under the pointer.
func (m *ScatterMap) MouseMoved(e *desktop.MouseEvent) {
	if i := m.nearest(e.Position); i >= 0 && m.OnHover != nil {
		m.OnHover(i)
	}
}

// MouseOut is part of desktop.Hoverable.
func (m *ScatterMap) MouseOut() {}

// MinSize is a square a few hundred dots fit in.
func (m *ScatterMap) MinSize() fyne.Size { return fyne.NewSize(160, 160) }

// CreateRenderer draws the dots.
func (m *ScatterMap) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.NRGBA{R: 24, G: 24, B: 24, A: 255})
	return &scatterRenderer{objects: []fyne.CanvasObject{bg, m.raster}}
}

// scatterRenderer stacks the map's ground and its dots.
type scatterRenderer struct{ objects []fyne.CanvasObject }

func (r *scatterRenderer) Layout(size fyne.Size) {
	for _, o := range r.objects {
		o.Resize(size)
	}
}
func (r *scatterRenderer) MinSize() fyne.Size { return fyne.NewSize(160, 160) }
func (r *scatterRenderer) Refresh() {
	for _, o := range r.objects {
		o.Refresh()
	}
}
func (r *scatterRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *scatterRenderer) Destroy()                     {}

// drawMapDots draws dots as 3x3 squares in their labels' colours on a
// transparent w x h image, v = 1 at the top.
func drawMapDots(dots []Dot, w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for _, d := range dots {
		x, y := int(d.U*float32(w-1)), int((1-d.V)*float32(h-1))
		c := LabelColor(d.Label)
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				if px, py := x+dx, y+dy; px >= 0 && px < w && py >= 0 && py < h {
					img.SetNRGBA(px, py, c)
				}
			}
		}
	}
	return img
}
