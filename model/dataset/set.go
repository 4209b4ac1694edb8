package dataset

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// splitStream is the second PCG word used by Split, so that a seed yields
// the same permutation on every run.
const splitStream = 0x9e3779b97f4a7c15

// Set is a labelled image set. Its pixels are kept as the IDX files' bytes,
// a quarter of the memory of float32 (MNIST: 55 MB, not 220), and become
// values in [0, 1] (PixelValue) only as a batch or a matrix is filled.
type Set struct {
	// Rows and Cols are the height and width of every image.
	Rows, Cols int
	// Pixels holds all images back to back, row-major, Rows*Cols bytes per
	// image: 0 is black (no ink), 255 white.
	Pixels []uint8
	// Labels holds one label per image.
	Labels []uint8
}

// PixelValue is a pixel's byte as the models see it: b/255 in float32, in
// [0, 1].
func PixelValue(b uint8) float32 { return float32(b) / 255 }

// Len returns the number of images in the set.
func (s *Set) Len() int { return len(s.Labels) }

// Dim returns the number of pixels per image, Rows*Cols.
func (s *Set) Dim() int { return s.Rows * s.Cols }

// Image returns image i's bytes as a slice view into Pixels; writes through
// it modify the set, and appending to it never does. It panics if i is out
// of range.
func (s *Set) Image(i int) []uint8 {
	d := s.Dim()
	return s.Pixels[i*d : (i+1)*d : (i+1)*d]
}

// ImageValues sets dst (Dim values) to image i's pixel values in [0, 1]. It
// panics if i is out of range or dst has another length.
func (s *Set) ImageValues(dst []float32, i int) {
	img := s.Image(i)
	if len(dst) != len(img) {
		panic(fmt.Sprintf("dataset: image values: dst has %d values, images %d", len(dst), len(img)))
	}
	for j, b := range img {
		dst[j] = PixelValue(b)
	}
}

// Subset returns a new set holding copies of the images and labels at the
// given indices, in that order. It panics if an index is out of range.
func (s *Set) Subset(idx []int) *Set {
	d := s.Dim()
	out := &Set{
		Rows:   s.Rows,
		Cols:   s.Cols,
		Pixels: make([]uint8, 0, len(idx)*d),
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

// Prefix returns the first n images (n clamped to [0, Len]) as a set that
// shares s's memory: a view for reading, where Head would copy.
func (s *Set) Prefix(n int) *Set {
	n = max(0, min(n, s.Len()))
	d := s.Dim()
	return &Set{Rows: s.Rows, Cols: s.Cols, Pixels: s.Pixels[: n*d : n*d], Labels: s.Labels[:n:n]}
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
