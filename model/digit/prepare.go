package digit

import (
	"image"
	"math"

	"golang.org/x/image/draw"
)

// MNIST's geometry: the ink's bounding box is scaled to fit Box x Box
// pixels, in a Frame x Frame image, and its centre of mass moved to pixel
// (Centre, Centre), counting from 0: where the data's digits have theirs
// (a mean of 14.01, 13.99 over a thousand test digits).
const (
	Box    = 20
	Frame  = 28
	Centre = Frame / 2
)

// inkLevel is the least ink value counted in the bounding box: fainter
// pixels (anti-aliasing, scanner noise) do not stretch it.
const inkLevel = 0.1

// Prepare returns img as a Frame x Frame digit of the data's format, pixel
// values in [0, 1] (ink 1), row-major: the data set's own float32 levels,
// as the models take them. An image already Frame x Frame is
// taken to be in the data's format and kept where it is (only made light
// on dark, and rounded to the data's 256 levels); any other is cropped to
// its ink's bounding box, scaled with anti-aliasing (Catmull-Rom, widened
// when shrinking) so that its longer side is Box pixels, and placed with
// its centre of mass at (Centre, Centre).
func Prepare(img image.Image) ([]float64, error) {
	ink, w, h, err := Ink(img)
	if err != nil {
		return nil, err
	}
	if w == Frame && h == Frame {
		return levels(asIs(img)), nil
	}
	x0, y0, x1, y1 := inkBox(ink, w, h)
	bw, bh := x1-x0, y1-y0
	scale := float64(Box) / float64(max(bw, bh))
	sw, sh := max(1, int(math.Round(float64(bw)*scale))), max(1, int(math.Round(float64(bh)*scale)))
	src := image.NewGray16(image.Rect(0, 0, bw, bh))
	for y := range bh {
		for x := range bw {
			v := uint16(math.Round(ink[(y0+y)*w+x0+x] * 0xffff))
			src.Pix[y*src.Stride+2*x], src.Pix[y*src.Stride+2*x+1] = uint8(v>>8), uint8(v)
		}
	}
	dst := image.NewGray16(image.Rect(0, 0, sw, sh))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	box := make([]float64, sw*sh)
	for y := range sh {
		for x := range sw {
			box[y*sw+x] = float64(dst.Gray16At(x, y).Y) / 0xffff
		}
	}
	cx, cy := centreOfMass(box, sw, sh)
	ox, oy := round(Centre-cx), round(Centre-cy)
	out := make([]float64, Frame*Frame)
	for y := range sh {
		for x := range sw {
			if fx, fy := ox+x, oy+y; fx >= 0 && fx < Frame && fy >= 0 && fy < Frame {
				out[fy*Frame+fx] = box[y*sw+x]
			}
		}
	}
	return levels(out), nil
}

// asIs returns a Frame x Frame image's ink without stretching: luminance,
// made light on dark.
func asIs(img image.Image) []float64 {
	b := img.Bounds()
	v := make([]float64, Frame*Frame)
	for y := range Frame {
		for x := range Frame {
			v[y*Frame+x] = luminance(img.At(b.Min.X+x, b.Min.Y+y).RGBA())
		}
	}
	if median(border(append([]float64(nil), v...), Frame, Frame)) > 0.5 {
		for i := range v {
			v[i] = 1 - v[i]
		}
	}
	return v
}

// levels rounds values in [0, 1], in place, to the data's 256 levels as
// the data set holds them: float32(byte) / 255.
func levels(v []float64) []float64 {
	for i, x := range v {
		v[i] = float64(float32(uint8(math.Round(min(1, max(0, x))*255))) / 255)
	}
	return v
}

// inkBox returns the bounding box [x0, x1) x [y0, y1) of the pixels of at
// least inkLevel.
func inkBox(ink []float64, w, h int) (x0, y0, x1, y1 int) {
	x0, y0, x1, y1 = w, h, 0, 0
	for y := range h {
		for x := range w {
			if ink[y*w+x] >= inkLevel {
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x+1), max(y1, y+1)
			}
		}
	}
	return x0, y0, x1, y1
}
