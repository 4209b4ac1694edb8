package ui

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/gonum/floats"
)

// A pad column's sliders run over the latent axes, z0, z1, ..., or, while
// its plane has a principal direction for an axis, over the principal
// directions, PC1, PC2, ...: each slider holds the point's coordinate
// along its direction, and moving it moves the point along that
// direction alone. The readout always shows z itself.

// sliderSet says what a column's sliders run over: their names, their
// unit directions (nil: the latent axes) and their ranges.
type sliderSet struct {
	names  []string
	dirs   [][]float64
	lo, hi []float64
}

// axisSliders is the set of the d latent axes over [lo, hi].
func axisSliders(lo, hi []float64) sliderSet {
	s := sliderSet{lo: lo, hi: hi}
	for i := range lo {
		s.names = append(s.names, fmt.Sprintf("z%d", i))
	}
	return s
}

// coord returns z's coordinate along slider i.
func (s sliderSet) coord(i int, z []float64) float64 {
	if s.dirs == nil {
		return z[i]
	}
	return floats.Dot(z, s.dirs[i])
}

// moved returns z moved along slider i to coordinate x.
func (s sliderSet) moved(i int, z []float64, x float64) []float64 {
	out := slices.Clone(z)
	if s.dirs == nil {
		out[i] = x
	} else {
		floats.AddScaled(out, x-s.coord(i, z), s.dirs[i])
	}
	return out
}

// sameKind reports whether s and t have the same sliders (names and
// directions), whatever their ranges.
func (s sliderSet) sameKind(t sliderSet) bool {
	if !slices.Equal(s.names, t.names) || len(s.dirs) != len(t.dirs) {
		return false
	}
	for i := range s.dirs {
		if !slices.Equal(s.dirs[i], t.dirs[i]) {
			return false
		}
	}
	return true
}

// setSliders makes set the column's sliders, rebuilding the widgets only
// when the sliders themselves change (not their ranges).
func (c *padColumn) setSliders(set sliderSet) {
	rebuild := !c.sliderSet.sameKind(set) || len(c.sliders) != len(set.names)
	c.sliderSet = set
	if !rebuild {
		return
	}
	c.sliders, c.values = nil, nil
	c.sliderUI.RemoveAll()
	for i, name := range set.names {
		sl := widget.NewSlider(set.lo[i], set.hi[i])
		sl.Step = 0.01
		val := newTextLine()
		val.minChars = len("+000.00") // an AE's codes can reach the hundreds
		sl.OnChanged = func(x float64) {
			if i >= len(c.sliderSet.names) || c.sliderSet.coord(i, c.z) == x {
				return
			}
			c.view.setZ(c, c.sliderSet.moved(i, c.z, x))
		}
		c.sliders = append(c.sliders, sl)
		c.values = append(c.values, val)
		c.sliderUI.Add(container.NewBorder(nil, nil, widget.NewLabel(name), val, sl))
	}
}

// showSliders puts z's coordinates on the sliders, widening a range that
// z lies beyond.
func (c *padColumn) showSliders(z []float64) {
	for i, sl := range c.sliders {
		x := c.sliderSet.coord(i, z)
		lo, hi := min(c.sliderSet.lo[i], x), max(c.sliderSet.hi[i], x)
		if sl.Value != x || sl.Min != lo || sl.Max != hi {
			sl.Min, sl.Max = lo, hi
			sl.Value = x
			sl.Refresh()
		}
		if text := fmt.Sprintf("%+.2f", x); c.values[i].Text != text {
			c.values[i].SetText(text)
		}
	}
}
