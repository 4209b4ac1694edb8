package ui

import (
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// imageExtensions are the files a drop takes for a digit to answer; any
// other file dropped is opened as a model.
var imageExtensions = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true}

// dropped handles files dropped on the window (UI goroutine): an image is
// answered on the Draw tab, any other file is opened as a model (a
// latentlab checkpoint or a PyTorch state_dict). A bad file gets its error
// and the app goes on.
func (m *mainUI) dropped(_ fyne.Position, uris []fyne.URI) {
	for _, u := range uris {
		if err := m.openDropped(u); err != nil {
			showError(m.win, err)
		}
	}
}

// openDropped opens one dropped file.
func (m *mainUI) openDropped(u fyne.URI) error {
	if u.Scheme() != "file" {
		return fmt.Errorf("%s: only files can be dropped here", u)
	}
	path := u.Path()
	if imageExtensions[strings.ToLower(filepath.Ext(path))] {
		m.tabs.SelectIndex(tabDraw)
		return m.draw.loadImageFile(path)
	}
	kind, err := m.lab.OpenModel(path)
	if err != nil {
		return err
	}
	m.tick()
	dialog.ShowInformation("Opened", fmt.Sprintf("Opened %s as the %s.", path, strings.ToUpper(string(kind))), m.win)
	return nil
}
