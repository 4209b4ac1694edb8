package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// A z readout shows as many coordinates as fit its width, says how many
// more there are, and never asks its column to widen.
func TestTextLine_ZReadoutFitsItsWidth(t *testing.T) {
	test.NewTempApp(t)
	z := make([]float64, 16)
	for i := range z {
		z[i] = float64(i) - 7.5
	}
	line := newTextLine()
	line.setShortened(formatZ(z), shortZ(z))
	w := test.NewTempWindow(t, line)
	_ = w
	r := test.TempWidgetRenderer(t, line).(*textLineRenderer)

	if min := line.MinSize().Width; min > 60 {
		t.Errorf("the readout asks for %.0f wide; it should leave the width to its column", min)
	}
	for _, width := range []float32{1000, 400, 250, 120} {
		line.Resize(fyne.NewSize(width, line.MinSize().Height))
		shown := r.text.Text
		if got := fyne.MeasureText(shown, r.text.TextSize, r.text.TextStyle).Width; got > width {
			t.Errorf("width %.0f: %q is %.0f wide", width, shown, got)
		}
		if !strings.HasPrefix(shown, "z = (-7.50") {
			t.Errorf("width %.0f: %q does not start with z's first coordinate", width, shown)
		}
		if width == 1000 && shown != formatZ(z) {
			t.Errorf("width 1000: %q, want the whole readout %q", shown, formatZ(z))
		}
		if width < 1000 && width >= 250 && !strings.Contains(shown, "more)") {
			t.Errorf("width %.0f: %q does not say how many coordinates it leaves out", width, shown)
		}
	}
	if line.Text != formatZ(z) {
		t.Errorf("Text %q, want the whole readout", line.Text)
	}

	line.SetText(strings.Repeat("a long message ", 20))
	line.Resize(fyne.NewSize(200, line.MinSize().Height))
	if shown := r.text.Text; !strings.HasSuffix(shown, "…") || fyne.MeasureText(shown, r.text.TextSize, r.text.TextStyle).Width > 200 {
		t.Errorf("a long message shows as %q in 200", shown)
	}
}

func TestFormatZ_AllUpToSevenElseSixAndHowManyMore(t *testing.T) {
	if got, want := formatZ([]float64{1, -2}), "z = (+1.00, -2.00)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := formatZ(make([]float64, 9)), "z = (+0.00, +0.00, +0.00, +0.00, +0.00, +0.00, … 3 more)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := shortZ(make([]float64, 9))(30), "z = (+0.00, +0.00, … 7 more)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
