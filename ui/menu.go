package ui

import (
	"image/png"
	"io"
	"strings"

	"fyne.io/fyne/v2"

	"latentlab/app"
	"latentlab/model"
)

// menu builds the window's File menu: checkpoints, picture and data exports.
func (m *mainUI) menu() *fyne.MainMenu {
	var save, load, exportPNG, exportCSV []*fyne.MenuItem
	for _, k := range app.Kinds {
		s := m.lab.Session(k)
		name := strings.ToUpper(string(k))
		save = append(save, fyne.NewMenuItem(name+"…", func() { saveCheckpoint(m.win, s) }))
		load = append(load, fyne.NewMenuItem(name+"…", func() { loadCheckpoint(m.win, s, m.tick) }))
		exportPNG = append(exportPNG, fyne.NewMenuItem(name+" manifold…", func() {
			exportFile(m.win, string(k)+"-manifold.png", func(w io.Writer) error { return writeManifoldPNG(w, s.Snapshot(), m.lab.Data) })
		}))
		exportPNG = append(exportPNG, fyne.NewMenuItem(name+" charts…", func() {
			exportFile(m.win, string(k)+"-charts.png", func(w io.Writer) error { return png.Encode(w, m.train.chartsImage(k)) })
		}))
		exportCSV = append(exportCSV, fyne.NewMenuItem(name+" loss history…", func() {
			exportFile(m.win, string(k)+"-history.csv", func(w io.Writer) error { return app.WriteHistoryCSV(w, s.History()) })
		}))
		if k != model.KindGAN {
			exportCSV = append(exportCSV, fyne.NewMenuItem(name+" codes of the test set…", func() {
				exportFile(m.win, string(k)+"-test-codes.csv", func(w io.Writer) error { return writeCodesCSV(w, s.Snapshot(), m.lab.Data) })
			}))
		}
	}
	sub := func(label string, items []*fyne.MenuItem) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, nil)
		it.ChildMenu = fyne.NewMenu("", items...)
		return it
	}
	window := fyne.NewMenuItem("Window as PNG…", func() {
		img := m.win.Canvas().Capture()
		exportFile(m.win, "latentlab.png", func(w io.Writer) error { return png.Encode(w, img) })
	})
	open := fyne.NewMenuItem("Open model (latentlab or PyTorch)…", func() { openModel(m.win, m.lab, m.tick) })
	var pretrained []*fyne.MenuItem
	for _, spec := range app.Pretrained() {
		pretrained = append(pretrained, fyne.NewMenuItem(pretrainedLabel(spec), func() { openPretrained(m.win, m.lab, spec, m.tick) }))
	}
	file := fyne.NewMenu("File", open, sub("Open pretrained model", pretrained),
		sub("Save checkpoint", save), sub("Load checkpoint", load), fyne.NewMenuItemSeparator(),
		sub("Export PNG", append(exportPNG, window)), sub("Export CSV", exportCSV))
	return fyne.NewMainMenu(file, m.helpMenu())
}
