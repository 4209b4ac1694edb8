package model

import (
	"sync"
	"testing"

	"latentlab/assets"
	"latentlab/model/dataset"
)

var (
	mnistOnce sync.Once
	mnistData *dataset.MNIST
	mnistErr  error
)

// mnist loads the embedded MNIST once per test binary.
func mnist(t testing.TB) *dataset.MNIST {
	t.Helper()
	mnistOnce.Do(func() { mnistData, mnistErr = dataset.Load(assets.MNIST()) })
	if mnistErr != nil {
		t.Fatal(mnistErr)
	}
	return mnistData
}

// smallConfig is a tiny model for fast tests on rows x cols images.
func smallConfig(kind Kind, rows, cols int) Config {
	c := DefaultConfig(kind)
	c.ImageRows, c.ImageCols = rows, cols
	c.Hidden = []int{5}
	if kind == KindGAN {
		c.Hidden = []int{4, 6}
	}
	c.LatentDim = 2
	c.BatchSize = 4
	c.Epochs = 1
	return c
}

// uncentred maps the GAN graphs' [-1, 1] pixels back to [0, 1].
func uncentred(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = (x + 1) / 2
	}
	return out
}
