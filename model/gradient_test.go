package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// fillAll sets every input buffer of s from rng: images and noise uniform
// in [0, 1) or normal, row weights for 3 real rows of 4 (a padded batch),
// and dropout masks of 0 or 2.
func fillAll(s *stepGraph, rng *rand.Rand) {
	for _, name := range s.sortedInputs() {
		t := s.buffers[name]
		switch {
		case name == "x":
			fillFunc(t, func(int) float64 { return rng.Float64() })
		case name == "w":
			fillRowWeights(t, 3)
		case name == "y":
			fillFunc(t, func(i int) float64 {
				if i%Classes == (i/Classes*3)%Classes {
					return 1
				}
				return 0
			})
		case len(name) > 5 && name[:5] == "mask.":
			fillFunc(t, func(int) float64 { return float64(2 * rng.IntN(2)) })
		default:
			fillNormal(t, rng)
		}
	}
}

// checkGradients compares every gradient of s with central finite
// differences of its cost, in float64.
func checkGradients(t *testing.T, s *stepGraph, tr *Trainer) {
	t.Helper()
	if err := s.setScalar("beta", 0.7); err != nil {
		t.Fatal(err)
	}
	fillAll(s, rand.New(rand.NewPCG(3, 4)))
	cost := func() float64 {
		if err := s.run(); err != nil {
			t.Fatal(err)
		}
		defer s.reset()
		return s.scalar("loss")
	}
	if err := s.run(); err != nil {
		t.Fatal(err)
	}
	grads := map[string][]float64{}
	for i, name := range s.names {
		g, err := s.gradient(i)
		if err != nil {
			t.Fatal(err)
		}
		grads[name] = toFloat64s(g)
		g.Zero()
	}
	s.reset()

	const h = 1e-6
	checked := 0
	for _, name := range s.names {
		w := tr.params.tensors[name].Data().([]float64)
		for i := range w {
			orig := w[i]
			w[i] = orig + h
			up := cost()
			w[i] = orig - h
			down := cost()
			w[i] = orig
			numeric := (up - down) / (2 * h)
			got := grads[name][i]
			if diff := math.Abs(numeric - got); diff > 1e-6+1e-4*math.Abs(numeric) {
				t.Errorf("%s[%d]: gradient %.8g, finite difference %.8g", name, i, got, numeric)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no parameters checked")
	}
}

func TestGradients_MatchFiniteDifferences(t *testing.T) {
	cases := []struct {
		name    string
		kind    Kind
		dropout float64
		graph   func(*Trainer) *stepGraph
	}{
		{"ae", KindAE, 0, func(tr *Trainer) *stepGraph { return tr.auto }},
		{"ae dropout", KindAE, 0.5, func(tr *Trainer) *stepGraph { return tr.auto }},
		{"vae", KindVAE, 0, func(tr *Trainer) *stepGraph { return tr.auto }},
		{"vae dropout", KindVAE, 0.5, func(tr *Trainer) *stepGraph { return tr.auto }},
		{"gan discriminator", KindGAN, 0, func(tr *Trainer) *stepGraph { return tr.disc }},
		{"gan generator", KindGAN, 0, func(tr *Trainer) *stepGraph { return tr.gen }},
		{"gan discriminator dropout", KindGAN, 0.5, func(tr *Trainer) *stepGraph { return tr.disc }},
		{"classifier", KindClassifier, 0, func(tr *Trainer) *stepGraph { return tr.auto }},
		{"classifier dropout", KindClassifier, 0.5, func(tr *Trainer) *stepGraph { return tr.auto }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := smallConfig(c.kind, 3, 3)
			cfg.Dropout = c.dropout
			cfg.LabelSmoothing = 0.1
			tr, err := newTrainer(cfg, syntheticSet(8, 3, 3, 1), nil, tensor.Float64)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			checkGradients(t, c.graph(tr), tr)
		})
	}
}
