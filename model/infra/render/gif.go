package render

import (
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"io"

	"gonum.org/v1/gonum/mat"

	"latentlab/model/infra/safefile"
)

// grey is the palette of the GIFs: 256 levels of grey.
var grey = func() color.Palette {
	p := make(color.Palette, 256)
	for i := range p {
		p[i] = color.Gray{Y: uint8(i)}
	}
	return p
}()

// Sweep animates a traversal, as disentanglement_lib's traversal GIFs do:
// images holds rows sweeps of steps images each (sweep r's images are
// rows r·steps to (r+1)·steps-1, each an h x w picture), and frame t shows
// every sweep's image t, tiled cols to a line with pad pixels between;
// the frames run forward and back, delay hundredths of a second each.
func Sweep(images *mat.Dense, rows, steps, h, w, cols, pad, delay int) (*gif.GIF, error) {
	n, _ := images.Dims()
	if rows < 1 || steps < 2 || n != rows*steps {
		return nil, fmt.Errorf("render: sweep of %d images as %d rows of %d steps", n, rows, steps)
	}
	_, d := images.Dims()
	var g gif.GIF
	order := make([]int, 0, 2*steps-2)
	for t := range steps {
		order = append(order, t)
	}
	for t := steps - 2; t > 0; t-- {
		order = append(order, t)
	}
	frame := mat.NewDense(rows, d, nil)
	for _, t := range order {
		for r := range rows {
			frame.SetRow(r, images.RawRowView(r*steps+t))
		}
		tile, err := Tile(frame, h, w, cols, pad)
		if err != nil {
			return nil, err
		}
		p := image.NewPaletted(tile.Bounds(), grey)
		copy(p.Pix, tile.Pix) // grey level v is palette entry v
		g.Image = append(g.Image, p)
		g.Delay = append(g.Delay, delay)
	}
	return &g, nil
}

// WriteGIF encodes g to path atomically (temp file, fsync, rename).
func WriteGIF(path string, g *gif.GIF) error {
	if err := safefile.WriteFile(path, func(w io.Writer) error { return gif.EncodeAll(w, g) }); err != nil {
		return fmt.Errorf("render: write %s: %w", path, err)
	}
	return nil
}
