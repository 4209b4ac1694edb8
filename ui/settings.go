package ui

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
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

// settingField binds one entry to one Config field.
type settingField struct {
	entry *widget.Entry
	set   func(c *model.Config, s string) error
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
	intField("Latent dimension", "needs reset", cfg.LatentDim, func(c *model.Config, n int) { c.LatentDim = n })
	if cfg.Kind != model.KindClassifier {
		f.add("Architecture", "mlp (the default: learns faster in the first minutes), or conv (convolutional: slower steps; after ten epochs the GAN's digits are far cleaner, see File > Open pretrained model); needs reset", string(cfg.Family()), func(c *model.Config, s string) error {
			a, err := model.ParseArch(s)
			c.Arch = a
			return err
		})
	}
	f.add("Hidden layers", "widths (mlp) or two channel counts (conv), comma-separated; needs reset", joinInts(cfg.Hidden), func(c *model.Config, s string) error {
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
	intField("Training images", "0 = all; a few hundred, without dropout, weight decay or early stopping, overfit on purpose; needs reset", cfg.TrainSize, func(c *model.Config, n int) { c.TrainSize = n })
	intField("Epochs", "", cfg.Epochs, func(c *model.Config, n int) { c.Epochs = n })
	intField("Batch size", "needs reset", cfg.BatchSize, func(c *model.Config, n int) { c.BatchSize = n })
	f.add("Optimizer", "adam, rmsprop or sgd; needs reset", string(cfg.Optimizer), func(c *model.Config, s string) error {
		c.Optimizer = model.Optimizer(strings.ToLower(strings.TrimSpace(s)))
		return nil
	})
	floatField("Learning rate", "", cfg.LearningRate, func(c *model.Config, x float64) { c.LearningRate = x })
	f.add("LR schedule", "constant, step, exp or cosine", string(cfg.Schedule), func(c *model.Config, s string) error {
		c.Schedule = model.Schedule(strings.ToLower(strings.TrimSpace(s)))
		return nil
	})
	floatField("Decay rate", "step and exp schedules", cfg.DecayRate, func(c *model.Config, x float64) { c.DecayRate = x })
	intField("Decay every", "epochs, step schedule", cfg.DecayEvery, func(c *model.Config, n int) { c.DecayEvery = n })
	floatField("β1 / momentum", "", cfg.Beta1, func(c *model.Config, x float64) { c.Beta1 = x })
	floatField("β2", "", cfg.Beta2, func(c *model.Config, x float64) { c.Beta2 = x })
	floatField("Dropout", "0 to <1; needs reset", cfg.Dropout, func(c *model.Config, x float64) { c.Dropout = x })
	floatField("Weight decay", "L2 on weights", cfg.WeightDecay, func(c *model.Config, x float64) { c.WeightDecay = x })
	if cfg.Kind != model.KindGAN {
		intField("Early stopping patience", "epochs; 0 = off", cfg.Patience, func(c *model.Config, n int) { c.Patience = n })
	}
	if cfg.Kind == model.KindVAE {
		floatField("β (KL weight)", "", cfg.Beta, func(c *model.Config, x float64) { c.Beta = x })
		floatField("KL warm-up", "epochs; 0 = off", cfg.WarmupEpochs, func(c *model.Config, x float64) { c.WarmupEpochs = x })
	}
	if cfg.Kind == model.KindGAN {
		floatField("Label smoothing", "real target 1-s", cfg.LabelSmoothing, func(c *model.Config, x float64) { c.LabelSmoothing = x })
		intField("D steps per G step", "", cfg.DSteps, func(c *model.Config, n int) { c.DSteps = n })
	}
	f.add("Seed", "needs reset", strconv.FormatUint(cfg.Seed, 10), func(c *model.Config, s string) error {
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return fmt.Errorf("seed: %q is not a whole number of 0 or more", s)
		}
		c.Seed = n
		return nil
	})
	return f
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
	f.fields = append(f.fields, settingField{entry: e, set: set})
}

// config returns base with the form's values, or the first error: a field
// that does not parse or a setting out of range.
func (f *settingsForm) config(base model.Config) (model.Config, error) {
	c := base
	c.Hidden = slices.Clone(base.Hidden)
	for _, fl := range f.fields {
		if err := fl.set(&c, fl.entry.Text); err != nil {
			return base, err
		}
	}
	// A new architecture whose sizes were left as they were gets its own
	// defaults (channels for conv, widths for mlp).
	if c.Family() != base.Family() && slices.Equal(c.Hidden, base.Hidden) {
		c = c.WithArch(c.Family())
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
	d := dialog.NewForm(fmt.Sprintf("%s settings", strings.ToUpper(string(s.Kind()))), "Apply", "Cancel", form.items, func(ok bool) {
		if ok {
			v.applySettings(s, form)
		}
	}, v.win)
	d.Resize(fyne.NewSize(520, 640))
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
			"Latent dimension, hidden layers, batch size, dropout, optimizer, training images and seed need new weights.\nReset the "+strings.ToUpper(string(s.Kind()))+" and start over from the seed?",
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
		cfg := model.DefaultConfig(k)
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
