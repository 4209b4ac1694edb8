package train

import (
	"math"
	"math/rand/v2"
	"strings"

	"gorgonia.org/tensor"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/kernel"
)

// fillImages copies the images idx of set into the rows of t and zeroes the
// rows past len(idx) (padding of the last partial batch); with centre,
// pixels go from [0, 1] to [-1, 1] (the discriminator's input).
func fillImages(t *tensor.Dense, set *dataset.Set, idx []int, centre bool) {
	switch d := t.Data().(type) {
	case []float32:
		copyImages(d, set, idx, centre)
	case []float64:
		copyImages(d, set, idx, centre)
	}
}

func copyImages[T float32 | float64](d []T, set *dataset.Set, idx []int, centre bool) {
	dim := set.Dim()
	for r, i := range idx {
		row, img := d[r*dim:(r+1)*dim], set.Image(i)
		if centre {
			for j, b := range img {
				row[j] = 2*T(dataset.PixelValue(b)) - 1
			}
			continue
		}
		for j, b := range img {
			row[j] = T(dataset.PixelValue(b))
		}
	}
	clear(d[len(idx)*dim:])
}

// fillRowWeights sets w_i = 1/n for the n real rows and 0 for padding, so
// that sums over the batch are means over its real images.
func fillRowWeights(t *tensor.Dense, n int) {
	fillFunc(t, func(i int) float64 {
		if i < n {
			return 1 / float64(n)
		}
		return 0
	})
}

// fillNormal fills t with standard normal draws from rng (no-op if t is nil).
func fillNormal(t *tensor.Dense, rng *rand.Rand) {
	if t == nil {
		return
	}
	fillFunc(t, func(int) float64 { return rng.NormFloat64() })
}

// fillDropout fills every dropout mask input of s, in name order:
// each entry is 0 with probability p and 1/(1-p) otherwise, from a seed
// drawn from rng per mask (package kernel's generator, vectorised in C).
func fillDropout(s *stepGraph, p float64, rng *rand.Rand) {
	if p <= 0 {
		return
	}
	drop := uint32(min(p*(1<<32), math.MaxUint32))
	for _, name := range s.inputOrder {
		if !strings.HasPrefix(string(name), maskPrefix) {
			continue
		}
		seed := rng.Uint64()
		switch d := s.buffers[name].Data().(type) {
		case []float32:
			kernel.DropoutMask(d, drop, float32(1/(1-p)), seed)
		case []float64:
			kernel.DropoutMask64(d, drop, 1/(1-p), seed)
		}
	}
}

func fillFunc(t *tensor.Dense, f func(i int) float64) {
	switch d := t.Data().(type) {
	case []float32:
		setEach(d, f)
	case []float64:
		setEach(d, f)
	}
}

// setEach sets d[i] = f(i).
func setEach[T float32 | float64](d []T, f func(i int) float64) {
	for i := range d {
		d[i] = T(f(i))
	}
}

// fillOneHot sets row r of t to the one-hot code of the label of image
// idx[r]; padding rows are zero.
func fillOneHot(t *tensor.Dense, set *dataset.Set, idx []int) {
	fillFunc(t, func(i int) float64 {
		r, c := i/model.Classes, i%model.Classes
		if r < len(idx) && int(set.Labels[idx[r]]) == c {
			return 1
		}
		return 0
	})
}
