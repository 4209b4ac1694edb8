package measure

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Components are the principal components of a set of points (Pearson
// 1901; Jolliffe 2002): the directions of greatest variance, orthonormal,
// by decreasing variance.
type Components struct {
	Mean       []float64  // the points' mean
	Directions *mat.Dense // d x k: column j is component j, of unit length
	Variance   []float64  // the points' variance along each component
	Total      float64    // the points' total variance, over all d dimensions
}

// Explained returns the share of the total variance each component holds.
func (c Components) Explained() []float64 {
	out := make([]float64, len(c.Variance))
	for j, v := range c.Variance {
		if c.Total > 0 {
			out[j] = v / c.Total
		}
	}
	return out
}

// Direction returns component j as a vector.
func (c Components) Direction(j int) []float64 {
	return mat.Col(nil, j, c.Directions)
}

// Scores returns the points x (n x d) in component coordinates (n x k):
// (x - Mean) · Directions.
func (c Components) Scores(x *mat.Dense) *mat.Dense {
	n, d := x.Dims()
	centred := mat.NewDense(n, d, nil)
	for i := range n {
		row, src := centred.RawRowView(i), x.RawRowView(i)
		for j := range d {
			row[j] = src[j] - c.Mean[j]
		}
	}
	_, k := c.Directions.Dims()
	out := mat.NewDense(n, k, nil)
	out.Mul(centred, c.Directions)
	return out
}

// exactPCALimit is the widest points PCA decomposes exactly; wider ones
// (a convolutional generator's activations, thousands of values) take the
// randomized method.
const exactPCALimit = 512

// PCA returns the first k principal components of the rows of x (n x d,
// n >= 2). Up to exactPCALimit dimensions it decomposes the covariance
// matrix exactly; wider points take randomized subspace
// iteration (Halko, Martinsson & Tropp 2011, algorithms 4.4 and 5.1: a
// Gaussian sketch of k + 10 columns, four power iterations), whose
// components agree with the exact ones where the variances are well
// separated. seed draws the sketch.
func PCA(x *mat.Dense, k int, seed uint64) (Components, error) {
	n, d := x.Dims()
	if n < 2 {
		return Components{}, fmt.Errorf("measure: PCA of %d points: need at least 2", n)
	}
	if k < 1 || k > d {
		return Components{}, fmt.Errorf("measure: PCA: %d components of %d dimensions", k, d)
	}
	c := Components{Mean: make([]float64, d)}
	centred := mat.NewDense(n, d, nil)
	for i := range n {
		floats.AddScaled(c.Mean, 1/float64(n), x.RawRowView(i))
	}
	for i := range n {
		row, src := centred.RawRowView(i), x.RawRowView(i)
		for j := range d {
			row[j] = src[j] - c.Mean[j]
			c.Total += row[j] * row[j] / float64(n-1)
		}
	}
	if d <= exactPCALimit {
		return exactPCA(c, centred, k)
	}
	return randomizedPCA(c, centred, k, seed)
}

// exactPCA fills c's first k components of the centred points from the
// eigen-decomposition of their covariance matrix (d x d: one product of
// the points with themselves, then a small symmetric eigenproblem).
func exactPCA(c Components, centred *mat.Dense, k int) (Components, error) {
	n, d := centred.Dims()
	var cov mat.SymDense
	cov.SymOuterK(1/float64(n-1), centred.T())
	var eig mat.EigenSym
	if !eig.Factorize(&cov, true) {
		return Components{}, fmt.Errorf("measure: PCA of %d x %d points: the eigen-decomposition did not converge", n, d)
	}
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	c.Directions = mat.NewDense(d, k, nil)
	c.Variance = make([]float64, k)
	for j := range k {
		src := d - 1 - j
		c.Variance[j] = max(vals[src], 0)
		c.Directions.SetCol(j, mat.Col(nil, src, &vecs))
	}
	return c, nil
}

// randomizedPCA fills c's first k components of the centred points by
// randomized subspace iteration.
func randomizedPCA(c Components, centred *mat.Dense, k int, seed uint64) (Components, error) {
	n, d := centred.Dims()
	l := min(k+10, d, n)
	rng := rand.New(rand.NewPCG(seed, 0x9ca))
	omega := mat.NewDense(d, l, nil)
	for i, raw := 0, omega.RawMatrix().Data; i < len(raw); i++ {
		raw[i] = rng.NormFloat64()
	}
	var y mat.Dense // n x l: the range of the points, sketched
	y.Mul(centred, omega)
	q := orthonormal(&y)
	for range 4 { // power iterations sharpen the sketch towards the top components
		var z mat.Dense
		z.Mul(centred.T(), q) // d x l
		zq := orthonormal(&z)
		y.Reset()
		y.Mul(centred, zq)
		q = orthonormal(&y)
	}
	var b mat.Dense // l x d: the points in the sketch's basis
	b.Mul(q.T(), centred)
	var svd mat.SVD
	if !svd.Factorize(&b, mat.SVDThin) {
		return Components{}, fmt.Errorf("measure: PCA of %d x %d points: the sketch's SVD did not converge", n, d)
	}
	var v mat.Dense
	svd.VTo(&v) // d x l
	c.Directions = mat.DenseCopyOf(v.Slice(0, d, 0, k))
	sv := svd.Values(nil)
	c.Variance = make([]float64, k)
	for j := range k {
		c.Variance[j] = sv[j] * sv[j] / float64(n-1)
	}
	return c, nil
}

// orthonormal returns an orthonormal basis of a's columns, by modified
// Gram-Schmidt run twice ("twice is enough", Giraud et al. 2005), which
// keeps a tall sketch tall (a QR's full Q would be n x n). A column that
// depends on the earlier ones becomes zero.
func orthonormal(a *mat.Dense) *mat.Dense {
	r, cols := a.Dims()
	q := mat.NewDense(cols, r, nil) // transposed: one basis vector a row
	for j := range cols {
		mat.Col(q.RawRowView(j), j, a)
	}
	for range 2 {
		for j := range cols {
			v := q.RawRowView(j)
			for i := range j {
				u := q.RawRowView(i)
				floats.AddScaled(v, -floats.Dot(u, v), u)
			}
			if norm := floats.Norm(v, 2); norm > 1e-12 {
				floats.Scale(1/norm, v)
			} else {
				clear(v)
			}
		}
	}
	return mat.DenseCopyOf(q.T())
}
