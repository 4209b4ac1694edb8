package render

import (
	"image"
	"image/color"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// LabelFace is the face of the labels drawn into pictures: a 7x13 bitmap
// font, legible at any scale with pixel scaling.
var LabelFace = basicfont.Face7x13

// Labelled returns img with a column of width pixels at its left holding
// one label per row band of height rowHeight, starting top pixels down,
// each in its colour (nil: light grey), on the grey of Tile's padding.
func Labelled(img *image.Gray, labels []string, colors []color.Color, width, top, rowHeight int) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, width+b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.Gray{Y: 48}), image.Point{}, draw.Src)
	draw.Draw(out, image.Rect(width, 0, width+b.Dx(), b.Dy()), img, b.Min, draw.Src)
	for i, text := range labels {
		c := color.Color(color.Gray{Y: 220})
		if i < len(colors) && colors[i] != nil {
			c = colors[i]
		}
		d := font.Drawer{Dst: out, Src: image.NewUniform(c), Face: LabelFace,
			Dot: fixed.P(4, top+i*rowHeight+rowHeight/2+LabelFace.Ascent/2)}
		d.DrawString(text)
	}
	return out
}
