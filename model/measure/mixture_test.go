package measure

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// threeClusters draws n points in 3-D from three Gaussians with the given
// shares, centred on well-separated means, each with its own scales.
func threeClusters(n int, shares []float64, seed uint64) (*mat.Dense, [][]float64) {
	centres := [][]float64{{-6, 0, 1}, {5, 4, -2}, {2, -7, 3}}
	scales := [][]float64{{1, 0.5, 0.2}, {0.3, 1.5, 0.7}, {0.8, 0.8, 2}}
	rng := rand.New(rand.NewPCG(seed, 1))
	x := mat.NewDense(n, 3, nil)
	for i := range n {
		u, j := rng.Float64(), 0
		for u > shares[j] && j < 2 {
			u -= shares[j]
			j++
		}
		for c := range 3 {
			x.Set(i, c, centres[j][c]+scales[j][c]*rng.NormFloat64())
		}
	}
	return x, centres
}

func TestFitMixture_RecoversSeparatedClusters(t *testing.T) {
	shares := []float64{0.5, 0.3, 0.2}
	x, centres := threeClusters(6000, shares, 7)
	m, logLik, err := FitMixture(x, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	for j, c := range centres {
		// The component nearest each true centre has its share and mean.
		best, dist := -1, math.Inf(1)
		for k, mean := range m.Means {
			d := 0.0
			for i := range c {
				d += (mean[i] - c[i]) * (mean[i] - c[i])
			}
			if d < dist {
				best, dist = k, d
			}
		}
		if math.Sqrt(dist) > 0.1 {
			t.Errorf("cluster %d: nearest mean %v is %.3f from %v", j, m.Means[best], math.Sqrt(dist), c)
		}
		// 6000 draws: a share's standard error is below 0.007.
		if math.Abs(m.Weights[best]-shares[j]) > 0.03 {
			t.Errorf("cluster %d: weight %.3f, want %.2f", j, m.Weights[best], shares[j])
		}
	}
	// One Gaussian over the three clusters fits them far worse.
	_, single, err := FitMixture(x, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if logLik < single+1 {
		t.Errorf("mean log-density: 3 components %.3f, 1 component %.3f; want the mixture well above", logLik, single)
	}
	held, _ := threeClusters(2000, shares, 8)
	heldLL, err := m.LogDensity(held)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(heldLL-logLik) > 0.1 {
		t.Errorf("held-out codes: %.3f nats, training codes %.3f: the fit does not generalise", heldLL, logLik)
	}
}

func TestFitMixture_OneComponentIsTheGaussianOfTheCodes(t *testing.T) {
	x, _ := threeClusters(500, []float64{0.5, 0.3, 0.2}, 3)
	m, _, err := FitMixture(x, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	for c := range 3 {
		if want := stat.Mean(mat.Col(nil, c, x), nil); math.Abs(m.Means[0][c]-want) > 1e-9 {
			t.Errorf("mean[%d] = %v, want %v", c, m.Means[0][c], want)
		}
	}
	var cov mat.SymDense
	stat.CovarianceMatrix(&cov, x, nil) // divides by n-1; the maximum-likelihood fit by n
	for a := range 3 {
		for b := range 3 {
			want := cov.At(a, b) * 499 / 500
			if got := m.Covs[0].At(a, b); math.Abs(got-want) > 1e-4*math.Max(1, math.Abs(want)) {
				t.Errorf("cov[%d,%d] = %v, want %v", a, b, got, want)
			}
		}
	}
}

func TestMixture_SamplesHaveItsMoments(t *testing.T) {
	x, _ := threeClusters(3000, []float64{0.5, 0.3, 0.2}, 11)
	m, _, err := FitMixture(x, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	z := m.Sample(20000, 5)
	if again := m.Sample(20000, 5); !mat.Equal(z, again) {
		t.Fatal("the same seed drew different codes")
	}
	if other := m.Sample(20000, 6); mat.Equal(z, other) {
		t.Fatal("another seed drew the same codes")
	}
	for c := range 3 {
		want := 0.0
		for j, w := range m.Weights {
			want += w * m.Means[j][c]
		}
		got, sd := stat.MeanStdDev(mat.Col(nil, c, z), nil)
		if math.Abs(got-want) > 5*sd/math.Sqrt(20000) {
			t.Errorf("column %d: sample mean %.3f, mixture mean %.3f", c, got, want)
		}
	}
	sampledLL, err := m.LogDensity(z)
	if err != nil {
		t.Fatal(err)
	}
	fitLL, _ := m.LogDensity(x)
	if math.Abs(sampledLL-fitLL) > 0.1 {
		t.Errorf("draws' mean log-density %.3f, the data's %.3f: draws do not follow the fit", sampledLL, fitLL)
	}
}

func TestFitMixture_BadInput(t *testing.T) {
	x, _ := threeClusters(10, []float64{0.5, 0.3, 0.2}, 1)
	if _, _, err := FitMixture(x, 10, 1); err == nil || !strings.Contains(err.Error(), "more codes than components") {
		t.Errorf("10 components on 10 codes: err %v", err)
	}
	if _, _, err := FitMixture(x, 0, 1); err == nil {
		t.Error("0 components: no error")
	}
	x.Set(3, 1, math.NaN())
	if _, _, err := FitMixture(x, 2, 1); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("a NaN code: err %v", err)
	}
	m, _, err := FitMixture(mat.NewDense(4, 2, []float64{0, 0, 0, 0, 0, 0, 0, 0}), 1, 1)
	if err != nil {
		t.Fatalf("identical codes: %v (the ridge keeps the covariance invertible)", err)
	}
	if _, err := m.LogDensity(mat.NewDense(1, 3, nil)); err == nil {
		t.Error("codes of another dimension: no error")
	}
}

// Refitting starts EM from the mixture's components: on the codes it was
// fitted to it stops at once with the same fit; on codes that moved it
// follows them; the mixture refitted is left as it was.
func TestMixture_RefitFollowsTheCodes(t *testing.T) {
	x, _ := threeClusters(3000, []float64{0.5, 0.3, 0.2}, 11)
	m, logLik, err := FitMixture(x, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	again, ll, err := m.Refit(x)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(ll-logLik) > 2*mixtureTolerance {
		t.Errorf("refit on the same codes: %.4f nats, the fit %.4f", ll, logLik)
	}
	moved := mat.DenseCopyOf(x)
	for i := range 3000 {
		moved.Set(i, 0, moved.At(i, 0)+1.5)
	}
	before := slices.Clone(m.Means[0])
	shifted, _, err := m.Refit(moved)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(before, m.Means[0]) {
		t.Error("Refit changed the mixture it started from")
	}
	for j := range m.Means {
		if d := shifted.Means[j][0] - again.Means[j][0]; math.Abs(d-1.5) > 0.05 {
			t.Errorf("component %d moved by %.3f along the shift of 1.5", j, d)
		}
	}
	if _, _, err := m.Refit(mat.NewDense(10, 2, nil)); err == nil {
		t.Error("a refit to codes of another dimension: no error")
	}
}
