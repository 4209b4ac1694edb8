package measure

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/kernel"
	"latentlab/model/nn"
)

// Loss is a per-image loss in nats, averaged over a set of images.
type Loss struct {
	Total float64 `json:"loss"`  // AE: reconstruction; VAE: negative ELBO (recon + KL, beta = 1)
	Recon float64 `json:"recon"` // summed binary cross-entropy over pixels
	KL    float64 `json:"kl"`    // VAE: KL(q(z|x) || N(0, I)); 0 for an AE
}

// evalBatch is the number of images pushed through the forward pass at once.
const evalBatch = 500

// Evaluate returns for snapshot s the AE's reconstruction loss or the VAE's negative ELBO
// on set, per image, in nats. The VAE draws one z per image from q(z|x)
// with a source seeded by seed, so the same snapshot, set and seed give the
// same numbers. The ELBO is the true one (beta = 1) whatever beta trained.
func Evaluate(s *infer.Snapshot, set *dataset.Set, seed uint64) (Loss, error) {
	if !s.HasEncoder() {
		return Loss{}, fmt.Errorf("measure: evaluate: %w", infer.ErrNoEncoder)
	}
	if set.Dim() != s.Pixels() {
		return Loss{}, fmt.Errorf("measure: evaluate: images have %d pixels, the %s expects %d", set.Dim(), s.Kind(), s.Pixels())
	}
	n := set.Len()
	if n == 0 {
		return Loss{}, fmt.Errorf("measure: evaluate: no images")
	}
	rng := rand.New(rand.NewPCG(seed, 0xe7a1))
	var sumRecon, sumKL float64
	for start := 0; start < n; start += evalBatch {
		end := min(start+evalBatch, n)
		x := set.Matrix(start, end)
		raw := x.RawMatrix()
		mean, logVar, err := s.EncodeBatch(x)
		if err != nil {
			return Loss{}, err
		}
		z := mean
		if logVar != nil {
			z = mat.DenseCopyOf(mean)
			zr, lr := z.RawMatrix(), logVar.RawMatrix()
			for i := range zr.Data {
				zr.Data[i] += math.Exp(lr.Data[i]/2) * rng.NormFloat64()
			}
			mr := mean.RawMatrix()
			for i := range mr.Data {
				sumKL += 0.5 * (mr.Data[i]*mr.Data[i] + math.Exp(lr.Data[i]) - lr.Data[i] - 1)
			}
		}
		logits, err := s.DecodeLogits(z)
		if err != nil {
			return Loss{}, err
		}
		lg := logits.RawMatrix()
		for i := range lg.Data {
			l := lg.Data[i]
			sumRecon += nn.Softplus(l) - raw.Data[i]*l
		}
	}
	out := Loss{Recon: sumRecon / float64(n), KL: sumKL / float64(n)}
	out.Total = out.Recon + out.KL
	if !kernel.IsFinite(out.Total) {
		return out, fmt.Errorf("measure: evaluate: loss is %v", out.Total)
	}
	return out, nil
}

// EvaluateClassifier returns the mean cross-entropy (nats) and the accuracy
// of the classifier on set.
func EvaluateClassifier(s *infer.Snapshot, set *dataset.Set) (crossEntropy, accuracy float64, err error) {
	if set == nil || set.Len() == 0 {
		return 0, 0, fmt.Errorf("measure: evaluate classifier: no images")
	}
	correct := 0
	for start := 0; start < set.Len(); start += evalBatch {
		end := min(start+evalBatch, set.Len())
		probs, _, err := s.Classify(set.Matrix(start, end))
		if err != nil {
			return 0, 0, err
		}
		for i := start; i < end; i++ {
			row := probs.RawRowView(i - start)
			label := int(set.Labels[i])
			crossEntropy -= math.Log(math.Max(row[label], 1e-300))
			if floats.MaxIdx(row) == label {
				correct++
			}
		}
	}
	n := float64(set.Len())
	return crossEntropy / n, float64(correct) / n, nil
}
