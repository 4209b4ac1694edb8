package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"latentlab/app"
)

// experimentsFor returns the experiments for the card's model.
func (c *trainCard) experimentsFor() []app.Experiment {
	var out []app.Experiment
	for _, e := range app.Experiments {
		if slices.Contains(e.Kinds, c.session.Kind()) {
			out = append(out, e)
		}
	}
	return out
}

// showExperiments offers the card's model the experiments made for it: one
// is picked, its explanation read, and Run resets the model with its
// settings and starts it.
func (c *trainCard) showExperiments() {
	exps := c.experimentsFor()
	if len(exps) == 0 {
		dialog.ShowInformation("Experiments", "No experiment is set up for the "+modelTitle(c.session.Kind())+" yet.", c.view.win)
		return
	}
	var names []string
	for _, e := range exps {
		names = append(names, e.Name)
	}
	watch := widget.NewLabel("")
	watch.Wrapping = fyne.TextWrapWord
	chosen := 0
	pick := widget.NewRadioGroup(names, func(name string) {
		chosen = slices.Index(names, name)
		if chosen >= 0 {
			watch.SetText(exps[chosen].Watch)
		}
	})
	pick.SetSelected(names[0])
	body := container.NewBorder(pick, nil, nil, nil, watch)
	d := dialog.NewCustomConfirm("Experiments: "+modelTitle(c.session.Kind()), "Reset and run", "Cancel", body, func(run bool) {
		if run && chosen >= 0 {
			c.runExperiment(exps[chosen])
		}
	}, c.view.win)
	d.Resize(fyne.NewSize(560, 360))
	d.Show()
}

// runExperiment resets the card's model with e's settings, starts it and
// keeps e's explanation on the card.
func (c *trainCard) runExperiment(e app.Experiment) {
	s := c.session
	if err := s.Reset(e.Apply(s.Config(), c.view.lab.Data.Train.Len())); err != nil {
		showError(c.view.win, err)
		return
	}
	s.Start()
	c.experiment.SetText("Experiment: " + e.Name + ". " + e.Watch)
	c.experiment.Show()
	c.view.tick()
}
