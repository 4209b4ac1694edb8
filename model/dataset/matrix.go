package dataset

import "gonum.org/v1/gonum/mat"

// Matrix copies images [start, end) of s into a matrix of float64 pixels,
// one image per row: the input of a snapshot's forward passes.
func (s *Set) Matrix(start, end int) *mat.Dense {
	d := s.Dim()
	x := mat.NewDense(end-start, d, nil)
	raw := x.RawMatrix().Data
	for i, v := range s.Pixels[start*d : end*d] {
		raw[i] = float64(PixelValue(v))
	}
	return x
}
