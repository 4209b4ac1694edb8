package ui

import (
	"bufio"
	"fmt"
	"image/png"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"latentlab/app"
	"latentlab/model"
	"latentlab/model/render"
	"latentlab/model/safefile"
)

// showError reports err in a dialog; the app keeps running.
func showError(win fyne.Window, err error) {
	fyne.LogError("latentlab", err)
	if win != nil {
		dialog.ShowError(err, win)
	}
}

// saveCheckpoint asks where to save s's model and saves it atomically.
func saveCheckpoint(win fyne.Window, s *app.Session) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			showError(win, err)
			return
		}
		if w == nil {
			return
		}
		path := w.URI().Path()
		w.Close() // the session writes the file itself, atomically
		if err := s.SaveCheckpoint(path); err != nil {
			showError(win, err)
			return
		}
		dialog.ShowInformation("Saved", fmt.Sprintf("Saved the %s to %s", s.Kind(), path), win)
	}, win)
	d.SetFileName(string(s.Kind()) + ".safetensors")
	d.Show()
}

// loadCheckpoint asks for a checkpoint and loads it into s.
func loadCheckpoint(win fyne.Window, s *app.Session, after func()) {
	dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			showError(win, err)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		if err := s.LoadCheckpoint(path); err != nil {
			showError(win, err)
			return
		}
		after()
	}, win).Show()
}

// exportFile asks for a file name and writes it atomically with write.
func exportFile(win fyne.Window, name string, write func(w io.Writer) error) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			showError(win, err)
			return
		}
		if w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		if err := safefile.WriteFile(path, write); err != nil {
			showError(win, err)
			return
		}
		dialog.ShowInformation("Exported", "Wrote "+path, win)
	}, win)
	d.SetFileName(name)
	d.Show()
}

// writeCodesCSV writes the codes of the test set under s (AE, VAE: the
// posterior means) with their labels: label, z0, z1, ...
func writeCodesCSV(w io.Writer, s *model.Snapshot, data *app.Data) error {
	codes, err := model.EncodeSet(s, data.Test)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	n, d := codes.Dims()
	fmt.Fprint(bw, "label")
	for j := 0; j < d; j++ {
		fmt.Fprintf(bw, ",z%d", j)
	}
	fmt.Fprintln(bw)
	for i := 0; i < n; i++ {
		fmt.Fprint(bw, data.Test.Labels[i])
		for _, v := range codes.RawRowView(i) {
			fmt.Fprintf(bw, ",%.6g", v)
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}

// writeManifoldPNG writes the 20x20 manifold of s over its default plane.
func writeManifoldPNG(w io.Writer, s *model.Snapshot, data *app.Data) error {
	plane, err := model.DefaultPlane(s, data.Test.Head(padDots), 0, min(1, s.LatentDim()-1))
	if err != nil {
		return err
	}
	grid, err := s.Manifold(plane, 20)
	if err != nil {
		return err
	}
	cfg := s.Config()
	img, err := render.Tile(grid, cfg.ImageRows, cfg.ImageCols, 20, 2)
	if err != nil {
		return err
	}
	return png.Encode(w, img)
}
