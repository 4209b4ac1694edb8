package model

import (
	"math/rand/v2"
	"sync"
	"testing"

	"latentlab/assets"
	"latentlab/model/dataset"
)

// syntheticSet returns n random images of rows x cols pixels in [0, 1].
func syntheticSet(n, rows, cols int, seed uint64) *dataset.Set {
	rng := rand.New(rand.NewPCG(seed, 7))
	s := &dataset.Set{Rows: rows, Cols: cols, Pixels: make([]float32, n*rows*cols), Labels: make([]uint8, n)}
	for i := range s.Pixels {
		s.Pixels[i] = float32(rng.Float64())
	}
	for i := range s.Labels {
		s.Labels[i] = uint8(rng.IntN(10))
	}
	return s
}

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
