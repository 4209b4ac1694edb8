package train

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/internal/gradcheck"
	"latentlab/model/nn"
)

// fillAll sets every input buffer of s from rng: images and noise uniform
// in [0, 1) or normal, row weights for 3 real rows of 4 (a padded batch),
// and dropout masks of 0 or 2.
func fillAll(s *stepGraph, rng *rand.Rand) {
	for _, name := range s.inputOrder {
		t := s.buffers[name]
		switch {
		case name == inX:
			fillFunc(t, func(int) float64 { return rng.Float64() })
		case name == inW:
			fillRowWeights(t, 3)
		case name == inY:
			fillFunc(t, func(i int) float64 {
				if i%model.Classes == (i/model.Classes*3)%model.Classes {
					return 1
				}
				return 0
			})
		case strings.HasPrefix(string(name), maskPrefix):
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
	if s.has(inBeta) {
		if err := s.setScalar(inBeta, 0.7); err != nil {
			t.Fatal(err)
		}
	}
	fillAll(s, rand.New(rand.NewPCG(3, 4)))
	cost := func() float64 {
		if err := s.run(); err != nil {
			t.Fatal(err)
		}
		defer s.reset()
		return s.scalar(outLoss)
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
		grads[name] = nn.Float64s(g)
		g.Zero()
	}
	s.reset()

	checked := 0
	for _, name := range s.names {
		checked += gradcheck.Check(t, name, tr.params.Tensor(name).Data().([]float64), grads[name], cost)
	}
	if checked == 0 {
		t.Fatal("no parameters checked")
	}
}

func TestGradients_MatchFiniteDifferences(t *testing.T) {
	cases := []struct {
		name    string
		kind    model.Kind
		dropout float64
		graph   func(*Trainer) *stepGraph
	}{
		{"ae", model.KindAE, 0, func(tr *Trainer) *stepGraph { return tr.auto }},
		{"ae dropout", model.KindAE, 0.5, func(tr *Trainer) *stepGraph { return tr.auto }},
		{"vae", model.KindVAE, 0, func(tr *Trainer) *stepGraph { return tr.auto }},
		{"vae dropout", model.KindVAE, 0.5, func(tr *Trainer) *stepGraph { return tr.auto }},
		{"gan discriminator", model.KindGAN, 0, func(tr *Trainer) *stepGraph { return tr.disc }},
		{"gan generator", model.KindGAN, 0, func(tr *Trainer) *stepGraph { return tr.gen }},
		{"gan discriminator dropout", model.KindGAN, 0.5, func(tr *Trainer) *stepGraph { return tr.disc }},
		{"classifier", model.KindClassifier, 0, func(tr *Trainer) *stepGraph { return tr.auto }},
		{"classifier dropout", model.KindClassifier, 0.5, func(tr *Trainer) *stepGraph { return tr.auto }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := smallConfig(c.kind, 3, 3)
			cfg.Dropout = c.dropout
			cfg.LabelSmoothing = 0.1
			tr, err := newTrainer(cfg, dataset.Noise(8, 3, 3, 1), nil, tensor.Float64)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			checkGradients(t, c.graph(tr), tr)
		})
	}
	// Convolutional models (with up-sampling by resizing or by transposed
	// convolutions, and batch norm in the GAN) on 4x4 images with 2 and 3
	// channels.
	for _, c := range cases {
		for _, up := range []model.Upsample{model.UpsampleResize, model.UpsampleTransposed} {
			if c.kind == model.KindClassifier {
				continue
			}
			t.Run("conv "+string(up)+" "+c.name, func(t *testing.T) {
				cfg := smallConfig(c.kind, 4, 4).WithArch(model.ArchConv)
				cfg.Hidden, cfg.Dropout, cfg.LabelSmoothing, cfg.Upsample = []int{2, 3}, c.dropout, 0.1, up
				tr, err := newTrainer(cfg, dataset.Noise(8, 4, 4, 1), nil, tensor.Float64)
				if err != nil {
					t.Fatal(err)
				}
				defer tr.Close()
				// Batch norm's shift starts at 0: a channel that dropout zeroed
				// whole normalises to exactly 0 there, on LeakyReLU's kink,
				// where a finite difference averages the two slopes.
				for _, p := range tr.params.Specs() {
					if strings.HasSuffix(p.Name, ".bias") && p.Shape[0] > 1 {
						for i, d := 0, tr.params.Tensor(p.Name).Data().([]float64); i < len(d); i++ {
							d[i] += 0.1 * float64(i+1)
						}
					}
				}
				checkGradients(t, c.graph(tr), tr)
			})
		}
	}
}

// TestGradients_Float32FastPathMatchesFloat64 runs each training graph in
// float32 (the fused, vectorised kernels the app trains with) and in
// float64 (the path checked against finite differences above) on the same
// weights and inputs, and compares loss and gradients.
func TestGradients_Float32FastPathMatchesFloat64(t *testing.T) {
	graphs := map[string]func(*Trainer) *stepGraph{
		"ae":                func(tr *Trainer) *stepGraph { return tr.auto },
		"vae":               func(tr *Trainer) *stepGraph { return tr.auto },
		"gan discriminator": func(tr *Trainer) *stepGraph { return tr.disc },
		"gan generator":     func(tr *Trainer) *stepGraph { return tr.gen },
	}
	kinds := map[string]model.Kind{"ae": model.KindAE, "vae": model.KindVAE, "gan discriminator": model.KindGAN, "gan generator": model.KindGAN}
	for name, graph := range graphs {
		t.Run(name, func(t *testing.T) {
			// Widths of 9, 11 and 45 pixels: the kernels' 8-wide vectors and their tails both run.
			cfg := smallConfig(kinds[name], 5, 9)
			cfg.Hidden = []int{9, 11}
			cfg.Dropout = 0.5
			run := func(dt tensor.Dtype) (float64, map[string][]float64) {
				tr, err := newTrainer(cfg, dataset.Noise(8, 5, 5, 1), nil, dt)
				if err != nil {
					t.Fatal(err)
				}
				defer tr.Close()
				s := graph(tr)
				if s.has(inBeta) {
					if err := s.setScalar(inBeta, 0.7); err != nil {
						t.Fatal(err)
					}
				}
				fillAll(s, rand.New(rand.NewPCG(3, 4)))
				if err := s.run(); err != nil {
					t.Fatal(err)
				}
				grads := map[string][]float64{}
				for i, n := range s.names {
					g, err := s.gradient(i)
					if err != nil {
						t.Fatal(err)
					}
					grads[n] = nn.Float64s(g)
				}
				return s.scalar(outLoss), grads
			}
			loss32, grads32 := run(tensor.Float32)
			loss64, grads64 := run(tensor.Float64)
			if math.Abs(loss32-loss64) > 1e-5*math.Abs(loss64) {
				t.Errorf("loss: float32 %.8g, float64 %.8g", loss32, loss64)
			}
			for n, g64 := range grads64 {
				scale := 0.0
				for _, x := range g64 {
					scale = math.Max(scale, math.Abs(x))
				}
				for i, x := range g64 {
					if diff := math.Abs(grads32[n][i] - x); diff > 1e-4*scale+1e-6 {
						t.Errorf("%s[%d]: float32 %.8g, float64 %.8g", n, i, grads32[n][i], x)
						break
					}
				}
			}
		})
	}
}
