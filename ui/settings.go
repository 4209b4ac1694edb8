package ui

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"latentlab/app"
	"latentlab/model"
)

// settingsForm edits a model.Config with inline validation of each field.
type settingsForm struct {
	kind   model.Kind
	items  []*widget.FormItem
	fields []settingField
}

// settingField binds one entry or choice to one Config field.
type settingField struct {
	text func() string // the value as typed or chosen
	put  func(string)  // sets the value, as a person would
	set  func(c *model.Config, s string) error
}

func newSettingsForm(cfg model.Config) *settingsForm {
	f := &settingsForm{kind: cfg.Kind}
	intField := func(label, hint string, v int, set func(*model.Config, int)) {
		f.add(label, hint, strconv.Itoa(v), func(c *model.Config, s string) error {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				return fmt.Errorf("%s: %q is not a whole number", label, s)
			}
			set(c, n)
			return nil
		})
	}
	floatField := func(label, hint string, v float64, set func(*model.Config, float64)) {
		f.add(label, hint, strconv.FormatFloat(v, 'g', -1, 64), func(c *model.Config, s string) error {
			x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return fmt.Errorf("%s: %q is not a number", label, s)
			}
			set(c, x)
			return nil
		})
	}
	intField("Latent dimension", "Latent space: the size of z; 2 fits one pad, more draw better digits. Needs reset.", cfg.LatentDim, func(c *model.Config, n int) { c.LatentDim = n })
	if cfg.Kind != model.KindClassifier {
		f.choose("Architecture", "Quality: mlp learns fast at first; conv draws far cleaner digits. Needs reset.", []string{string(model.ArchMLP), string(model.ArchConv)}, string(cfg.Family()), func(c *model.Config, s string) error {
			a, err := model.ParseArch(s)
			c.Arch = a
			return err
		})
		up := cfg.UpsampleOf()
		if up == "" { // an mlp: conv's default, should the architecture change
			up = model.UpsampleResize
		}
		f.choose("Up-sampling", "Quality: conv only; resize leaves no checkerboard, at the same speed. Needs reset.",
			[]string{string(model.UpsampleResize), string(model.UpsampleTransposed)}, string(up), func(c *model.Config, s string) error {
				u, err := model.ParseUpsample(s)
				c.Upsample = u
				return err
			})
	}
	f.add("Hidden layers", "Capacity: widths (mlp) or two channel counts (conv). Needs reset.", joinInts(cfg.Hidden), func(c *model.Config, s string) error {
		var hs []int
		for _, part := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(part))
			if err != nil {
				return fmt.Errorf("hidden layers: %q is not a whole number", part)
			}
			hs = append(hs, n)
		}
		c.Hidden = hs
		return nil
	})
	intField("Training images", "Overfitting: 0 = all; a few hundred overfit on purpose. Needs reset.", cfg.TrainSize, func(c *model.Config, n int) { c.TrainSize = n })
	intField("Epochs", "Optimisation: passes over the training images.", cfg.Epochs, func(c *model.Config, n int) { c.Epochs = n })
	intField("Batch size", "Optimisation: images per step. Needs reset.", cfg.BatchSize, func(c *model.Config, n int) { c.BatchSize = n })
	f.choose("Optimizer", "Optimisation: Adam and RMSProp adapt each weight's step. Needs reset.", []string{string(model.Adam), string(model.RMSProp), string(model.SGD)}, string(cfg.Optimizer), func(c *model.Config, s string) error {
		c.Optimizer = model.Optimizer(strings.ToLower(strings.TrimSpace(s)))
		return nil
	})
	f.slide("Learning rate", "Optimisation: the step size; too high diverges, too low crawls.", cfg.LearningRate, sliderScale{lo: 1e-5, hi: 10, log: true}, func(c *model.Config, x float64) { c.LearningRate = x })
	f.choose("LR schedule", "Optimisation: how the learning rate decays over the epochs.", []string{string(model.ScheduleConstant), string(model.ScheduleStep), string(model.ScheduleExp), string(model.ScheduleCosine)}, string(cfg.Schedule), func(c *model.Config, s string) error {
		c.Schedule = model.Schedule(strings.ToLower(strings.TrimSpace(s)))
		return nil
	})
	floatField("Decay rate", "Optimisation: the factor of the step and exp schedules.", cfg.DecayRate, func(c *model.Config, x float64) { c.DecayRate = x })
	intField("Decay every", "Optimisation: epochs between the step schedule's decays.", cfg.DecayEvery, func(c *model.Config, n int) { c.DecayEvery = n })
	floatField("β1 / momentum", "Optimisation: the share of past steps each step keeps; GANs: 0.5.", cfg.Beta1, func(c *model.Config, x float64) { c.Beta1 = x })
	floatField("β2", "Optimisation: the memory of Adam's and RMSProp's squared gradients.", cfg.Beta2, func(c *model.Config, x float64) { c.Beta2 = x })
	f.slide("Dropout", "Overfitting: share of hidden units dropped per step. Needs reset.", cfg.Dropout, sliderScale{lo: 0, hi: 0.9}, func(c *model.Config, x float64) { c.Dropout = x })
	f.slide("Weight decay", "Overfitting: pulls every weight towards zero (L2).", cfg.WeightDecay, sliderScale{lo: 1e-6, hi: 1, log: true, zero: true}, func(c *model.Config, x float64) { c.WeightDecay = x })
	if cfg.Kind != model.KindGAN {
		intField("Early stopping patience", "Overfitting: epochs without a better validation loss; 0 = off.", cfg.Patience, func(c *model.Config, n int) { c.Patience = n })
	}
	if cfg.Kind == model.KindVAE {
		f.slide("β (KL weight)", "ELBO balance: the KL term's weight; far above 1 collapses.", cfg.Beta, sliderScale{lo: 0.01, hi: 100, log: true}, func(c *model.Config, x float64) { c.Beta = x })
		f.slide("KL warm-up", "ELBO balance: epochs for the KL weight to reach β; 0 = off.", cfg.WarmupEpochs, sliderScale{lo: 0, hi: 20}, func(c *model.Config, x float64) { c.WarmupEpochs = x })
	}
	if cfg.Kind == model.KindGAN {
		f.slide("Label smoothing", "GAN stability: D aims at 1 − s for real images.", cfg.LabelSmoothing, sliderScale{lo: 0, hi: 0.5}, func(c *model.Config, x float64) { c.LabelSmoothing = x })
		intField("D steps per G step", "GAN stability: discriminator steps per generator step.", cfg.DSteps, func(c *model.Config, n int) { c.DSteps = n })
		f.slide("D learning rate", "GAN stability: D's own step size (two time-scale); 0 = the learning rate.", cfg.DLearningRate, sliderScale{lo: 1e-5, hi: 10, log: true, zero: true}, func(c *model.Config, x float64) { c.DLearningRate = x })
		f.choose("Generator average", "Generation quality: samples from a moving average of G's weights.", averageChoices(cfg.GeneratorAverage), averageText(cfg.GeneratorAverage), func(c *model.Config, s string) error {
			if s = strings.TrimSpace(s); s == "off" {
				c.GeneratorAverage = 0
				return nil
			}
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("generator average: %q is not off or a decay such as 0.999", s)
			}
			c.GeneratorAverage = x
			return nil
		})
	}
	f.add("Seed", "Reproducibility: every random draw comes from it. Needs reset.", strconv.FormatUint(cfg.Seed, 10), func(c *model.Config, s string) error {
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return fmt.Errorf("seed: %q is not a whole number of 0 or more", s)
		}
		c.Seed = n
		return nil
	})
	return f
}

// averageChoices lists the generator averages to choose from, with decay
// among them when it is another (set from the command line).
func averageChoices(decay float64) []string {
	choices := []string{"off", "0.99", "0.999", "0.9999"}
	if !slices.Contains(choices, averageText(decay)) {
		choices = append(choices, averageText(decay))
	}
	return choices
}

// averageText shows a generator average's decay as the setting lists it.
func averageText(decay float64) string {
	if decay == 0 {
		return "off"
	}
	return strconv.FormatFloat(decay, 'g', -1, 64)
}

func (f *settingsForm) add(label, hint, value string, set func(*model.Config, string) error) {
	e := widget.NewEntry()
	e.SetText(value)
	e.Validator = func(s string) error {
		var c model.Config
		return set(&c, s)
	}
	item := widget.NewFormItem(label, e)
	item.HintText = hint
	f.items = append(f.items, item)
	f.fields = append(f.fields, settingField{text: func() string { return e.Text }, put: e.SetText, set: set})
}

// choose adds a setting with a fixed set of values, picked from a list.
func (f *settingsForm) choose(label, hint string, options []string, value string, set func(*model.Config, string) error) {
	sel := widget.NewSelect(options, nil)
	sel.SetSelected(value)
	item := widget.NewFormItem(label, sel)
	item.HintText = hint
	f.items = append(f.items, item)
	f.fields = append(f.fields, settingField{text: func() string { return sel.Selected }, put: sel.SetSelected, set: set})
}

// config returns base with the form's values, or the first error: a field
// that does not parse or a setting out of range.
func (f *settingsForm) config(base model.Config) (model.Config, error) {
	c := base
	c.Hidden = slices.Clone(base.Hidden)
	for _, fl := range f.fields {
		if err := fl.set(&c, fl.text()); err != nil {
			return base, err
		}
	}
	// A new architecture whose sizes were left as they were gets its own
	// defaults (channels for conv, widths for mlp).
	if c.Family() != base.Family() && slices.Equal(c.Hidden, base.Hidden) {
		c = c.WithArch(c.Family())
	}
	if !c.Conv() {
		c.Upsample = "" // the choice stays on the form for conv; an mlp has none
	}
	if err := c.Validate(); err != nil {
		return base, err
	}
	return c, nil
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ",")
}

// showSettings opens the settings of a session. Changes that need new
// weights ask before resetting; bad values show an error and change
// nothing.
func (v *trainView) showSettings(s *app.Session) {
	form := newSettingsForm(s.Config())
	body := container.NewVScroll(widget.NewForm(form.items...))
	d := dialog.NewCustomConfirm(fmt.Sprintf("%s settings", strings.ToUpper(string(s.Kind()))), "Apply", "Cancel", body, func(ok bool) {
		if ok {
			v.applySettings(s, form)
		}
	}, v.win)
	// The fields scroll inside the dialog, whose buttons stay in view in a
	// window of any height.
	win := v.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(640, win.Width-40), max(240, min(760, win.Height-60))))
	d.Show()
}

// applySettings applies the form to s; it returns the error it showed.
func (v *trainView) applySettings(s *app.Session, form *settingsForm) error {
	cur := s.Config()
	next, err := form.config(cur)
	if err != nil {
		showError(v.win, err)
		return err
	}
	apply := func() error {
		if _, err := s.Apply(next); err != nil {
			showError(v.win, err)
			return err
		}
		saveConfig(v.prefs, next)
		v.tick()
		return nil
	}
	next.ImageRows, next.ImageCols = cur.ImageRows, cur.ImageCols
	if cur.NeedsRebuild(next) {
		dialog.ShowConfirm("Reset needed",
			"Architecture, up-sampling, latent dimension, hidden layers, batch size, dropout, optimizer,\ntraining images and seed need new weights. Reset the "+strings.ToUpper(string(s.Kind()))+" and start over from the seed?",
			func(yes bool) {
				if yes {
					apply()
				}
			}, v.win)
		return nil
	}
	return apply()
}

// prefKey is where a kind's settings live in the preferences.
func prefKey(k model.Kind) string { return "config." + string(k) }

// saveConfig stores cfg in the preferences.
func saveConfig(p fyne.Preferences, cfg model.Config) {
	if p == nil {
		return
	}
	b, err := json.Marshal(cfg)
	if err == nil {
		p.SetString(prefKey(cfg.Kind), string(b))
	}
}

// loadConfigs returns the saved settings of each kind; kinds whose saved
// settings are missing or not valid get the defaults, and a notice for the
// user says which and why.
func loadConfigs(p fyne.Preferences) (map[model.Kind]model.Config, []string) {
	out := map[model.Kind]model.Config{}
	var notices []string
	for _, k := range app.Kinds {
		cfg := app.DefaultConfig(k)
		if p != nil {
			if s := p.String(prefKey(k)); s != "" {
				var saved model.Config
				err := json.Unmarshal([]byte(s), &saved)
				if err == nil && saved.Kind != k {
					err = fmt.Errorf("they are a %q model's", saved.Kind)
				}
				if err == nil {
					err = saved.Validate()
				}
				if err == nil {
					cfg = saved
				} else {
					why, _, _ := strings.Cut(strings.TrimPrefix(err.Error(), "invalid settings: "), "\n")
					notices = append(notices, fmt.Sprintf("The saved %s settings could not be used (%s); the %s starts with the defaults.", strings.ToUpper(string(k)), why, strings.ToUpper(string(k))))
				}
			}
		}
		out[k] = cfg
	}
	return out, notices
}
