package ui

import (
	"fmt"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"latentlab/app"
)

// chartReadout is what a drawn chart needs to say which values lie under
// the pointer: where its x axis runs in the picture's pixels, and the
// series as drawn.
type chartReadout struct {
	width      int     // the picture's width in pixels
	px0, px1   float64 // pixel columns of x0 and x1
	x0, x1     float64 // the x axis's ends, in epochs
	series     []app.Series
	unitSuffix string
}

// readoutReach is how far from the pointer, as a share of the x axis, a
// series' nearest point may lie to be read out.
const readoutReach = 0.02

// at returns the values of every series nearest the picture's pixel
// column px, as "epoch 1.25: train loss 145.2, validation loss 150.3",
// or "" off the data.
func (r chartReadout) at(px float64) string {
	if len(r.series) == 0 || r.px1 == r.px0 {
		return ""
	}
	x := r.x0 + (px-r.px0)/(r.px1-r.px0)*(r.x1-r.x0)
	if x < r.x0 || x > r.x1 {
		return ""
	}
	var parts []string
	for _, s := range r.series {
		best, bestD := -1, math.Inf(1)
		for i, sx := range s.X {
			if d := math.Abs(sx - x); d < bestD {
				best, bestD = i, d
			}
		}
		if best >= 0 && bestD <= readoutReach*(r.x1-r.x0) { // a series without a point near here says nothing
			parts = append(parts, fmt.Sprintf("%s %.4g", s.Name, s.Y[best]))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("epoch %.2f: %s", x, strings.Join(parts, ", "))
}

// hoverChart is a chart picture that reports, as the pointer moves over
// it, the values under the pointer (OnHover with "" when it leaves).
type hoverChart struct {
	widget.BaseWidget
	image   *canvas.Image
	readout chartReadout
	OnHover func(text string)
}

var _ desktop.Hoverable = (*hoverChart)(nil)

func newHoverChart(img *canvas.Image) *hoverChart {
	h := &hoverChart{image: img}
	h.ExtendBaseWidget(h)
	return h
}

// pixel returns the picture's pixel column under the widget position x:
// the picture is scaled to fit the widget, centred (ImageFillContain).
func (h *hoverChart) pixel(x float32) float64 {
	size := h.Size()
	if h.image.Image == nil || size.Width <= 0 || size.Height <= 0 {
		return -1
	}
	b := h.image.Image.Bounds()
	iw, ih := float32(b.Dx()), float32(b.Dy())
	scale := min(size.Width/iw, size.Height/ih)
	left := (size.Width - iw*scale) / 2
	return float64((x - left) / scale)
}

// MouseIn is part of desktop.Hoverable.
func (h *hoverChart) MouseIn(e *desktop.MouseEvent) { h.MouseMoved(e) }

// MouseMoved reports the values under the pointer.
func (h *hoverChart) MouseMoved(e *desktop.MouseEvent) {
	if h.OnHover != nil {
		h.OnHover(h.readout.at(h.pixel(e.Position.X)))
	}
}

// MouseOut clears the report.
func (h *hoverChart) MouseOut() {
	if h.OnHover != nil {
		h.OnHover("")
	}
}

// MinSize is the picture's.
func (h *hoverChart) MinSize() fyne.Size { return h.image.MinSize() }

// CreateRenderer shows the picture.
func (h *hoverChart) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(h.image) }
