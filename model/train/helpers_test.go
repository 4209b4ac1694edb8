package train

import (
	"testing"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/internal/testkit"
)

// mnist loads the embedded MNIST once per test binary.
func mnist(t testing.TB) *dataset.MNIST { return testkit.MNIST(t) }

// smallConfig is a tiny model for fast tests on rows x cols images.
func smallConfig(kind model.Kind, rows, cols int) model.Config {
	return testkit.SmallConfig(kind, rows, cols)
}

// uncentred maps the GAN graphs' [-1, 1] pixels back to [0, 1].
func uncentred(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = (x + 1) / 2
	}
	return out
}
