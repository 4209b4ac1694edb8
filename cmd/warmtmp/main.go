package main

import (
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
	_ "fyne.io/fyne/v2/test"
	_ "gonum.org/v1/plot/vg/vgimg"
	_ "fyne.io/fyne/v2/dialog"
)

func main() { a := app.New(); w := a.NewWindow("x"); w.SetContent(widget.NewLabel("x")); _ = w }
