package app

import (
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"latentlab/model/infer"
	"latentlab/model/nn"
)

// DigitAnswer is what a model makes of an image of a digit: where it puts
// it in its latent space and what it draws there.
type DigitAnswer struct {
	Z     []float64 // the point: an AE's code, a VAE's posterior mean, a GAN's inverted z
	Image []float64 // what the model draws at Z, pixels in [0, 1]
	// AE and VAE: the VAE's posterior log-variance, the binary
	// cross-entropy of Image against the input (nats, summed over the
	// pixels), and the VAE's KL(q(z|x) || N(0, I)).
	LogVar    []float64
	ReconLoss float64
	KL        float64
	// GAN: the Euclidean distance of Image from the input, and of the image
	// at a random point of the prior, for scale.
	Distance, RandomDistance float64
}

// Answer returns what the model s makes of the digit x (pixels in [0, 1]):
// an AE or VAE encodes it, a GAN's generator is inverted on it (seed draws
// the inversion's starting points).
func Answer(s *infer.Snapshot, x []float64, seed uint64) (DigitAnswer, error) {
	if !s.HasEncoder() {
		return invert(s, x, seed)
	}
	mean, logVar, err := s.Encode(x)
	if err != nil {
		return DigitAnswer{}, err
	}
	logits, err := s.DecodeLogits(mat.NewDense(1, len(mean), mean))
	if err != nil {
		return DigitAnswer{}, err
	}
	a := DigitAnswer{Z: mean, LogVar: logVar, Image: make([]float64, len(x))}
	for i, l := range logits.RawRowView(0) {
		a.ReconLoss += nn.Softplus(l) - x[i]*l
		a.Image[i] = nn.Sigmoid(l)
	}
	for i, lv := range logVar { // an AE has none; Kingma & Welling 2014, appendix B
		a.KL += 0.5 * (mean[i]*mean[i] + math.Exp(lv) - lv - 1)
	}
	return a, nil
}

// invert is Answer for a GAN's generator.
func invert(s *infer.Snapshot, x []float64, seed uint64) (DigitAnswer, error) {
	inv, err := s.Invert(x, infer.InvertOptions{Seed: seed})
	if err != nil {
		return DigitAnswer{}, err
	}
	random, err := s.Decode(infer.SamplePrior(1, s.LatentDim(), seed).RawRowView(0))
	if err != nil {
		return DigitAnswer{}, err
	}
	return DigitAnswer{Z: inv.Z, Image: inv.Image, Distance: inv.Distance, RandomDistance: floats.Distance(random, x, 2)}, nil
}
