package infer

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// InvertOptions configure Invert; zero fields take the defaults.
type InvertOptions struct {
	Steps    int     // Adam steps from each start (default 150)
	Restarts int     // starts drawn from the prior N(0, I) (default 4)
	Rate     float64 // Adam's learning rate (default 0.05)
	Prior    float64 // weight of the prior penalty |z|²/2, per pixel (default 0: none)
	Seed     uint64  // seed of the starts
}

// Inversion is the latent point Invert found and what it decodes to.
type Inversion struct {
	Z        []float64
	Image    []float64
	Distance float64 // Euclidean distance between Image and the target, over the pixels
}

// invertStep is the forward difference's step in z.
const invertStep = 1e-2

// Invert finds the latent point whose image is nearest target (pixels in
// [0, 1]): from each of Restarts points drawn from the prior, Steps steps
// of Adam (Kingma & Ba 2015) on the mean squared pixel error plus Prior
// |z|²/2 per pixel, the generator inverted by optimisation as in Zhu et
// al. 2016, "Generative visual manipulation on the natural image
// manifold", and Creswell & Bharath 2018, "Inverting the generator of a
// generative adversarial network". The gradient in z is taken by forward
// differences through the snapshot's own forward pass (a generator with
// batch norm has no inference graph to differentiate): every start's d+1
// points go through the decoder as one batch. It returns the best point
// found.
func (s *Snapshot) Invert(target []float64, o InvertOptions) (Inversion, error) {
	if len(s.decoder) == 0 {
		return Inversion{}, ErrNoDecoder
	}
	if len(target) != s.Pixels() {
		return Inversion{}, fmt.Errorf("infer: invert: the image has %d pixels, the %s draws %d", len(target), s.config.Kind, s.Pixels())
	}
	if o.Steps <= 0 {
		o.Steps = 150
	}
	if o.Restarts <= 0 {
		o.Restarts = 4
	}
	if o.Rate <= 0 {
		o.Rate = 0.05
	}
	d, starts := s.LatentDim(), o.Restarts
	rng := rand.New(rand.NewPCG(o.Seed, 0x1d7e57))
	z := make([][]float64, starts)
	m, v := make([][]float64, starts), make([][]float64, starts)
	for r := range z {
		z[r], m[r], v[r] = make([]float64, d), make([]float64, d), make([]float64, d)
		for i := range z[r] {
			z[r][i] = rng.NormFloat64()
		}
	}
	per := d + 1
	batch := mat.NewDense(starts*per, d, nil)
	best := Inversion{Distance: math.Inf(1)}
	bestLoss := math.Inf(1)
	const beta1, beta2, eps = 0.9, 0.999, 1e-8
	for step := 0; step <= o.Steps; step++ {
		for r := range starts {
			for k := range per {
				row := batch.RawRowView(r*per + k)
				copy(row, z[r])
				if k > 0 {
					row[k-1] += invertStep
				}
			}
		}
		images, err := s.DecodeBatch(batch)
		if err != nil {
			return Inversion{}, err
		}
		loss := func(row int) float64 {
			img := images.RawRowView(row)
			return floats.Distance(img, target, 2)*floats.Distance(img, target, 2)/float64(len(target)) +
				o.Prior*floats.Dot(batch.RawRowView(row), batch.RawRowView(row))/(2*float64(len(target)))
		}
		for r := range starts {
			if l := loss(r * per); l < bestLoss {
				bestLoss = l
				img := images.RawRowView(r * per)
				best = Inversion{Z: append([]float64(nil), z[r]...), Image: append([]float64(nil), img...), Distance: floats.Distance(img, target, 2)}
			}
			if step == o.Steps {
				continue
			}
			t := float64(step + 1)
			for i := range d {
				g := (loss(r*per+1+i) - loss(r*per)) / invertStep
				m[r][i] = beta1*m[r][i] + (1-beta1)*g
				v[r][i] = beta2*v[r][i] + (1-beta2)*g*g
				mh, vh := m[r][i]/(1-math.Pow(beta1, t)), v[r][i]/(1-math.Pow(beta2, t))
				z[r][i] -= o.Rate * mh / (math.Sqrt(vh) + eps)
			}
		}
	}
	return best, nil
}
