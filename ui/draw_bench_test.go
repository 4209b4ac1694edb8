package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"latentlab/app"
	"latentlab/model/digit"
)

// BenchmarkDraw_StrokeToAnswers is the UI goroutine's work for one drag
// event on the drawing pad, with the default models and the embedded
// MNIST (no training): the drawing prepared as MNIST's digits were, and
// answered by the AE and VAE, with every label and pad updated.
func BenchmarkDraw_StrokeToAnswers(b *testing.B) {
	data, err := app.LoadData("", 5000, 1)
	if err != nil {
		b.Fatal(err)
	}
	lab, err := app.NewLab(data, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer lab.Close()
	test.NewTempApp(b)
	w := test.NewTempWindow(b, nil)
	m := newMainUI(lab, w, nil)
	w.SetContent(m.content)
	w.Resize(fyne.NewSize(1400, 950))
	m.tabs.SelectIndex(tabDraw)
	v := m.draw
	drawSeven(v.pad)
	img := v.pad.InkImage(drawSide, drawSide)
	b.Run("prepare", func(b *testing.B) {
		for b.Loop() {
			if _, err := digit.Prepare(img); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			v.update(false)
		}
	})
}
