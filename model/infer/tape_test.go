package infer

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"

	"latentlab/model"
	"latentlab/model/nn"
)

// The gradient a tape runs back through every decoder the models have
// (dense, convolutional, batch norm with running statistics, up-sampling
// by resizing or by transposed convolutions)
// agrees with central finite differences of the snapshot's own pass, for
// a random linear function of the pixels.
func TestTape_GradientMatchesFiniteDifferences(t *testing.T) {
	for _, tc := range []struct {
		kind model.Kind
		arch model.Arch
		up   model.Upsample
	}{{model.KindGAN, model.ArchMLP, ""}, {model.KindVAE, model.ArchMLP, ""}, {model.KindGAN, model.ArchConv, ""}, {model.KindAE, model.ArchConv, ""},
		{model.KindGAN, model.ArchConv, model.UpsampleTransposed}, {model.KindAE, model.ArchConv, model.UpsampleTransposed}} {
		c := model.DefaultConfig(tc.kind).WithArch(tc.arch)
		c.Upsample = tc.up
		c.ImageRows, c.ImageCols, c.LatentDim = 8, 8, 5
		c.Hidden = []int{6, 8}
		if tc.arch == model.ArchMLP {
			c.Hidden = []int{7, 9}
		}
		s := randomSnapshot(t, c)
		const rows = 3
		tp, err := s.newTape(rows)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(4, 5))
		z := SamplePrior(rows, c.LatentDim, 9).RawMatrix().Data
		coef := make([]float64, rows*s.Pixels())
		for i := range coef {
			coef[i] = rng.NormFloat64()
		}
		value := func() float64 {
			img, err := s.DecodeBatch(mat.NewDense(rows, c.LatentDim, z))
			if err != nil {
				t.Fatal(err)
			}
			return floats.Dot(img.RawMatrix().Data, coef)
		}
		logits := tp.forward(z)
		dLogits := make([]float32, len(logits))
		for i, l := range logits {
			p := nn.Sigmoid(float64(l))
			dLogits[i] = float32(coef[i] * p * (1 - p))
		}
		grad := tp.back(dLogits)
		const h = 1e-3
		numeric := make([]float64, len(z))
		for i := range z {
			orig := z[i]
			z[i] = orig + h
			up := value()
			z[i] = orig - h
			down := value()
			z[i] = orig
			numeric[i] = (up - down) / (2 * h)
		}
		diff := 0.0
		for i, g := range grad {
			diff += (float64(g) - numeric[i]) * (float64(g) - numeric[i])
		}
		if rel := math.Sqrt(diff) / floats.Norm(numeric, 2); rel > 1e-2 || floats.Norm(numeric, 2) == 0 {
			t.Errorf("%s %s: the tape's gradient is %.3g (relative) from finite differences\n tape %v\n  f.d. %v", tc.arch, tc.kind, rel, grad, numeric)
		}
	}
}

// randomSnapshot returns a snapshot of c with random weights and, for batch
// norm, random running statistics, as after some training.
func randomSnapshot(t *testing.T, c model.Config) *Snapshot {
	t.Helper()
	return New(c, randomWeights(t, c), 0, 0)
}

// randomWeights returns random weights of c, and for batch norm random
// running statistics, as after some training.
func randomWeights(t testing.TB, c model.Config) *nn.ParamSet {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	p := nn.NewParamSet(model.ArchitectureOf(c).Layers(), tensor.Float64, 3)
	rng := rand.New(rand.NewPCG(6, 7))
	for _, spec := range p.Specs() {
		d := p.Tensor(spec.Name).Data().([]float64)
		switch {
		case strings.HasSuffix(spec.Name, ".running_mean"):
			for i := range d {
				d[i] = 0.3 * rng.NormFloat64()
			}
		case strings.HasSuffix(spec.Name, ".running_var"):
			for i := range d {
				d[i] = 0.5 + rng.Float64()
			}
		}
	}
	return p
}
