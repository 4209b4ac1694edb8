package infer

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"

	"latentlab/model/nn"
)

// InvertOptions configure Invert; zero fields take the defaults.
type InvertOptions struct {
	Steps    int     // Adam steps (default 50)
	Restarts int     // starts drawn from the prior N(0, I) (default 16)
	Keep     int     // starts that go on, the best, after a quarter of the steps (default 1)
	Rate     float64 // Adam's learning rate (default 0.12)
	Prior    float64 // weight of the prior penalty |z|²/2, per pixel (default 0: none)
	Seed     uint64  // seed of the starts
}

// Inversion is the latent point Invert found and what it decodes to.
type Inversion struct {
	Z        []float64
	Image    []float64
	Distance float64 // Euclidean distance between Image and the target, over the pixels
}

// Invert finds the latent point whose image is nearest target (pixels in
// [0, 1]): from Restarts points drawn from the prior, Steps steps of Adam
// (Kingma & Ba 2015) on the mean squared pixel error plus Prior |z|²/2
// per pixel, where after a quarter of the steps only the Keep best go on
// (one round of successive halving, Jamieson & Talwalkar 2016: many starts
// find the right basin, few are refined in it). The defaults were chosen
// by measuring distance and time on the shipped GANs over test digits
// (app's TestAnswer_ShippedGANsFindTestDigits, BenchmarkAnswer). The generator is inverted by optimisation as in Zhu et
// al. 2016, "Generative visual manipulation on the natural image
// manifold", and Creswell & Bharath 2018, "Inverting the generator of a
// generative adversarial network". The gradient in z runs back through the
// snapshot's own forward pass (batch norm with its running statistics, as
// the image is drawn), every start a row of one batch (see tape). It
// returns the best point found, with its image as Decode draws it.
func (s *Snapshot) Invert(target []float64, o InvertOptions) (Inversion, error) {
	if len(s.decoder) == 0 {
		return Inversion{}, ErrNoDecoder
	}
	if len(target) != s.Pixels() {
		return Inversion{}, fmt.Errorf("infer: invert: the image has %d pixels, the %s draws %d", len(target), s.config.Kind, s.Pixels())
	}
	if o.Steps <= 0 {
		o.Steps = 50
	}
	if o.Restarts <= 0 {
		o.Restarts = 16
	}
	if o.Rate <= 0 {
		o.Rate = 0.12
	}
	o.Keep = min(max(o.Keep, 1), o.Restarts)
	d, starts, pixels := s.LatentDim(), o.Restarts, float64(len(target))
	tp, err := s.newTape(starts)
	if err != nil {
		return Inversion{}, err
	}
	z := SamplePrior(starts, d, o.Seed).RawMatrix().Data
	m, v := make([]float64, len(z)), make([]float64, len(z))
	dLogits := make([]float32, starts*len(target))
	losses := make([]float64, starts)
	var bestZ []float64
	bestLoss := math.Inf(1)
	const beta1, beta2, eps = 0.9, 0.999, 1e-8
	for step := 0; step <= o.Steps; step++ {
		if step == max(1, o.Steps/4) && o.Keep < starts {
			// Successive halving, once: the starts that lead so far go on.
			order := make([]int, starts)
			floats.Argsort(slices.Clone(losses), order)
			for k, r := range order[:o.Keep] {
				copy(z[k*d:(k+1)*d], z[r*d:(r+1)*d])
				copy(m[k*d:(k+1)*d], m[r*d:(r+1)*d])
				copy(v[k*d:(k+1)*d], v[r*d:(r+1)*d])
			}
			starts = o.Keep
			z, m, v = z[:starts*d], m[:starts*d], v[:starts*d]
			dLogits = dLogits[:starts*len(target)]
			if tp, err = s.newTape(starts); err != nil {
				return Inversion{}, err
			}
		}
		logits := tp.forward(z)
		for r := range starts {
			zr := z[r*d : (r+1)*d]
			loss := o.Prior * floats.Dot(zr, zr) / (2 * pixels)
			for i, t := range target {
				p := nn.Sigmoid(float64(logits[r*len(target)+i]))
				loss += (p - t) * (p - t) / pixels
				dLogits[r*len(target)+i] = float32(2 * (p - t) / pixels * p * (1 - p))
			}
			losses[r] = loss
			if loss < bestLoss {
				bestLoss, bestZ = loss, append(bestZ[:0], zr...)
			}
		}
		if step == o.Steps {
			break
		}
		dz := tp.back(dLogits)
		t := float64(step + 1)
		c1, c2 := 1-math.Pow(beta1, t), 1-math.Pow(beta2, t)
		for i := range z {
			g := float64(dz[i]) + o.Prior*z[i]/pixels
			m[i] = beta1*m[i] + (1-beta1)*g
			v[i] = beta2*v[i] + (1-beta2)*g*g
			z[i] -= o.Rate * (m[i] / c1) / (math.Sqrt(v[i]/c2) + eps)
		}
	}
	img, err := s.Decode(bestZ)
	if err != nil {
		return Inversion{}, err
	}
	return Inversion{Z: bestZ, Image: img, Distance: floats.Distance(img, target, 2)}, nil
}
