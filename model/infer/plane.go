package infer

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"latentlab/model"
	"latentlab/model/dataset"
)

// Plane is a 2-D slice through latent space, through the point Base: its
// horizontal axis is the latent axis AxisX, or the unit vector DirX where
// that is set (a principal direction), and its vertical axis AxisY or
// DirY, orthogonal to DirX. A point's coordinates on the plane are its
// values along the two axes (Coords); the plane's point at coordinates
// (x, y) is Base moved along the axes alone until it has them (Point), so
// every other direction keeps Base's value. The plane shows [MinX, MaxX] x
// [MinY, MaxY]. Prior planes are spaced by the quantiles of N(0, 1) rather
// than evenly, as in Kingma & Welling (2014), figure 4.
type Plane struct {
	AxisX, AxisY int
	DirX, DirY   []float64 // unit, orthogonal; nil: the axes AxisX and AxisY
	MinX, MaxX   float64
	MinY, MaxY   float64
	Base         []float64 // length LatentDim
	Quantiles    bool      // grid points at normal quantiles (prior planes)
}

// WithDirections returns p with the axes dx and dy, made unit and
// orthogonal (dy loses its part along dx: the plane is the one they span),
// or an error if they do not span a plane.
func (p Plane) WithDirections(dx, dy []float64) (Plane, error) {
	if len(dx) != len(p.Base) || len(dy) != len(p.Base) {
		return Plane{}, fmt.Errorf("infer: plane directions of %d and %d dimensions, the plane has %d", len(dx), len(dy), len(p.Base))
	}
	x, y := slices.Clone(dx), slices.Clone(dy)
	nx := floats.Norm(x, 2)
	if nx == 0 {
		return Plane{}, fmt.Errorf("infer: a plane direction is zero")
	}
	floats.Scale(1/nx, x)
	floats.AddScaled(y, -floats.Dot(x, y), x)
	ny := floats.Norm(y, 2)
	if ny < 1e-9 {
		return Plane{}, fmt.Errorf("infer: the plane's directions are parallel")
	}
	floats.Scale(1/ny, y)
	p.DirX, p.DirY = x, y
	return p, nil
}

// Through returns p moved to pass through z: the same axes and extent,
// with z as its base point.
func (p Plane) Through(z []float64) Plane {
	p.Base = slices.Clone(z)
	return p
}

// Coords returns z's coordinates on the plane: its values along the axes.
func (p Plane) Coords(z []float64) (x, y float64) {
	if p.DirX == nil {
		return z[p.AxisX], z[p.AxisY]
	}
	return floats.Dot(z, p.DirX), floats.Dot(z, p.DirY)
}

// Point returns the plane's point at coordinates (x, y).
func (p Plane) Point(x, y float64) []float64 {
	z := slices.Clone(p.Base)
	p.place(z, x, y)
	return z
}

// place moves z, a copy of Base, to coordinates (x, y).
func (p Plane) place(z []float64, x, y float64) {
	if p.DirX == nil {
		z[p.AxisX], z[p.AxisY] = x, y
		return
	}
	bx, by := p.Coords(p.Base)
	floats.AddScaled(z, x-bx, p.DirX)
	floats.AddScaled(z, y-by, p.DirY)
}

// Spanning returns p over the central 99% of the coordinates of the rows
// of codes on it (see Extent), widened by margin times that range on
// each side so that the outermost points are not on the edge.
func (p Plane) Spanning(codes *mat.Dense, margin float64) Plane {
	n, _ := codes.Dims()
	xy := mat.NewDense(n, 2, nil)
	for r := range n {
		x, y := p.Coords(codes.RawRowView(r))
		xy.Set(r, 0, x)
		xy.Set(r, 1, y)
	}
	lo, hi := Extent(xy)
	wx, wy := (hi[0]-lo[0])*margin, (hi[1]-lo[1])*margin
	p.MinX, p.MaxX, p.MinY, p.MaxY = lo[0]-wx, hi[0]+wx, lo[1]-wy, hi[1]+wy
	return p
}

// Spread returns the standard deviations along the plane's axes of a
// Gaussian with independent coordinates of standard deviations sd (a
// VAE's posterior).
func (p Plane) Spread(sd []float64) (sx, sy float64) {
	if p.DirX == nil {
		return sd[p.AxisX], sd[p.AxisY]
	}
	for i, s := range sd {
		sx += p.DirX[i] * p.DirX[i] * s * s
		sy += p.DirY[i] * p.DirY[i] * s * s
	}
	return math.Sqrt(sx), math.Sqrt(sy)
}

// Covariance returns the covariance of a Gaussian of covariance cov
// (d x d) along the plane's axes: the 2 x 2 matrix [xx xy; xy yy] of its
// marginal in the plane's coordinates, uᵀ cov u, uᵀ cov v and vᵀ cov v for
// the axes' unit vectors u and v.
func (p Plane) Covariance(cov mat.Symmetric) (xx, xy, yy float64) {
	if p.DirX == nil {
		return cov.At(p.AxisX, p.AxisX), cov.At(p.AxisX, p.AxisY), cov.At(p.AxisY, p.AxisY)
	}
	u, v := mat.NewVecDense(len(p.DirX), p.DirX), mat.NewVecDense(len(p.DirY), p.DirY)
	return mat.Inner(u, cov, u), mat.Inner(u, cov, v), mat.Inner(v, cov, v)
}

// OffPlane returns Base without its part in the plane: what the other
// directions hold, which a plane through another point of the same slice
// shares.
func (p Plane) OffPlane() []float64 {
	return p.Point(0, 0)
}

// priorCoverage is the probability mass of N(0, 1) a prior plane spans on
// each axis: from the 0.5% to the 99.5% quantile.
const priorCoverage = 0.99

// PriorPlane returns the plane of axes (x, y) through the prior N(0, I),
// spanning its central 99% on each axis.
func PriorPlane(latentDim, x, y int) Plane {
	q := distuv.UnitNormal.Quantile(0.5 + priorCoverage/2)
	return Plane{AxisX: x, AxisY: y, MinX: -q, MaxX: q, MinY: -q, MaxY: q, Base: make([]float64, latentDim), Quantiles: true}
}

// DataPlane returns the plane of axes (x, y) that spans the central 99% of
// the codes of set (an AE's encoded data), through the codes' mean.
func DataPlane(s *Snapshot, set *dataset.Set, x, y int) (Plane, error) {
	codes, err := EncodeSet(s, set)
	if err != nil {
		return Plane{}, err
	}
	return PlaneOfCodes(codes, x, y)
}

// PlaneOfCodes returns the plane of axes (x, y) that spans the central 99%
// of the rows of codes, through their mean.
func PlaneOfCodes(codes *mat.Dense, x, y int) (Plane, error) {
	n, d := codes.Dims()
	if x < 0 || x >= d || y < 0 || y >= d {
		return Plane{}, fmt.Errorf("infer: plane axes %d and %d out of range for latent dimension %d", x, y, d)
	}
	lo, hi := Extent(codes)
	p := Plane{AxisX: x, AxisY: y, MinX: lo[x], MaxX: hi[x], MinY: lo[y], MaxY: hi[y], Base: make([]float64, d)}
	for j := 0; j < d; j++ {
		p.Base[j] = mat.Sum(codes.ColView(j)) / float64(n)
	}
	return p, nil
}

// DefaultPlane is the plane a model's latent space is shown in: the prior's
// for a VAE or GAN, the encoded data's for an AE (set is then required),
// the prior's for an AE's decoder alone.
func DefaultPlane(s *Snapshot, set *dataset.Set, x, y int) (Plane, error) {
	if s.Kind() == model.KindAE && s.HasEncoder() {
		return DataPlane(s, set, x, y)
	}
	if x < 0 || x >= s.LatentDim() || y < 0 || y >= s.LatentDim() {
		return Plane{}, fmt.Errorf("infer: plane axes %d and %d out of range for latent dimension %d", x, y, s.LatentDim())
	}
	return PriorPlane(s.LatentDim(), x, y), nil
}

// At returns the latent point at fractions (u, v) in [0, 1] of the plane's
// width and height, u from MinX to MaxX and v from MinY to MaxY.
func (p Plane) At(u, v float64) []float64 {
	return p.Point(p.coord(u, p.MinX, p.MaxX), p.coord(v, p.MinY, p.MaxY))
}

func (p Plane) coord(f, lo, hi float64) float64 {
	if !p.Quantiles {
		return lo + f*(hi-lo)
	}
	// Map f in [0, 1] to the quantile of probability within the covered mass.
	f = math.Min(math.Max(f, 0), 1)
	return distuv.UnitNormal.Quantile(0.5 - priorCoverage/2 + f*priorCoverage)
}

// GridPoints returns n x n latent points of the plane, row-major with the
// first row at MaxY (top of a picture) and the first column at MinX. Points
// sit at cell centres.
func (p Plane) GridPoints(n int) *mat.Dense {
	// The points are those of At; each column's x and each row's y is
	// computed once (a normal quantile each for prior planes).
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range n {
		xs[i] = p.coord((float64(i)+0.5)/float64(n), p.MinX, p.MaxX)
		ys[i] = p.coord(1-(float64(i)+0.5)/float64(n), p.MinY, p.MaxY)
	}
	d := len(p.Base)
	z := mat.NewDense(n*n, d, nil)
	raw := z.RawMatrix().Data
	for r := range n {
		for c := range n {
			pt := raw[(r*n+c)*d : (r*n+c+1)*d]
			copy(pt, p.Base)
			p.place(pt, xs[c], ys[r])
		}
	}
	return z
}

// Manifold decodes an n x n grid over the plane: row-major images with
// pixels in [0, 1], first row at the top (MaxY).
func (s *Snapshot) Manifold(p Plane, n int) (*mat.Dense, error) {
	if n < 1 || n > 100 {
		return nil, fmt.Errorf("infer: manifold size %d out of range [1, 100]", n)
	}
	if len(p.Base) != s.LatentDim() {
		return nil, fmt.Errorf("infer: plane has %d dimensions, the %s has %d", len(p.Base), s.Kind(), s.LatentDim())
	}
	return s.DecodeBatch(p.GridPoints(n))
}

// setChunk is how many images a pass over a whole set lays out as float64
// pixels at once: 6 MB of them, not the 63 MB of MNIST's test set.
const setChunk = 1000

// EncodeSet returns the codes (AE) or posterior means (VAE) of every image
// of set, one row each.
func EncodeSet(s *Snapshot, set *dataset.Set) (*mat.Dense, error) {
	codes, _, err := encodeSet(s, set, false)
	return codes, err
}

// EncodeSetWithLogVar is EncodeSet that also keeps a VAE's posterior
// log-variances, row by row (nil for an AE): what measures of the use of
// each dimension need, in the same single pass.
func EncodeSetWithLogVar(s *Snapshot, set *dataset.Set) (means, logVars *mat.Dense, err error) {
	return encodeSet(s, set, true)
}

func encodeSet(s *Snapshot, set *dataset.Set, keepLogVar bool) (codes, logVars *mat.Dense, err error) {
	if set == nil || set.Len() == 0 {
		return nil, nil, fmt.Errorf("infer: encode: no images")
	}
	for start := 0; start < set.Len(); start += setChunk {
		end := min(start+setChunk, set.Len())
		mean, logVar, err := s.EncodeBatch(set.Matrix(start, end))
		if err != nil {
			return nil, nil, err
		}
		cols := mean.RawMatrix().Cols
		if codes == nil {
			codes = mat.NewDense(set.Len(), cols, nil)
			if keepLogVar && logVar != nil {
				logVars = mat.NewDense(set.Len(), cols, nil)
			}
		}
		codes.Slice(start, end, 0, cols).(*mat.Dense).Copy(mean)
		if logVars != nil {
			logVars.Slice(start, end, 0, cols).(*mat.Dense).Copy(logVar)
		}
	}
	return codes, logVars, nil
}

// LinearPriorPlane returns the plane of axes (x, y) through the prior
// N(0, I) with even spacing over [-halfWidth, halfWidth] on both axes, for
// views that draw the prior's circular contours.
func LinearPriorPlane(latentDim, x, y int, halfWidth float64) Plane {
	return Plane{AxisX: x, AxisY: y, MinX: -halfWidth, MaxX: halfWidth, MinY: -halfWidth, MaxY: halfWidth, Base: make([]float64, latentDim)}
}

// Fractions returns where z falls on the plane, as fractions of its width
// and height (outside [0, 1] when z is off the plane's extent).
func (p Plane) Fractions(z []float64) (u, v float64) {
	frac := func(x, lo, hi float64) float64 {
		if p.Quantiles {
			return (distuv.UnitNormal.CDF(x) - (0.5 - priorCoverage/2)) / priorCoverage
		}
		return (x - lo) / (hi - lo)
	}
	x, y := p.Coords(z)
	return frac(x, p.MinX, p.MaxX), frac(y, p.MinY, p.MaxY)
}

// Extent returns, per latent axis, the range holding the central 99% of
// the rows of codes.
func Extent(codes *mat.Dense) (lo, hi []float64) {
	n, d := codes.Dims()
	lo, hi = make([]float64, d), make([]float64, d)
	col := make([]float64, n)
	for j := 0; j < d; j++ {
		mat.Col(col, j, codes)
		sort.Float64s(col)
		lo[j], hi[j] = stat.Quantile(0.005, stat.Empirical, col, nil), stat.Quantile(0.995, stat.Empirical, col, nil)
		if hi[j]-lo[j] < 1e-6 {
			lo[j], hi[j] = lo[j]-1, hi[j]+1
		}
	}
	return lo, hi
}
