// Package render turns decoded digits into pictures: grids of images as
// PNG files, written atomically.
package render

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"

	"gonum.org/v1/gonum/mat"

	"latentlab/model/infra/safefile"
)

// Tile lays out the rows of images (each an h x w picture, pixels in
// [0, 1]) on a grid of cols columns, row by row, with pad pixels of grey
// between them. Digits are drawn white on black, as MNIST stores them.
func Tile(images *mat.Dense, h, w, cols, pad int) (*image.Gray, error) {
	n, d := images.Dims()
	if d != h*w {
		return nil, fmt.Errorf("render: images have %d pixels, not %dx%d", d, h, w)
	}
	if cols < 1 || pad < 0 {
		return nil, fmt.Errorf("render: bad layout: %d columns, %d padding", cols, pad)
	}
	rows := (n + cols - 1) / cols
	img := image.NewGray(image.Rect(0, 0, cols*w+(cols+1)*pad, rows*h+(rows+1)*pad))
	for i := range img.Pix {
		img.Pix[i] = 48
	}
	for k := 0; k < n; k++ {
		x0 := pad + (k%cols)*(w+pad)
		y0 := pad + (k/cols)*(h+pad)
		row := images.RawRowView(k)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				img.SetGray(x0+x, y0+y, color.Gray{Y: toByte(row[y*w+x])})
			}
		}
	}
	return img, nil
}

func toByte(v float64) uint8 {
	if math.IsNaN(v) {
		return 0
	}
	return uint8(math.Round(math.Min(math.Max(v, 0), 1) * 255))
}

// WritePNG encodes img as PNG to path atomically (temp file, fsync, rename).
func WritePNG(path string, img image.Image) error {
	if err := safefile.WriteFile(path, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
		return fmt.Errorf("render: write %s: %w", path, err)
	}
	return nil
}
