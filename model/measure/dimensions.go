package measure

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"latentlab/model/dataset"
	"latentlab/model/infer"
)

// ActivityThreshold is the activity above which a latent dimension counts
// as active (Burda, Grosse & Salakhutdinov 2016, section 5.2: 0.01).
const ActivityThreshold = 0.01

// DimensionUse says how much a model with an encoder uses each latent
// dimension, over a set of images.
type DimensionUse struct {
	// Activity is the variance over the images of each dimension's code
	// (AE) or posterior mean (VAE): Burda et al.'s activity,
	// A_u = Cov_x(E_{q(u|x)}[u]).
	Activity []float64 `json:"activity"`
	// KL is the VAE's KL(q(z_u|x) || N(0, 1)) per dimension, averaged over
	// the images, in nats (nil for an AE).
	KL []float64 `json:"kl_per_dim,omitempty"`
	// Active marks the dimensions of activity above ActivityThreshold.
	Active []bool `json:"active"`
	// Order lists the dimensions, most used first: by KL (VAE), by
	// activity (AE).
	Order []int `json:"order"`
}

// ActiveCount returns the number of active dimensions.
func (u DimensionUse) ActiveCount() int {
	n := 0
	for _, a := range u.Active {
		if a {
			n++
		}
	}
	return n
}

// UseOfDimensions measures how an AE or VAE uses each latent dimension on
// set.
func UseOfDimensions(s *infer.Snapshot, set *dataset.Set) (DimensionUse, error) {
	if !s.HasEncoder() {
		return DimensionUse{}, fmt.Errorf("measure: use of dimensions: the %s has no encoder", s.Kind())
	}
	if set == nil || set.Len() < 2 {
		return DimensionUse{}, fmt.Errorf("measure: use of dimensions: need at least 2 images")
	}
	means, logVars, err := infer.EncodeSetWithLogVar(s, set)
	if err != nil {
		return DimensionUse{}, err
	}
	return UseOfCodes(means, logVars)
}

// UseOfCodes is UseOfDimensions from codes already encoded
// (infer.EncodeSetWithLogVar): the rows' posterior means, and for a VAE
// their log-variances (nil for an AE, which has no KL term).
func UseOfCodes(means, logVars *mat.Dense) (DimensionUse, error) {
	if means == nil {
		return DimensionUse{}, fmt.Errorf("measure: use of dimensions: no codes")
	}
	n, d := means.Dims()
	if n < 2 {
		return DimensionUse{}, fmt.Errorf("measure: use of dimensions: need at least 2 codes")
	}
	var kl []float64
	if logVars != nil {
		if r, c := logVars.Dims(); r != n || c != d {
			return DimensionUse{}, fmt.Errorf("measure: use of dimensions: %dx%d log-variances for %dx%d means", r, c, n, d)
		}
		kl = make([]float64, d)
		for i := range n {
			mr, lr := means.RawRowView(i), logVars.RawRowView(i)
			for j := range mr {
				kl[j] += 0.5 * (mr[j]*mr[j] + math.Exp(lr[j]) - lr[j] - 1) / float64(n)
			}
		}
	}
	u := DimensionUse{Activity: make([]float64, d), KL: kl, Active: make([]bool, d), Order: make([]int, d)}
	col := make([]float64, n)
	for j := range d {
		u.Activity[j] = stat.Variance(mat.Col(col, j, means), nil)
		u.Active[j] = u.Activity[j] > ActivityThreshold
		u.Order[j] = j
	}
	key := u.Activity
	if kl != nil {
		key = kl
	}
	slices.SortStableFunc(u.Order, func(a, b int) int { return -cmpFloat(key[a], key[b]) })
	return u, nil
}

// cmpFloat orders a and b.
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sqrtPos is the square root of max(v, 0).
func sqrtPos(v float64) float64 { return math.Sqrt(max(v, 0)) }
