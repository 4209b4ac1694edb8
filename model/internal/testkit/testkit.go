// Package testkit holds what the model packages' tests share: the embedded
// MNIST, loaded once per test binary, and tiny configurations for fast
// tests.
package testkit

import (
	"sync"
	"testing"

	"latentlab/assets"
	"latentlab/model"
	"latentlab/model/dataset"
)

var (
	mnistOnce sync.Once
	mnistData *dataset.MNIST
	mnistErr  error
)

// MNIST loads the embedded MNIST once per test binary.
func MNIST(t testing.TB) *dataset.MNIST {
	t.Helper()
	mnistOnce.Do(func() { mnistData, mnistErr = dataset.Load(assets.MNIST()) })
	if mnistErr != nil {
		t.Fatal(mnistErr)
	}
	return mnistData
}

// SmallConfig is a tiny model of kind for fast tests on rows x cols images:
// one hidden layer of 5 (the GAN: 4 and 6), z = 2, batches of 4, one epoch.
func SmallConfig(kind model.Kind, rows, cols int) model.Config {
	c := model.DefaultConfig(kind)
	c.ImageRows, c.ImageCols = rows, cols
	c.Hidden = []int{5}
	if kind == model.KindGAN {
		c.Hidden = []int{4, 6}
	}
	c.LatentDim = 2
	c.BatchSize = 4
	c.Epochs = 1
	return c
}
