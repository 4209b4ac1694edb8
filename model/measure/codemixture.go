package measure

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"latentlab/model/dataset"
	"latentlab/model/infer"
)

// CodeMixtureComponents is the number of Gaussians fitted to a model's
// codes: ten, as Ghosh et al. 2020 fit to MNIST's, one per digit class if
// the codes cluster by class.
const CodeMixtureComponents = 10

// CodeMixtureImages is how many training digits' codes a report's
// mixture is fitted to: enough for ten full 20-D covariances (230 numbers
// each) many times over, few enough to fit in seconds.
const CodeMixtureImages = 10000

// CodeDensity compares two densities of where digits' codes land: the
// prior N(0, I) a VAE was trained towards, and a mixture fitted to the
// codes of training digits. Log-densities are means over test digits'
// codes (an AE's codes, a VAE's posterior means), in nats; the gap is how
// far the codes are from the prior's shape.
type CodeDensity struct {
	Components int       `json:"components"`
	Codes      int       `json:"fitted_codes"`
	Shares     []float64 `json:"component_shares"`
	Prior      float64   `json:"test_log_density_prior"`
	Mixture    float64   `json:"test_log_density_mixture"`
}

// CodeMixture fits a mixture of CodeMixtureComponents Gaussians (fewer
// when train holds no more digits than that: one less than their number)
// to the codes (an AE's codes, a VAE's posterior means) of up to n digits
// of train, a subset drawn by seed, under model s, which must have an
// encoder. It returns the mixture and the number of codes it was fitted to.
func CodeMixture(s *infer.Snapshot, train *dataset.Set, n int, seed uint64) (*Mixture, int, error) {
	fitSet := train
	if train.Len() > n {
		pick := rand.New(rand.NewPCG(seed, 0x9e0f)).Perm(train.Len())[:n]
		slices.Sort(pick)
		fitSet = train.Subset(pick)
	}
	codes, err := infer.EncodeSet(s, fitSet)
	if err != nil {
		return nil, 0, fmt.Errorf("measure: code mixture: %w", err)
	}
	mix, err := FitCodes(codes, seed)
	if err != nil {
		return nil, 0, fmt.Errorf("measure: code mixture of the %s on %d training digits: %w", s.Kind(), fitSet.Len(), err)
	}
	return mix, fitSet.Len(), nil
}

// FitCodes fits a mixture of CodeMixtureComponents Gaussians to the rows
// of codes, one less than their number when there are no more codes than
// that.
func FitCodes(codes *mat.Dense, seed uint64) (*Mixture, error) {
	n, _ := codes.Dims()
	mix, _, err := FitMixture(codes, min(CodeMixtureComponents, n-1), seed)
	return mix, err
}

// MeasureCodeDensity fits the report's code mixture of model s to train
// and measures the codes of test under it and under N(0, I).
func MeasureCodeDensity(s *infer.Snapshot, train, test *dataset.Set, seed uint64) (*Mixture, CodeDensity, error) {
	var out CodeDensity
	mix, fitted, err := CodeMixture(s, train, CodeMixtureImages, seed)
	if err != nil {
		return nil, out, err
	}
	testCodes, err := infer.EncodeSet(s, test)
	if err != nil {
		return nil, out, fmt.Errorf("measure: code density: %w", err)
	}
	if out.Mixture, err = mix.LogDensity(testCodes); err != nil {
		return nil, out, err
	}
	n, d := testCodes.Dims()
	for i := range n {
		code := testCodes.RawRowView(i)
		out.Prior += (-0.5*float64(d)*math.Log(2*math.Pi) - 0.5*floats.Dot(code, code)) / float64(n)
	}
	out.Components, out.Codes, out.Shares = mix.Components(), fitted, mix.Weights
	return mix, out, nil
}
