package ui

import (
	"image"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// Dot is an encoded digit on a latent pad, at fractions (U, V) of the
// pad's width and height (V up), coloured by its label.
type Dot struct {
	U, V  float32
	Label uint8
}

// Ring is an ellipse on a pad: centre (U, V) and radii (RU, RV) in
// fractions of the pad, such as a contour of the prior's density; Color
// nil draws it in the prior's blue.
type Ring struct {
	U, V, RU, RV float32
	Color        color.Color
}

// Contour is a closed curve on a pad, as points in fractions of its width
// and height (u from the left, v from the bottom), drawn with the rings:
// the contours of a density the rings' circles cannot draw, such as a
// tilted ellipse.
type Contour struct {
	Points [][2]float32
	Color  color.Color
}

// priorRingColor is the prior's contours' colour.
var priorRingColor = color.NRGBA{R: 140, G: 200, B: 255, A: 150}

// LatentPad is a 2-D latent plane a person drags across. It draws the
// decoded manifold under the encoded digits and the prior's rings, and a
// crosshair at the chosen point. Coordinates are fractions of the plane:
// u from left to right, v from bottom to top, both in [0, 1].
type LatentPad struct {
	widget.BaseWidget

	// OnChanged is called on the UI goroutine when the user moves the point.
	OnChanged func(u, v float64)
	// OnDotPicked is called on the UI goroutine with the index of the
	// shown dot a right click lands on (within a few pixels).
	OnDotPicked func(i int)

	u, v         float64
	manifold     image.Image
	dots         []Dot
	rings        []Ring
	contours     []Contour
	showManifold bool
	showDots     bool
	showRings    bool
	dotCache     *image.RGBA
	contourCache *image.RGBA
	dirty        layers // what changed since the last refresh
}

// layers names a pad's layers, to refresh only the ones that changed: a
// refreshed picture is a new texture, painted and uploaded again.
type layers uint8

const (
	layerManifold layers = 1 << iota
	layerDots
	layerRings
	allLayers = layerManifold | layerDots | layerRings
)

var (
	_ fyne.Draggable         = (*LatentPad)(nil)
	_ fyne.Tappable          = (*LatentPad)(nil)
	_ fyne.SecondaryTappable = (*LatentPad)(nil)
)

// pickRadius is how near, in pixels, a right click must land to a dot.
const pickRadius = 6

// NewLatentPad returns a pad with its point at the centre.
func NewLatentPad() *LatentPad {
	p := &LatentPad{u: 0.5, v: 0.5, showManifold: true, showDots: true, showRings: true, dirty: allLayers}
	p.ExtendBaseWidget(p)
	return p
}

// Point returns the crosshair's position.
func (p *LatentPad) Point() (u, v float64) { return p.u, p.v }

// SetPoint moves the crosshair without calling OnChanged.
func (p *LatentPad) SetPoint(u, v float64) {
	p.u, p.v = clamp01(u), clamp01(v)
	p.Refresh()
}

// SetManifold sets the picture of decoded digits drawn under everything.
func (p *LatentPad) SetManifold(img image.Image) {
	p.manifold = img
	p.dirty |= layerManifold
	p.Refresh()
}

// SetDots sets the encoded digits.
func (p *LatentPad) SetDots(dots []Dot) {
	p.dots = dots
	p.dirty |= layerDots
	p.dotCache = nil
	p.Refresh()
}

// SetRings sets the density contours.
func (p *LatentPad) SetRings(rings []Ring) {
	p.rings = rings
	p.dirty |= layerRings
	p.Refresh()
}

// SetContours sets the closed curves drawn with the rings.
func (p *LatentPad) SetContours(contours []Contour) {
	p.contours = contours
	p.contourCache = nil
	p.dirty |= layerRings
	p.Refresh()
}

// SetLayers chooses what the pad draws.
func (p *LatentPad) SetLayers(manifold, dots, rings bool) {
	if manifold != p.showManifold {
		p.dirty |= layerManifold
	}
	if dots != p.showDots {
		p.dirty |= layerDots
	}
	if rings != p.showRings {
		p.dirty |= layerRings
	}
	p.showManifold, p.showDots, p.showRings = manifold, dots, rings
	p.Refresh()
}

// Dragged moves the point with the pointer.
func (p *LatentPad) Dragged(e *fyne.DragEvent) { p.moveTo(e.Position) }

// DragEnd is part of fyne.Draggable.
func (p *LatentPad) DragEnd() {}

// Tapped moves the point to where the pad was clicked.
func (p *LatentPad) Tapped(e *fyne.PointEvent) { p.moveTo(e.Position) }

// TappedSecondary picks the dot nearest a right click, if one is shown
// within pickRadius.
func (p *LatentPad) TappedSecondary(e *fyne.PointEvent) {
	size := p.Size()
	if !p.showDots || p.OnDotPicked == nil || size.Width <= 0 || size.Height <= 0 {
		return
	}
	best, bestD := -1, float32(pickRadius*pickRadius)
	for i, d := range p.dots {
		dx, dy := d.U*size.Width-e.Position.X, (1-d.V)*size.Height-e.Position.Y
		if dd := dx*dx + dy*dy; dd <= bestD {
			best, bestD = i, dd
		}
	}
	if best >= 0 {
		p.OnDotPicked(best)
	}
}

func (p *LatentPad) moveTo(pos fyne.Position) {
	size := p.Size()
	if size.Width <= 0 || size.Height <= 0 {
		return
	}
	p.u = clamp01(float64(pos.X / size.Width))
	p.v = clamp01(1 - float64(pos.Y/size.Height))
	p.Refresh()
	if p.OnChanged != nil {
		p.OnChanged(p.u, p.v)
	}
}

// MinSize keeps the pad large enough to aim at.
func (p *LatentPad) MinSize() fyne.Size { return fyne.NewSize(260, 260) }

// CreateRenderer is part of fyne.Widget.
func (p *LatentPad) CreateRenderer() fyne.WidgetRenderer {
	r := &padRenderer{pad: p,
		bg:       canvas.NewRectangle(color.NRGBA{R: 12, G: 14, B: 20, A: 255}),
		manifold: canvas.NewImageFromImage(nil),
		dots:     canvas.NewImageFromImage(nil),
		contours: canvas.NewImageFromImage(nil),
		border:   canvas.NewRectangle(color.Transparent),
		hLine:    canvas.NewLine(crossColor),
		vLine:    canvas.NewLine(crossColor),
		mark:     canvas.NewCircle(color.Transparent),
	}
	// The pictures come at about the pad's size or smaller: GL's linear
	// filter scales them, and Fyne's own smooth scaling, a CatmullRom pass
	// in Go over the whole picture on the UI goroutine at every refresh,
	// would add nothing but time.
	r.manifold.ScaleMode = canvas.ImageScaleFastest
	r.dots.ScaleMode = canvas.ImageScaleFastest
	r.manifold.FillMode = canvas.ImageFillStretch
	r.manifold.Translucency = 0.15
	r.dots.FillMode = canvas.ImageFillStretch
	r.contours.ScaleMode, r.contours.FillMode = canvas.ImageScaleFastest, canvas.ImageFillStretch
	r.border.StrokeColor = color.NRGBA{R: 80, G: 90, B: 110, A: 255}
	r.border.StrokeWidth = 1
	r.hLine.StrokeWidth, r.vLine.StrokeWidth = 1, 1
	r.mark.StrokeColor, r.mark.StrokeWidth = crossColor, 2
	return r
}

var crossColor = color.NRGBA{R: 255, G: 196, B: 0, A: 230}

type padRenderer struct {
	pad          *LatentPad
	bg, border   *canvas.Rectangle
	manifold     *canvas.Image
	dots         *canvas.Image
	contours     *canvas.Image
	rings        []*canvas.Circle
	hLine, vLine *canvas.Line
	mark         *canvas.Circle
	objects      []fyne.CanvasObject
}

func (r *padRenderer) Layout(size fyne.Size) {
	p := r.pad
	for _, o := range []fyne.CanvasObject{r.bg, r.manifold, r.dots, r.contours, r.border} {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
	for i, c := range r.rings {
		ring := p.rings[i]
		cx, cy := ring.U*size.Width, (1-ring.V)*size.Height
		rx, ry := ring.RU*size.Width, ring.RV*size.Height
		c.Move(fyne.NewPos(cx-rx, cy-ry))
		c.Resize(fyne.NewSize(2*rx, 2*ry))
	}
	x, y := float32(p.u)*size.Width, float32(1-p.v)*size.Height
	r.hLine.Position1, r.hLine.Position2 = fyne.NewPos(0, y), fyne.NewPos(size.Width, y)
	r.vLine.Position1, r.vLine.Position2 = fyne.NewPos(x, 0), fyne.NewPos(x, size.Height)
	const m = 7
	r.mark.Move(fyne.NewPos(x-m, y-m))
	r.mark.Resize(fyne.NewSize(2*m, 2*m))
}

func (r *padRenderer) MinSize() fyne.Size { return r.pad.MinSize() }

func (r *padRenderer) Refresh() {
	p := r.pad
	changed := p.dirty
	if len(r.objects) == 0 {
		changed = allLayers
	}
	p.dirty = 0
	if changed == 0 {
		// Only the point moved: redraw the crosshair, not the pictures, so
		// that a drag costs no texture uploads.
		r.Layout(p.Size())
		for _, o := range []fyne.CanvasObject{r.hLine, r.vLine, r.mark} {
			o.Refresh()
		}
		return
	}
	r.manifold.Image = p.manifold
	r.manifold.Hidden = !p.showManifold || p.manifold == nil
	showCached(r.dots, p.showDots && len(p.dots) > 0, &p.dotCache, func() *image.RGBA { return drawDots(p.dots, 360) })
	showCached(r.contours, p.showRings && len(p.contours) > 0, &p.contourCache, func() *image.RGBA { return drawContours(p.contours, 360) })
	for len(r.rings) < len(p.rings) {
		c := canvas.NewCircle(color.Transparent)
		c.StrokeWidth = 1.5
		r.rings = append(r.rings, c)
	}
	r.rings = r.rings[:len(p.rings)]
	for i, c := range r.rings {
		c.Hidden = !p.showRings
		c.StrokeColor = priorRingColor
		if p.rings[i].Color != nil {
			c.StrokeColor = p.rings[i].Color
		}
	}
	r.objects = r.objects[:0]
	r.objects = append(r.objects, r.bg, r.manifold, r.dots, r.contours)
	for _, c := range r.rings {
		r.objects = append(r.objects, c)
	}
	r.objects = append(r.objects, r.hLine, r.vLine, r.mark, r.border)
	r.Layout(p.Size())
	// Only the layers that changed get new textures; the crosshair and
	// the frame are cheap.
	refresh := []fyne.CanvasObject{r.bg, r.hLine, r.vLine, r.mark, r.border}
	if changed&layerManifold != 0 {
		refresh = append(refresh, r.manifold)
	}
	if changed&layerDots != 0 {
		refresh = append(refresh, r.dots)
	}
	if changed&layerRings != 0 {
		refresh = append(refresh, r.contours)
		for _, c := range r.rings {
			refresh = append(refresh, c)
		}
	}
	for _, o := range refresh {
		o.Refresh()
	}
}

func (r *padRenderer) Objects() []fyne.CanvasObject {
	if len(r.objects) == 0 {
		r.Refresh()
	}
	return r.objects
}

func (r *padRenderer) Destroy() {}

// labelColors are ten distinguishable colours for the digits 0-9.
var labelColors = [10]color.NRGBA{
	{230, 25, 75, 255}, {60, 180, 75, 255}, {255, 225, 25, 255}, {0, 130, 200, 255}, {245, 130, 48, 255},
	{145, 30, 180, 255}, {70, 240, 240, 255}, {240, 50, 230, 255}, {210, 245, 60, 255}, {250, 190, 190, 255},
}

// LabelColor returns the colour of digit label d.
func LabelColor(d uint8) color.NRGBA { return labelColors[d%10] }

// drawDots paints the dots on a transparent square picture of side px,
// as *image.RGBA: the form Fyne uploads as it is.
func drawDots(dots []Dot, px int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, px, px))
	for _, d := range dots {
		if d.U < 0 || d.U > 1 || d.V < 0 || d.V > 1 {
			continue
		}
		cx, cy := int(d.U*float32(px-1)), int((1-d.V)*float32(px-1))
		n := LabelColor(d.Label)
		n.A = 200
		c := color.RGBAModel.Convert(n).(color.RGBA) // premultiplied
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				if x, y := cx+dx, cy+dy; x >= 0 && y >= 0 && x < px && y < px {
					img.SetRGBA(x, y, c)
				}
			}
		}
	}
	return img
}

// showCached shows on img the picture draw makes, drawn once into *cache,
// when show is set, and hides img when it is not.
func showCached(img *canvas.Image, show bool, cache **image.RGBA, draw func() *image.RGBA) {
	if !show {
		img.Hidden = true
		return
	}
	if *cache == nil {
		*cache = draw()
	}
	img.Image, img.Hidden = *cache, false
}

// drawContours draws closed curves into a px x px picture, each point
// joined to the next (and the last to the first) by a line two pixels wide.
func drawContours(contours []Contour, px int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, px, px))
	for _, c := range contours {
		col := color.RGBAModel.Convert(c.Color).(color.RGBA) // premultiplied
		at := func(q [2]float32) (float32, float32) { return q[0] * float32(px-1), (1 - q[1]) * float32(px-1) }
		for i, q := range c.Points {
			x0, y0 := at(q)
			x1, y1 := at(c.Points[(i+1)%len(c.Points)])
			length := max(abs32(x1-x0), abs32(y1-y0))
			if !(length < float32(4*px)) { // off the picture, or not a number
				continue
			}
			steps := int(length) + 1
			for s := 0; s <= steps; s++ {
				t := float32(s) / float32(steps)
				x, y := int(x0+t*(x1-x0)), int(y0+t*(y1-y0))
				for _, d := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
					if xx, yy := x+d[0], y+d[1]; xx >= 0 && yy >= 0 && xx < px && yy < px {
						img.SetRGBA(xx, yy, col)
					}
				}
			}
		}
	}
	return img
}

func abs32(x float32) float32 { return max(x, -x) }

func clamp01(x float64) float64 {
	if math.IsNaN(x) {
		return 0.5
	}
	return math.Min(math.Max(x, 0), 1)
}
