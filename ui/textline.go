package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// textLine is one line of monospace text that fits its width and never
// widens its container: a text too long for it is shortened (by the
// owner's shorten, or cut with an ellipsis). It is what a value changing
// at every drag event needs: a canvas.Text shaped once per change, where a
// widget.Label with truncation lays out and shapes its text several times
// on the UI goroutine.
type textLine struct {
	widget.BaseWidget

	// Text is the whole text; what shows may be shorter.
	Text     string
	shorten  func(chars int) string // Text in at most chars characters, or nil
	minChars int                    // the width it asks for, in characters (0: a few)
}

// newTextLine returns an empty line.
func newTextLine() *textLine {
	t := &textLine{}
	t.ExtendBaseWidget(t)
	return t
}

// SetText shows text, cut with an ellipsis where it does not fit.
func (t *textLine) SetText(text string) {
	t.Text, t.shorten = text, nil
	t.Refresh()
}

// setShortened shows text, or where it does not fit what shorten makes of
// it for the characters that do.
func (t *textLine) setShortened(text string, shorten func(chars int) string) {
	t.Text, t.shorten = text, shorten
	t.Refresh()
}

// CreateRenderer is part of fyne.Widget.
func (t *textLine) CreateRenderer() fyne.WidgetRenderer {
	text := canvas.NewText("", theme.Color(theme.ColorNameForeground))
	text.TextStyle = fyne.TextStyle{Monospace: true}
	r := &textLineRenderer{line: t, text: text}
	r.Refresh()
	return r
}

type textLineRenderer struct {
	line *textLine
	text *canvas.Text
	char fyne.Size // one monospace character at the text's size; zero until measured
	size fyne.Size
}

// charSize is the size of one character, measured once per text size:
// every line of monospace text is as high as one, and as wide as its
// characters.
func (r *textLineRenderer) charSize() fyne.Size {
	if r.char.Width == 0 {
		r.char = fyne.MeasureText("0", r.text.TextSize, r.text.TextStyle)
	}
	return r.char
}

// fitted returns what shows in a width of w.
func (r *textLineRenderer) fitted(w float32) string {
	text := r.line.Text
	chars := int((w-2*theme.InnerPadding())/r.charSize().Width + 0.01) // 0.01: a width of exactly n characters holds n
	if chars <= 0 {
		return "" // not laid out yet, or no room at all
	}
	if len([]rune(text)) <= chars {
		return text
	}
	if r.line.shorten != nil {
		if s := r.line.shorten(chars); len([]rune(s)) <= chars {
			return s
		}
	}
	return string([]rune(text)[:chars-1]) + "…"
}

func (r *textLineRenderer) Layout(size fyne.Size) {
	r.size = size
	r.text.Text = r.fitted(size.Width)
	h := r.charSize().Height
	r.text.Move(fyne.NewPos(theme.InnerPadding(), (size.Height-h)/2))
	r.text.Resize(fyne.NewSize(max(0, size.Width-2*theme.InnerPadding()), h))
}

// MinSize is one line's height and minChars characters' width (a few
// when unset: the container decides the width).
func (r *textLineRenderer) MinSize() fyne.Size {
	c := r.charSize()
	w := 4 * theme.InnerPadding()
	if n := r.line.minChars; n > 0 {
		w = float32(n)*c.Width + 2*theme.InnerPadding()
	}
	return fyne.NewSize(w, c.Height+2*theme.InnerPadding())
}

func (r *textLineRenderer) Refresh() {
	r.text.Color = theme.Color(theme.ColorNameForeground)
	if size := theme.TextSize(); size != r.text.TextSize {
		r.text.TextSize, r.char = size, fyne.Size{}
	}
	r.Layout(r.size)
	r.text.Refresh()
}

func (r *textLineRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.text} }

func (r *textLineRenderer) Destroy() {}

// formatZ writes a point's coordinates: all of them up to seven, else the
// first six and how many more.
func formatZ(z []float64) string {
	if len(z) > 7 {
		return formatZFirst(z, 6)
	}
	return formatZFirst(z, len(z))
}

// formatZFirst writes the first n of z's coordinates and how many more
// there are.
func formatZFirst(z []float64, n int) string {
	var b strings.Builder
	b.WriteString("z = (")
	for i, x := range z[:n] {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%+.2f", x)
	}
	if n < len(z) {
		if n > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "… %d more", len(z)-n)
	}
	b.WriteString(")")
	return b.String()
}

// shortZ returns the shortener of a z readout: as many leading
// coordinates as fit in so many characters.
func shortZ(z []float64) func(chars int) string {
	return func(chars int) string {
		for n := min(len(z), 6); n > 0; n-- {
			if s := formatZFirst(z, n); len([]rune(s)) <= chars {
				return s
			}
		}
		return formatZFirst(z, 0)
	}
}
