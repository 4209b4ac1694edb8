package app

import (
	"slices"
	"strings"
	"testing"

	"latentlab/model"
)

// Every kind ships one model per architecture, each a model of the kind
// and architecture its name says, trained on the embedded MNIST, that
// draws different digits at different points of its latent space.
func TestPretrained_ShippedModels(t *testing.T) {
	want := []string{"pretrained:ae-conv", "pretrained:ae-mlp", "pretrained:gan-conv", "pretrained:gan-mlp", "pretrained:vae-conv", "pretrained:vae-mlp"}
	if got := Pretrained(); !slices.Equal(got, want) {
		t.Fatalf("shipped %v, want %v", got, want)
	}
	for _, spec := range want {
		ck, err := LoadCheckpoint(spec)
		if err != nil {
			t.Fatal(err)
		}
		kind, arch, _ := strings.Cut(strings.TrimPrefix(spec, PretrainedPrefix), "-")
		c := ck.Config
		if string(c.Kind) != kind || string(c.Family()) != arch {
			t.Errorf("%s holds a %s %s", spec, c.Family(), c.Kind)
		}
		if decoderAlone := c.Parts == model.PartsDecoder; decoderAlone != (c.Kind == model.KindGAN) {
			t.Errorf("%s: parts %q (a GAN ships its generator alone, AE and VAE whole)", spec, c.Parts)
		}
		if ck.Epoch() != 10 || ck.Step() == 0 {
			t.Errorf("%s: at epoch %d, step %d (ten epochs trained)", spec, ck.Epoch(), ck.Step())
		}
		if src, ok := ck.Source(); !ok || !IsEmbedded(src) {
			t.Errorf("%s: trained on %+v, not the embedded MNIST", spec, src)
		}
		s := ck.Snapshot()
		z0, z1 := make([]float64, c.LatentDim), make([]float64, c.LatentDim)
		z1[0] = 1.5
		a, err := s.Decode(z0)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := s.Decode(z1)
		var moved float64
		for i := range a {
			if a[i] < 0 || a[i] > 1 {
				t.Fatalf("%s: pixel %d is %v", spec, i, a[i])
			}
			moved += (a[i] - b[i]) * (a[i] - b[i])
		}
		if moved < 1 {
			t.Errorf("%s: the digit barely changes along the first latent axis (squared distance %v)", spec, moved)
		}
	}
}

// A name that is not shipped is an error that lists the ones that are.
func TestPretrained_UnknownName(t *testing.T) {
	_, err := LoadCheckpoint("pretrained:vae-transformer")
	if err == nil || !strings.Contains(err.Error(), "vae-conv") {
		t.Fatalf("unknown pretrained model: %v", err)
	}
}

// A shipped model opens in the view of its kind on the embedded MNIST: the
// GAN's generator to explore, the VAE whole and paused.
func TestLab_OpenPretrained(t *testing.T) {
	data, err := LoadData("", ValidationImages, 1)
	if err != nil {
		t.Fatal(err)
	}
	lab, err := NewLab(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	for _, spec := range []string{"pretrained:gan-conv", "pretrained:vae-mlp"} {
		kind, err := lab.OpenModel(spec)
		if err != nil {
			t.Fatal(err)
		}
		s := lab.Session(kind)
		if s.ExploreOnly() != (kind == model.KindGAN) || s.Status().State == Running {
			t.Errorf("%s: explore-only %t, state %v", spec, s.ExploreOnly(), s.Status().State)
		}
		ck, _ := LoadCheckpoint(spec)
		z := make([]float64, ck.Config.LatentDim)
		z[0] = -0.8
		got, _ := s.Snapshot().Decode(z)
		want, _ := ck.Snapshot().Decode(z)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the opened model decodes otherwise than the shipped one", spec)
		}
	}
}
