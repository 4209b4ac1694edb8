package ui

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// newDigitView returns an image object that shows one decoded digit large,
// its pixels blended smoothly.
func newDigitView(min float32) *canvas.Image {
	img := canvas.NewImageFromImage(image.NewGray(image.Rect(0, 0, 28, 28)))
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScaleSmooth
	img.SetMinSize(fyne.NewSize(min, min))
	return img
}

// grayImage turns pixels in [0, 1] into a rows x cols grey picture.
func grayImage(pixels []float64, rows, cols int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, cols, rows))
	for i, v := range pixels {
		if i >= len(img.Pix) {
			break
		}
		switch {
		case v <= 0 || v != v:
			img.Pix[i] = 0
		case v >= 1:
			img.Pix[i] = 255
		default:
			img.Pix[i] = uint8(v*255 + 0.5)
		}
	}
	return img
}
