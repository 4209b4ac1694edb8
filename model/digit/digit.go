// Package digit turns a person's image of a digit (a drawing, a scan, a
// photo) into an image of the data's format, preprocessed as MNIST's were
// (LeCun et al. 1998, "Gradient-based learning applied to document
// recognition"; http://yann.lecun.com/exdb/mnist/): light ink on a dark
// ground, the ink's bounding box scaled with anti-aliasing to fit a 20x20
// box (aspect kept), then placed in the 28x28 frame so that its centre of
// mass lies at its centre.
package digit

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // the formats Read takes
	_ "image/jpeg"
	_ "image/png"
	"io"
	"math"
	"slices"
)

// Limits on what Read decodes: a file or an image beyond them is refused
// before any large allocation (a crafted header may claim any size).
const (
	MaxFileBytes = 64 << 20   // 64 MiB
	MaxPixels    = 36_000_000 // 6000 x 6000, a large phone photo
)

// ErrNoInk is returned for an image with nothing drawn on it.
var ErrNoInk = errors.New("the image holds no ink: it is one even tone")

// Read decodes the PNG, JPEG or GIF image in r, named name in errors. A
// file that is not an image, is empty, larger than MaxFileBytes, or claims
// more than MaxPixels pixels (checked from its header, before decoding)
// is an error.
func Read(r io.Reader, name string) (image.Image, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	switch {
	case len(data) == 0:
		return nil, fmt.Errorf("%s: the file is empty", name)
	case len(data) > MaxFileBytes:
		return nil, fmt.Errorf("%s: the file is larger than %d MiB", name, MaxFileBytes>>20)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: not a PNG, JPEG or GIF image: %w", name, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%s: the %s image is %d x %d pixels", name, format, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, fmt.Errorf("%s: the %s image is %d x %d pixels, more than the %d million this reads", name, format, cfg.Width, cfg.Height, MaxPixels/1_000_000)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: the %s image does not decode: %w", name, format, err)
	}
	return img, nil
}

// Ink returns img as ink values in [0, 1], row-major, with its width and
// height: its luminance (ITU-R BT.601 weights, as Go's color.GrayModel)
// composited over white, inverted when the image is dark ink on a light
// ground (told by the median of its border), the ground's level taken away
// and the brightest ink stretched to 1. An image of one even tone is
// ErrNoInk.
func Ink(img image.Image) (ink []float64, w, h int, err error) {
	b := img.Bounds()
	w, h = b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return nil, 0, 0, fmt.Errorf("the image is %d x %d pixels", w, h)
	}
	ink = make([]float64, w*h)
	if g, ok := img.(*image.Gray); ok { // a drawing: its bytes, without a colour per pixel
		for y := range h {
			for x, v := range g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y):][:w] {
				ink[y*w+x] = float64(v) / 255
			}
		}
	} else {
		for y := range h {
			for x := range w {
				// Premultiplied luminance over white: transparent is white.
				r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				ink[y*w+x] = luminance(r, g, bl, a)
			}
		}
	}
	ground := median(border(ink, w, h))
	if ground > 0.5 { // dark ink on a light ground
		for i, v := range ink {
			ink[i] = 1 - v
		}
		ground = 1 - ground
	}
	top := slices.Max(ink)
	if top-ground < 1.0/255 {
		return nil, 0, 0, ErrNoInk
	}
	for i, v := range ink {
		ink[i] = min(1, max(0, (v-ground)/(top-ground)))
	}
	return ink, w, h, nil
}

// luminance returns the luminance of a premultiplied 16-bit colour over
// white, in [0, 1]: 8-bit greys give exactly v/255.
func luminance(r, g, b, a uint32) float64 {
	y := (19595*r + 38470*g + 7471*b + 1<<15) >> 16 // color.Gray16Model's weights
	return float64(y+0xffff-a) / 0xffff
}

// border returns the values on the edge of a w x h image.
func border(v []float64, w, h int) []float64 {
	var out []float64
	for x := range w {
		out = append(out, v[x], v[(h-1)*w+x])
	}
	for y := 1; y < h-1; y++ {
		out = append(out, v[y*w], v[y*w+w-1])
	}
	return out
}

// median returns the median of v (which it sorts).
func median(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// centreOfMass returns the ink-weighted mean column and row of a w x h
// image, in pixel indices (the first pixel's centre is 0).
func centreOfMass(v []float64, w, h int) (cx, cy float64) {
	var sum float64
	for y := range h {
		for x := range w {
			p := v[y*w+x]
			sum += p
			cx += p * float64(x)
			cy += p * float64(y)
		}
	}
	if sum == 0 {
		return float64(w-1) / 2, float64(h-1) / 2
	}
	return cx / sum, cy / sum
}

// round rounds half away from zero to an int.
func round(x float64) int { return int(math.Round(x)) }
