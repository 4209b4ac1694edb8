package ui

import (
	"fmt"
	"runtime/debug"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"latentlab/app"
)

// shortcuts are the window's keys, as the Help menu lists them.
var shortcuts = [][2]string{
	{"Space", "pause all models, or start them all when none trains"},
	{"Ctrl+S", "save a model's checkpoint (it asks which)"},
	{"Ctrl+O", "open a model (latentlab checkpoint or PyTorch state_dict)"},
	{"Ctrl+1 … Ctrl+5", "Explore, Train, Compare, Draw, Latent"},
	{"Drag / click a pad", "move z; right-click a test digit's dot: see it in Draw"},
	{"Drop a file", "an image is answered on Draw, any other file opens as a model"},
}

// helpMenu is the Help menu: the shortcuts and About.
func (m *mainUI) helpMenu() *fyne.Menu {
	keys := fyne.NewMenuItem("Keyboard shortcuts", func() {
		var b strings.Builder
		for _, s := range shortcuts {
			fmt.Fprintf(&b, "%s — %s\n", s[0], s[1])
		}
		dialog.ShowInformation("Keyboard shortcuts", strings.TrimSpace(b.String()), m.win)
	})
	about := fyne.NewMenuItem("About latentlab", func() { dialog.ShowInformation("About latentlab", aboutText(), m.win) })
	return fyne.NewMenu("Help", keys, about)
}

// aboutText says what the app is, which build, and whose data it embeds.
func aboutText() string {
	version := "development build"
	if a := fyne.CurrentApp(); a != nil && a.Metadata().Version != "" {
		version = "version " + a.Metadata().Version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 7 {
				version += ", commit " + s.Value[:7]
			}
		}
	}
	return "latentlab, " + version + "\n\n" +
		"A latent-space explorer for autoencoders, variational autoencoders and GANs of digits.\n\n" +
		"Data: the MNIST database of handwritten digits, by Yann LeCun, Corinna Cortes and\n" +
		"Christopher J.C. Burges, under the Creative Commons Attribution-Share Alike 3.0 licence."
}

// addShortcuts binds the window's keys.
func (m *mainUI) addShortcuts() {
	c := m.win.Canvas()
	c.SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeySpace {
			m.toggleAll()
		}
	})
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		openModel(m.win, m.lab, m.tick)
	})
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		m.askSave()
	})
	for i, key := range []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5} {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
			m.tabs.SelectIndex(i)
		})
	}
}

// toggleAll pauses every model when one trains, else starts them all.
func (m *mainUI) toggleAll() {
	for _, k := range app.Kinds {
		if m.lab.Session(k).Status().State == app.Running {
			go m.lab.PauseAll() // pausing waits for the steps in flight
			return
		}
	}
	m.lab.StartAll()
	m.tick()
}

// askSave asks which model to save, then where.
func (m *mainUI) askSave() {
	var d dialog.Dialog
	buttons := container.NewHBox()
	for _, k := range app.Kinds {
		s := m.lab.Session(k)
		buttons.Add(widget.NewButton(strings.ToUpper(string(k)), func() {
			d.Hide()
			saveCheckpoint(m.win, s)
		}))
	}
	d = dialog.NewCustom("Save which model's checkpoint?", "Cancel", buttons, m.win)
	d.Show()
}
