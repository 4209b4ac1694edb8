package ui

import (
	"fmt"
	"image/png"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"latentlab/app"
	"latentlab/model/infer"
	"latentlab/model/infra/render"
	"latentlab/model/infra/safefile"
)

// showError reports err in a dialog; the app keeps running.
func showError(win fyne.Window, err error) {
	fyne.LogError("latentlab", err)
	if win != nil {
		dialog.ShowError(err, win)
	}
}

// askSavePath asks where to save a file named name and calls save with the
// chosen path; the callee writes the file itself, atomically.
func askSavePath(win fyne.Window, name string, save func(path string) error, done string) {
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
		if err := save(path); err != nil {
			showError(win, err)
			return
		}
		dialog.ShowInformation("Saved", done+" "+path, win)
	}, win)
	d.SetFileName(name)
	d.Show()
}

// saveCheckpoint asks where to save s's model and saves it atomically.
func saveCheckpoint(win fyne.Window, s *app.Session) {
	askSavePath(win, string(s.Kind())+".safetensors", s.SaveCheckpoint, fmt.Sprintf("Saved the %s to", s.Kind()))
}

// loadCheckpoint asks for a checkpoint and loads it into s.
func loadCheckpoint(win fyne.Window, s *app.Session, after func()) {
	askOpenPath(win, func(path string) error {
		if err := s.LoadCheckpoint(path); err != nil {
			return err
		}
		after()
		return nil
	})
}

// openModel asks for a model file (a latentlab checkpoint, or a PyTorch
// state_dict of latentlab's architectures) and loads it into the session
// of its kind.
func openModel(win fyne.Window, lab *app.Lab, after func()) {
	askOpenPath(win, func(path string) error {
		kind, err := lab.OpenModel(path)
		if err != nil {
			return err
		}
		after()
		dialog.ShowInformation("Opened", fmt.Sprintf("Opened %s as the %s.", path, strings.ToUpper(string(kind))), win)
		return nil
	})
}

// openPretrained opens the shipped model spec (pretrained:NAME) in the view
// of its kind, paused, and says so; the other models go on training.
func openPretrained(win fyne.Window, lab *app.Lab, spec string, after func()) {
	kind, err := lab.OpenModel(spec)
	if err != nil {
		showError(win, err)
		return
	}
	after()
	dialog.ShowInformation("Opened", fmt.Sprintf("Opened the pretrained %s as the %s, paused: explore it while the others train. "+
		"Reset the %s's run to train a new one.", pretrainedLabel(spec), strings.ToUpper(string(kind)), strings.ToUpper(string(kind))), win)
}

// pretrainedLabel names a shipped model for a menu: "VAE, convolutional"
// for pretrained:vae-conv.
func pretrainedLabel(spec string) string {
	kind, arch, _ := strings.Cut(strings.TrimPrefix(spec, app.PretrainedPrefix), "-")
	family := map[string]string{"mlp": "fully connected", "conv": "convolutional"}[arch]
	if family == "" {
		family = arch
	}
	return strings.ToUpper(kind) + ", " + family
}

// askOpenPath asks for a file and calls open with its path; an error is
// shown, and the app goes on.
func askOpenPath(win fyne.Window, open func(path string) error) {
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
		if err := open(path); err != nil {
			showError(win, err)
		}
	}, win).Show()
}

// exportFile asks for a file name and writes it atomically with write.
func exportFile(win fyne.Window, name string, write func(w io.Writer) error) {
	askSavePath(win, name, func(path string) error { return safefile.WriteFile(path, write) }, "Wrote")
}

// writeCodesCSV writes the codes of the test set under s (AE, VAE: the
// posterior means) with their labels and their coordinates along the
// codes' first two principal components: label, z0, z1, ..., pc1, pc2.
func writeCodesCSV(w io.Writer, s *infer.Snapshot, data *app.Data) error {
	e, err := app.Explore(s, data.Test, app.ExploreOptions{Components: 2})
	if err != nil {
		return err
	}
	return app.WriteCodesCSV(w, e.Codes, data.Test.Labels, e.Scores, nil)
}

// writeManifoldPNG writes the 20x20 manifold of s over its default plane.
func writeManifoldPNG(w io.Writer, s *infer.Snapshot, data *app.Data) error {
	plane, err := infer.DefaultPlane(s, data.Test.Head(padDots), 0, min(1, s.LatentDim()-1))
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
