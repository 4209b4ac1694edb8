package infer

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// SamplePrior draws n latent vectors from N(0, I) with a source seeded by
// seed, one per row.
func SamplePrior(n, latentDim int, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 0x5a3b1e))
	z := mat.NewDense(n, latentDim, nil)
	raw := z.RawMatrix()
	for i := range raw.Data {
		raw.Data[i] = rng.NormFloat64()
	}
	return z
}
