package ui

import (
	"image"
	"image/color"
	"image/draw"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"latentlab/model/infra/render"
)

// BarChart is one bar per value, side by side, tall in proportion to the
// largest; bars marked dim are drawn faint (an inactive latent dimension).
// A tap on a bar calls OnPicked with its index.
type BarChart struct {
	widget.BaseWidget

	OnPicked func(i int)

	values []float64
	dim    []bool
	labels []string
	raster *canvas.Raster
}

var _ fyne.Tappable = (*BarChart)(nil)

// Bar colours: a used dimension's, an unused one's.
var (
	barColor    = color.NRGBA{R: 66, G: 165, B: 245, A: 255}
	barDimColor = color.NRGBA{R: 90, G: 90, B: 90, A: 255}
)

// NewBarChart returns an empty chart.
func NewBarChart() *BarChart {
	b := &BarChart{}
	b.raster = canvas.NewRaster(b.draw)
	b.ExtendBaseWidget(b)
	return b
}

// SetValues sets the bars, their labels (drawn under them where they fit)
// and, in dim (nil: none), the faint ones.
func (b *BarChart) SetValues(values []float64, labels []string, dim []bool) {
	b.values, b.labels, b.dim = values, labels, dim
	b.raster.Refresh()
}

// labelBand is the height in pixels of the labels under the bars.
const labelBand = 16

// Tapped picks the bar under the pointer.
func (b *BarChart) Tapped(e *fyne.PointEvent) {
	if i := b.barAt(e.Position.X, b.Size().Width); i >= 0 && b.OnPicked != nil {
		b.OnPicked(i)
	}
}

// barAt returns the index of the bar at x in a chart width wide, or -1.
func (b *BarChart) barAt(x, width float32) int {
	n := len(b.values)
	if n == 0 || width <= 0 || x < 0 || x >= width {
		return -1
	}
	return min(n-1, int(x/width*float32(n)))
}

// draw renders the bars at w x h pixels.
func (b *BarChart) draw(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	n := len(b.values)
	top := 0.0
	for _, v := range b.values {
		top = max(top, v)
	}
	if n == 0 || top <= 0 {
		return img
	}
	bottom := h - labelBand
	widest := 0
	for _, l := range b.labels {
		widest = max(widest, font.MeasureString(render.LabelFace, l).Ceil())
	}
	every := 1 // label every bar, or every few where they do not fit
	for every*w/n < widest+4 && every < n {
		every++
	}
	for i, v := range b.values {
		x0, x1 := i*w/n, (i+1)*w/n
		gap := max(1, (x1-x0)/6)
		c := barColor
		if i < len(b.dim) && b.dim[i] {
			c = barDimColor
		}
		y := bottom - int(float64(bottom-1)*max(v, 0)/top) - 1
		draw.Draw(img, image.Rect(x0+gap, min(y, bottom-2), x1-gap, bottom), image.NewUniform(c), image.Point{}, draw.Src)
		if i < len(b.labels) && i%every == 0 {
			lw := font.MeasureString(render.LabelFace, b.labels[i]).Ceil()
			d := font.Drawer{Dst: img, Src: image.NewUniform(color.Gray{Y: 200}), Face: render.LabelFace,
				Dot: fixed.P((x0+x1-lw)/2, h-3)}
			d.DrawString(b.labels[i])
		}
	}
	return img
}

// MinSize is a strip wide enough for a few dozen bars.
func (b *BarChart) MinSize() fyne.Size { return fyne.NewSize(200, 120) }

// CreateRenderer draws the bars.
func (b *BarChart) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(b.raster) }
