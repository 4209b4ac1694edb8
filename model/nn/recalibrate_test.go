package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// Moments gathered in uneven chunks give gonum's mean and unbiased
// variance of all the values, per channel, for values far from zero too.
func TestMoments_AreTheSampleMeanAndVariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := NewMoments(2)
	var all [2][]float64
	for chunk := range 7 {
		for c := range 2 {
			vs := make([]float32, 3+5*chunk)
			for i := range vs {
				vs[i] = float32(40*float64(c) + (1+float64(c))*rng.NormFloat64())
				all[c] = append(all[c], float64(vs[i]))
			}
			m.Add(c, vs)
		}
	}
	for c := range 2 {
		mean, variance := stat.MeanVariance(all[c], nil)
		if math.Abs(m.Mean(c)-mean) > 1e-9*(1+math.Abs(mean)) || math.Abs(m.Variance(c)-variance) > 1e-6*variance {
			t.Errorf("channel %d: mean %v variance %v, gonum's %v %v", c, m.Mean(c), m.Variance(c), mean, variance)
		}
	}
	if e := NewMoments(1); e.Mean(0) != 0 || e.Variance(0) != 0 {
		t.Fatal("empty moments are not zero")
	}
}
