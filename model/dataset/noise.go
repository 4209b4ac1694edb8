package dataset

import "math/rand/v2"

// Noise returns n images of rows x cols pixels drawn uniformly from 0-255,
// with labels drawn uniformly from 0-9, the same for the same seed: a set
// for benchmarks and tests whose cost, not content, matters.
func Noise(n, rows, cols int, seed uint64) *Set {
	rng := rand.New(rand.NewPCG(seed, 7))
	s := &Set{Rows: rows, Cols: cols, Pixels: make([]uint8, n*rows*cols), Labels: make([]uint8, n)}
	for i := range s.Pixels {
		s.Pixels[i] = uint8(rng.IntN(256))
	}
	for i := range s.Labels {
		s.Labels[i] = uint8(rng.IntN(10))
	}
	return s
}
