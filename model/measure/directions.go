package measure

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"latentlab/model/dataset"
	"latentlab/model/infer"
)

// Directions are a model's principal directions in latent space.
type Directions struct {
	// Method says how they were found: "pca" (principal components of the
	// codes of a set of images: AE, VAE) or "ganspace" (GAN).
	Method string `json:"method"`
	// Vectors are unit vectors of latent space, the most important first.
	Vectors [][]float64 `json:"vectors"`
	// Explained is the share of the variance each component holds: of the
	// codes (pca), of the generator's first hidden layer (ganspace).
	Explained []float64 `json:"explained_variance"`
	// Spread is the standard deviation of the model's points along each
	// direction: of the codes (pca), of the prior N(0, I) (ganspace: 1).
	Spread []float64 `json:"spread"`
}

// ganspaceSamples is how many points of the prior GANSpace takes.
const ganspaceSamples = 2000

// PrincipalDirections returns the first k principal directions of the
// model's latent space: for an AE or VAE the principal components of the
// codes (posterior means) of set; for a GAN, GANSpace's (Härkönen et al.
// 2020, "GANSpace: discovering interpretable GAN controls"): the
// principal components of the generator's first hidden layer over
// ganspaceSamples points of the prior, taken back to latent space by the
// least-squares regression of z on the components' scores (the scores are
// uncorrelated, so component j's direction is the regression
// coefficient sum_i x_ij z_i / sum_i x_ij^2), made unit. seed draws the
// prior's points and PCA's sketch.
func PrincipalDirections(s *infer.Snapshot, set *dataset.Set, k int, seed uint64) (Directions, error) {
	d := s.LatentDim()
	if k < 1 || k > d {
		return Directions{}, fmt.Errorf("measure: %d principal directions of a %d-dimensional latent space", k, d)
	}
	if s.HasEncoder() {
		codes, err := infer.EncodeSet(s, set)
		if err != nil {
			return Directions{}, err
		}
		return DirectionsOfCodes(codes, k, seed)
	}
	z := infer.SamplePrior(ganspaceSamples, d, seed)
	features, err := s.DecoderFeatures(z, s.FeatureDepth())
	if err != nil {
		return Directions{}, err
	}
	_, width := features.Dims()
	c, err := PCA(features, min(k, width), seed)
	if err != nil {
		return Directions{}, err
	}
	scores := c.Scores(features)
	dirs := Directions{Method: "ganspace", Explained: c.Explained()}
	for j := range min(k, width) {
		x := mat.Col(nil, j, scores)
		u := make([]float64, d)
		u2 := mat.NewVecDense(d, u)
		u2.MulVec(z.T(), mat.NewVecDense(len(x), x))
		if norm := floats.Norm(u, 2); norm > 0 {
			floats.Scale(1/norm, u)
		}
		dirs.Vectors = append(dirs.Vectors, u)
		dirs.Spread = append(dirs.Spread, 1)
	}
	return dirs, nil
}

// DirectionsOfCodes returns the first k principal directions of an AE's
// or VAE's latent space from codes it already encoded: what
// PrincipalDirections finds for it, without encoding again.
func DirectionsOfCodes(codes *mat.Dense, k int, seed uint64) (Directions, error) {
	c, err := PCA(codes, k, seed)
	if err != nil {
		return Directions{}, err
	}
	dirs := Directions{Method: "pca", Explained: c.Explained()}
	for j := range k {
		dirs.Vectors = append(dirs.Vectors, c.Direction(j))
		dirs.Spread = append(dirs.Spread, sqrtPos(c.Variance[j]))
	}
	return dirs, nil
}

// Coordinates returns the points (n x d) along each direction (n x k):
// their dot products with the unit vectors.
func (d Directions) Coordinates(points *mat.Dense) *mat.Dense {
	n, _ := points.Dims()
	out := mat.NewDense(n, len(d.Vectors), nil)
	for j, v := range d.Vectors {
		out.ColView(j).(*mat.VecDense).MulVec(points, mat.NewVecDense(len(v), v))
	}
	return out
}

// Plane returns the plane through base spanned by directions i and j:
// over the central 99% of the coordinates of codes along them, widened by
// a tenth each way, or, with no codes (a GAN), TraversalSpan spreads each
// way from base.
func (d Directions) Plane(i, j int, base []float64, codes *mat.Dense) (infer.Plane, error) {
	if i < 0 || j < 0 || i >= len(d.Vectors) || j >= len(d.Vectors) || i == j {
		return infer.Plane{}, fmt.Errorf("measure: a plane of directions %d and %d of %d", i, j, len(d.Vectors))
	}
	p, err := infer.Plane{Base: slices.Clone(base)}.WithDirections(d.Vectors[i], d.Vectors[j])
	if err != nil {
		return infer.Plane{}, err
	}
	if codes == nil {
		bx, by := p.Coords(base)
		sx, sy := TraversalSpan*d.Spread[i], TraversalSpan*d.Spread[j]
		p.MinX, p.MaxX, p.MinY, p.MaxY = bx-sx, bx+sx, by-sy, by+sy
		return p, nil
	}
	return p.Spanning(codes, 0.1), nil
}
