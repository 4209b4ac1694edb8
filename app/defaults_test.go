package app

import (
	"testing"

	"latentlab/model"
)

// The app starts the GAN as the DCGAN and the AE and VAE as dense
// networks, each otherwise at the model's defaults, and every one valid.
func TestDefaultConfig_ArchitecturesByTheThreeMinuteRule(t *testing.T) {
	for _, k := range Kinds {
		c := DefaultConfig(k)
		if err := c.Validate(); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if want := k == model.KindGAN; c.Conv() != want {
			t.Errorf("%s starts as %q", k, c.Family())
		}
		if c.LatentDim != model.DefaultConfig(k).LatentDim || c.Seed != model.DefaultConfig(k).Seed {
			t.Errorf("%s: %+v strays from the model's defaults", k, c)
		}
	}
}
