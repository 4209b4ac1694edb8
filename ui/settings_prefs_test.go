package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"latentlab/app"
	"latentlab/model"
)

// prefCases are saved settings a user's preferences file could hold after
// a crash, an edit by hand or another version of latentlab.
var prefCases = []string{
	"{not json",
	`{"kind":"gan","latent_dim":16,"hidden":[256,512]}`,
	`{"kind":"ae","latent_dim":-3,"hidden":[512,256],"batch_size":64}`,
	`{"kind":"ae","image_rows":4294967296,"image_cols":4294967296}`,
	`[]`,
	`null`,
	"",
}

// Corrupt or foreign saved settings give the defaults and a notice that
// says why, never a crash.
func TestLoadConfigs_CorruptPreferencesGiveDefaults(t *testing.T) {
	for _, saved := range prefCases[:len(prefCases)-1] {
		a := test.NewTempApp(t)
		a.Preferences().SetString(prefKey(model.KindAE), saved)
		configs, notices := loadConfigs(a.Preferences())
		if got := configs[model.KindAE]; got.LatentDim != model.DefaultConfig(model.KindAE).LatentDim || got.Kind != model.KindAE {
			t.Errorf("saved %q: AE config %+v, want the defaults", saved, got)
		}
		if len(notices) != 1 || !strings.Contains(notices[0], "saved AE settings could not be used") {
			t.Errorf("saved %q: notices %q, want one about the ae settings", saved, notices)
		}
	}
}

func FuzzLoadConfigs(f *testing.F) {
	for _, c := range prefCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, saved string) {
		a := test.NewTempApp(t)
		for _, k := range app.Kinds {
			a.Preferences().SetString(prefKey(k), saved)
		}
		configs, _ := loadConfigs(a.Preferences())
		for _, k := range app.Kinds {
			if err := configs[k].Validate(); err != nil || configs[k].Kind != k {
				t.Fatalf("saved %q gave the %s an unusable config: %v", saved, k, err)
			}
		}
	})
}
