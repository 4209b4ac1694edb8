package dataset

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// splitStream is the second PCG word used by Split, so that a seed yields
// the same permutation on every run.
const splitStream = 0x9e3779b97f4a7c15

// Set is a labelled image set; pixels are float32 in [0,1], row-major, N*Rows*Cols.
type Set struct {
	// Rows and Cols are the height and width of every image.
	Rows, Cols int
	// Pixels holds all images back to back, Rows*Cols values per image.
	Pixels []float32
	// Labels holds one label per image.
	Labels []uint8
}

// Len returns the number of images in the set.
func (s *Set) Len() int { return len(s.Labels) }

// Dim returns the number of pixels per image, Rows*Cols.
func (s *Set) Dim() int { return s.Rows * s.Cols }

// Image returns image i as a slice view into Pixels; writes through it modify
// the set, and appending to it never does. It panics if i is out of range.
func (s *Set) Image(i int) []float32 {
	d := s.Dim()
	return s.Pixels[i*d : (i+1)*d : (i+1)*d]
}

// Subset returns a new set holding copies of the images and labels at the
// given indices, in that order. It panics if an index is out of range.
func (s *Set) Subset(idx []int) *Set {
	d := s.Dim()
	out := &Set{
		Rows:   s.Rows,
		Cols:   s.Cols,
		Pixels: make([]float32, 0, len(idx)*d),
		Labels: make([]uint8, 0, len(idx)),
	}
	for _, i := range idx {
		out.Pixels = append(out.Pixels, s.Image(i)...)
		out.Labels = append(out.Labels, s.Labels[i])
	}
	return out
}

// Head returns a copy of the first n images; n is clamped to [0, Len].
func (s *Set) Head(n int) *Set {
	n = max(0, min(n, s.Len()))
	d := s.Dim()
	return &Set{
		Rows:   s.Rows,
		Cols:   s.Cols,
		Pixels: slices.Clone(s.Pixels[: n*d : n*d]),
		Labels: slices.Clone(s.Labels[:n:n]),
	}
}

// Split holds out `holdout` images chosen by a seeded permutation: returns (rest, heldOut). Error if holdout<0 or >= Len.
//
// Both returned sets are copies that keep the images in their original
// relative order; the same seed always selects the same images.
func (s *Set) Split(holdout int, seed uint64) (rest, heldOut *Set, err error) {
	n := s.Len()
	if holdout < 0 || holdout >= n {
		return nil, nil, fmt.Errorf("dataset: split: holdout %d out of range [0, %d) for a set of %d images", holdout, n, n)
	}
	rng := rand.New(rand.NewPCG(seed, splitStream))
	perm := rng.Perm(n)
	held, kept := perm[:holdout], perm[holdout:]
	slices.Sort(held)
	slices.Sort(kept)
	return s.Subset(kept), s.Subset(held), nil
}
