package app

import (
	"strings"
	"testing"
	"time"

	"latentlab/model"
	"latentlab/model/measure"
)

func TestAlarm_SaysWhatHappenedAndWhatHelps(t *testing.T) {
	healthy := measure.SampleQuality{Covered: 10}
	cases := []struct {
		name  string
		kind  model.Kind
		q     measure.SampleQuality
		kl    *measure.LatentKL
		dLoss float64
		want  []string
	}{
		{"healthy gan", model.KindGAN, healthy, nil, 0.6, nil},
		{"mode collapse", model.KindGAN, measure.SampleQuality{Covered: 3}, nil, 0.6, []string{"Mode collapse", "cover 3 of 10", "What usually helps"}},
		{"discriminator won", model.KindGAN, healthy, nil, 0.001, []string{"discriminator has won", "label smoothing"}},
		{"healthy vae", model.KindVAE, healthy, &measure.LatentKL{PerDim: []float64{3, 2}, Active: 2}, 0, nil},
		{"posterior collapse", model.KindVAE, healthy, &measure.LatentKL{PerDim: []float64{0.001, 0.002}, Active: 0}, 0, []string{"Posterior collapse", "0 active", "KL warm-up"}},
		{"ae never alarms", model.KindAE, measure.SampleQuality{Covered: 1}, nil, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := alarm(c.kind, c.q, c.kl, c.dLoss)
			if len(c.want) == 0 && got != "" {
				t.Fatalf("alarm %q, want none", got)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Fatalf("alarm %q lacks %q", got, w)
				}
			}
		})
	}
}

// After each epoch the AE and VAE chart the Fréchet distance of their
// decodes both of N(0, I) and of their code mixture; a GAN, which has no
// codes, charts the prior's alone.
func TestSession_ChartsTheCodeMixturesSamples(t *testing.T) {
	m := embeddedMNIST(t)
	data := &Data{Train: m.Train.Head(600), Val: m.Test.Head(100), Test: m.Test, Source: m.Source}
	configs := map[model.Kind]model.Config{}
	for _, k := range Kinds {
		c := model.DefaultConfig(k)
		c.Hidden, c.BatchSize, c.Epochs = []int{16}, 32, 1
		if k == model.KindGAN {
			c.Hidden = []int{16, 16}
		}
		configs[k] = c
	}
	lab, err := NewLab(data, configs)
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	if lab.Monitor == nil {
		t.Fatalf("no quality monitor on MNIST: %v", lab.MonitorErr)
	}
	for _, k := range Kinds {
		s := lab.Session(k)
		s.Start()
		deadline := time.Now().Add(60 * time.Second)
		for s.Status().State != Finished {
			if time.Now().After(deadline) {
				t.Fatalf("%s: one epoch did not finish", k)
			}
			time.Sleep(10 * time.Millisecond)
		}
		h := s.History()
		if _, fd, ok := h.Last(SeriesFrechet); !ok || fd <= 0 {
			t.Fatalf("%s: no Fréchet distance after an epoch", k)
		}
		_, fd, ok := h.Last(SeriesFrechetMixture)
		if want := k != model.KindGAN; ok != want || (ok && fd <= 0) {
			t.Errorf("%s: code mixture's Fréchet distance charted = %v (%v), want %v", k, ok, fd, want)
		}
	}
}
