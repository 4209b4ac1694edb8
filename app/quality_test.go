package app

import (
	"strings"
	"testing"

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
