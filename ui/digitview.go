package ui

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// newDigitView returns an image object that shows one decoded digit large,
// its pixels blended smoothly by GL's linear filter.
func newDigitView(min float32) *canvas.Image {
	img := canvas.NewImageFromImage(grayImage(make([]float64, 28*28), 28, 28))
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScaleFastest // Fyne's smooth scaling only ever shrinks: a wasted pass at 28x28
	img.SetMinSize(fyne.NewSize(min, min))
	return img
}

// grayImage turns pixels in [0, 1] into a rows x cols grey picture. It is
// an opaque *image.RGBA, the form Fyne's GL painter uploads as it is:
// anything else it converts on the UI goroutine at every refresh.
func grayImage(pixels []float64, rows, cols int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, cols, rows))
	for i, v := range pixels {
		if 4*i >= len(img.Pix) {
			break
		}
		var b uint8
		switch {
		case v <= 0 || v != v:
		case v >= 1:
			b = 255
		default:
			b = uint8(v*255 + 0.5)
		}
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = b, b, b, 255
	}
	return img
}

// opaqueRGBA copies a grey picture into an opaque *image.RGBA (see
// grayImage), off the UI goroutine.
func opaqueRGBA(g *image.Gray) *image.RGBA {
	b := g.Bounds()
	img := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		src := g.Pix[g.PixOffset(b.Min.X, y):][:b.Dx()]
		dst := img.Pix[img.PixOffset(b.Min.X, y):][:4*b.Dx()]
		for x, v := range src {
			dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = v, v, v, 255
		}
	}
	return img
}
