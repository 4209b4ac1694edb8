package measure

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/nn"
)

// coverageShare is the share of samples a class needs to count as covered:
// a tenth of its share under a uniform spread.
const coverageShare = 0.01

// SampleQuality describes a set of digits through the eyes of the
// classifier: how far their features lie from the test set's, how
// confidently and how evenly they fall into the ten classes.
type SampleQuality struct {
	Images int `json:"images"`
	// Frechet is the Fréchet distance between Gaussians fitted to the
	// classifier's features of these digits and of the test digits
	// (Heusel et al. 2017): |mu1-mu2|^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2)).
	Frechet float64 `json:"frechet_distance"`
	// Score is the MNIST score, exp(E_x KL(p(y|x) || p(y))) (Salimans et
	// al. 2016's Inception score with our classifier): 10 at best.
	Score float64 `json:"mnist_score"`
	// Histogram holds the share of digits classified as each class.
	Histogram [model.Classes]float64 `json:"class_histogram"`
	// Entropy of the histogram in nats: log 10 = 2.303 when even.
	Entropy float64 `json:"class_entropy"`
	// Covered counts classes with at least 1% of the digits.
	Covered int `json:"classes_covered"`
}

// Features are a set of digits as the classifier sees them.
type Features struct {
	Probs    *mat.Dense // p(y|x), one row per digit
	Features *mat.Dense // last hidden layer, one row per digit
}

// Featurize runs the classifier over the rows of images in batches.
func Featurize(c *infer.Snapshot, images *mat.Dense) (Features, error) {
	n, d := images.Dims()
	if n == 0 {
		return Features{}, errors.New("measure: featurize: no images")
	}
	var probs, feats []*mat.Dense
	for start := 0; start < n; start += evalBatch {
		end := min(start+evalBatch, n)
		p, f, err := c.Classify(images.Slice(start, end, 0, d).(*mat.Dense))
		if err != nil {
			return Features{}, err
		}
		probs, feats = append(probs, p), append(feats, f)
	}
	return Features{Probs: stack(probs), Features: stack(feats)}, nil
}

// FeaturizeSet runs the classifier over every image of set.
func FeaturizeSet(c *infer.Snapshot, set *dataset.Set) (Features, error) {
	if set == nil || set.Len() == 0 {
		return Features{}, errors.New("measure: featurize: no images")
	}
	var probs, feats []*mat.Dense
	for start := 0; start < set.Len(); start += evalBatch {
		f, err := Featurize(c, set.Matrix(start, min(start+evalBatch, set.Len())))
		if err != nil {
			return Features{}, err
		}
		probs, feats = append(probs, f.Probs), append(feats, f.Features)
	}
	return Features{Probs: stack(probs), Features: stack(feats)}, nil
}

func stack(parts []*mat.Dense) *mat.Dense {
	rows, cols := 0, 0
	for _, p := range parts {
		r, c := p.Dims()
		rows, cols = rows+r, c
	}
	out := mat.NewDense(rows, cols, nil)
	at := 0
	for _, p := range parts {
		r, _ := p.Dims()
		out.Slice(at, at+r, 0, cols).(*mat.Dense).Copy(p)
		at += r
	}
	return out
}

// Quality compares generated (or any) digits with the reference features of
// the test set.
func Quality(gen, reference Features) (SampleQuality, error) {
	n, _ := gen.Probs.Dims()
	q := SampleQuality{Images: n}
	fd, err := FrechetDistance(gen.Features, reference.Features)
	if err != nil {
		return q, err
	}
	q.Frechet = fd
	q.Histogram, q.Entropy, q.Covered = ClassHistogram(gen.Probs)
	q.Score = MNISTScore(gen.Probs)
	return q, nil
}

// ClassHistogram returns the share of rows of probs whose most likely class
// is each class, the entropy of those shares in nats, and how many classes
// hold at least 1% of the rows.
func ClassHistogram(probs *mat.Dense) (hist [model.Classes]float64, entropy float64, covered int) {
	n, _ := probs.Dims()
	for i := 0; i < n; i++ {
		hist[floats.MaxIdx(probs.RawRowView(i))]++
	}
	for c := range hist {
		hist[c] /= float64(n)
		if hist[c] > 0 {
			entropy -= hist[c] * math.Log(hist[c])
		}
		if hist[c] >= coverageShare {
			covered++
		}
	}
	return hist, entropy, covered
}

// MNISTScore is exp of the mean KL divergence between each row's p(y|x)
// and their mean p(y).
func MNISTScore(probs *mat.Dense) float64 {
	n, k := probs.Dims()
	marginal := make([]float64, k)
	for i := 0; i < n; i++ {
		for j, p := range probs.RawRowView(i) {
			marginal[j] += p / float64(n)
		}
	}
	kl := 0.0
	for i := 0; i < n; i++ {
		for j, p := range probs.RawRowView(i) {
			if p > 0 {
				kl += p * (math.Log(p) - math.Log(math.Max(marginal[j], 1e-300)))
			}
		}
	}
	return math.Exp(kl / float64(n))
}

// FrechetDistance fits a Gaussian to the rows of a and one to the rows of b
// and returns |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2)). The
// trace of the square root is the sum of the square roots of the
// eigenvalues of S_a^(1/2) S_b S_a^(1/2), a symmetric matrix with the same
// spectrum as S_a S_b.
func FrechetDistance(a, b *mat.Dense) (float64, error) {
	na, d := a.Dims()
	nb, db := b.Dims()
	if d != db {
		return 0, fmt.Errorf("measure: Fréchet distance: %d features against %d", d, db)
	}
	if na < 2 || nb < 2 {
		return 0, fmt.Errorf("measure: Fréchet distance: need at least 2 rows on each side, have %d and %d", na, nb)
	}
	muA, muB := colMeans(a), colMeans(b)
	var covA, covB mat.SymDense
	stat.CovarianceMatrix(&covA, a, nil)
	stat.CovarianceMatrix(&covB, b, nil)
	sqrtA, err := symSqrt(&covA)
	if err != nil {
		return 0, err
	}
	var prod mat.Dense
	prod.Mul(sqrtA, &covB)
	prod.Mul(&prod, sqrtA)
	sym := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			sym.SetSym(i, j, (prod.At(i, j)+prod.At(j, i))/2)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(sym, false) {
		return 0, errors.New("measure: Fréchet distance: eigendecomposition did not converge")
	}
	traceSqrt := 0.0
	for _, v := range eig.Values(nil) {
		traceSqrt += math.Sqrt(math.Max(v, 0))
	}
	dist := 0.0
	for i := range muA {
		dist += (muA[i] - muB[i]) * (muA[i] - muB[i])
	}
	for i := 0; i < d; i++ {
		dist += covA.At(i, i) + covB.At(i, i)
	}
	return math.Max(dist-2*traceSqrt, 0), nil
}

// colMeans returns the mean of each column of m.
func colMeans(m *mat.Dense) []float64 {
	n, d := m.Dims()
	out := make([]float64, d)
	col := make([]float64, n)
	for j := range out {
		out[j] = stat.Mean(mat.Col(col, j, m), nil)
	}
	return out
}

// symSqrt returns the principal square root of a symmetric positive
// semi-definite matrix (negative rounding-error eigenvalues are clipped).
func symSqrt(s *mat.SymDense) (*mat.Dense, error) {
	var eig mat.EigenSym
	if !eig.Factorize(s, true) {
		return nil, errors.New("measure: matrix square root: eigendecomposition did not converge")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	d := len(vals)
	scaled := mat.NewDense(d, d, nil)
	for j, v := range vals {
		r := math.Sqrt(math.Max(v, 0))
		for i := 0; i < d; i++ {
			scaled.Set(i, j, vecs.At(i, j)*r)
		}
	}
	var out mat.Dense
	out.Mul(scaled, vecs.T())
	return &out, nil
}

// LatentKL is the VAE's KL(q(z|x) || N(0, I)) per latent dimension,
// averaged over a set of images, and the number of active dimensions
// (KL above 0.01 nats, Burda et al. 2016).
type LatentKL struct {
	PerDim []float64 `json:"kl_per_dim"`
	Active int       `json:"active_dims"`
}

// ActiveThreshold is the KL, in nats, above which a latent dimension counts
// as active.
const ActiveThreshold = 0.01

// KLPerDimension measures a VAE's KL per latent dimension on set.
func KLPerDimension(s *infer.Snapshot, set *dataset.Set) (LatentKL, error) {
	if s.Kind() != model.KindVAE {
		return LatentKL{}, fmt.Errorf("measure: KL per dimension: the %s has no posterior", s.Kind())
	}
	out := LatentKL{PerDim: make([]float64, s.LatentDim())}
	for start := 0; start < set.Len(); start += evalBatch {
		end := min(start+evalBatch, set.Len())
		mean, logVar, err := s.EncodeBatch(set.Matrix(start, end))
		if err != nil {
			return out, err
		}
		for i := 0; i < end-start; i++ {
			mr, lr := mean.RawRowView(i), logVar.RawRowView(i)
			for j := range mr {
				out.PerDim[j] += 0.5 * (mr[j]*mr[j] + math.Exp(lr[j]) - lr[j] - 1)
			}
		}
	}
	for j := range out.PerDim {
		out.PerDim[j] /= float64(set.Len())
		if out.PerDim[j] > ActiveThreshold {
			out.Active++
		}
	}
	return out, nil
}

// ImportanceWeightedNLL estimates -log p(x) per image on set, in nats, with
// k samples of q(z|x) per image (Burda et al. 2016):
// log p(x) ~ log 1/k sum_i p(x|z_i) p(z_i) / q(z_i|x). It is never above
// the negative ELBO and tightens as k grows.
func ImportanceWeightedNLL(s *infer.Snapshot, set *dataset.Set, k int, seed uint64) (float64, error) {
	if s.Kind() != model.KindVAE {
		return 0, fmt.Errorf("measure: importance-weighted bound: the %s has no posterior", s.Kind())
	}
	if k < 1 {
		return 0, fmt.Errorf("measure: importance-weighted bound: k = %d samples, need at least 1", k)
	}
	rng := rand.New(rand.NewPCG(seed, 0x1a5e))
	d := s.LatentDim()
	total := 0.0
	logW := make([]float64, k)
	for i := 0; i < set.Len(); i++ {
		x := set.Matrix(i, i+1)
		mean, logVar, err := s.EncodeBatch(x)
		if err != nil {
			return 0, err
		}
		mu, lv := mean.RawRowView(0), logVar.RawRowView(0)
		z := mat.NewDense(k, d, nil)
		logQminusP := make([]float64, k)
		for r := 0; r < k; r++ {
			row := z.RawRowView(r)
			for j := 0; j < d; j++ {
				eps := rng.NormFloat64()
				row[j] = mu[j] + math.Exp(lv[j]/2)*eps
				// log q(z|x) - log p(z); the 2 pi terms cancel.
				logQminusP[r] += -0.5*eps*eps - lv[j]/2 + 0.5*row[j]*row[j]
			}
		}
		logits, err := s.DecodeLogits(z)
		if err != nil {
			return 0, err
		}
		xs := x.RawRowView(0)
		for r := 0; r < k; r++ {
			ll := 0.0
			for j, l := range logits.RawRowView(r) {
				ll -= nn.Softplus(l) - xs[j]*l
			}
			logW[r] = ll - logQminusP[r]
		}
		total += floats.LogSumExp(logW) - math.Log(float64(k))
	}
	return -total / float64(set.Len()), nil
}
