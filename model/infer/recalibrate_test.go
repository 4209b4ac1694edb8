package infer

import (
	"math"
	"testing"

	"latentlab/model"
	"latentlab/model/nn/conv"
)

// overridden reads weights from p except for the names in over.
type overridden struct {
	p    Weights
	over map[string][]float32
}

func (o overridden) Float32s(name string) []float32 {
	if v, ok := o.over[name]; ok {
		return append([]float32(nil), v...)
	}
	return o.p.Float32s(name)
}

// With the population statistics in place, each batch norm layer of a
// DCGAN generator, fed by the layers before it over the same draws,
// normalises every channel to mean 0 and variance 1: the statistics are
// those of the weights themselves, each layer's computed after the ones
// before it. With the running statistics training left, it does not. An
// MLP generator has no statistics to recompute.
func TestPopulationStatistics_NormaliseTheirInputs(t *testing.T) {
	c := model.DefaultConfig(model.KindGAN).WithArch(model.ArchConv)
	c.ImageRows, c.ImageCols, c.LatentDim = 8, 8, 5
	c.Hidden = []int{6, 8}
	p := randomWeights(t, c)
	const n, seed = 3000, 11
	stats := PopulationStatistics(c, p, n, seed)
	if len(stats) != 4 {
		t.Fatalf("%d statistics, want the running mean and variance of two layers", len(stats))
	}
	z := SamplePrior(n, c.LatentDim, seed).RawMatrix()
	// worst returns the largest deviation from mean 0 and variance 1 of a
	// batch norm layer's normalised input, over its channels.
	worst := func(w Weights) (dMean, dVar []float64) {
		stages := bind(model.ArchitectureOf(c).Decoder, w)
		sc := new(forwardScratch)
		rowsF32(sc, z, 0, n, false)
		for k, st := range stages {
			bn, ok := st.layer.(conv.BatchNorm)
			if !ok {
				continue
			}
			x := hidden(sc, n, stages[:k])
			var dm, dv float64
			for ch := range bn.C {
				var sum, sq, count float64
				sigma := math.Sqrt(float64(st.w[3][ch]) + conv.BatchNormEps)
				for r := range n {
					for _, v := range x[(r*bn.C+ch)*bn.Spatial:][:bn.Spatial] {
						u := (float64(v) - float64(st.w[2][ch])) / sigma
						sum, sq, count = sum+u, sq+u*u, count+1
					}
				}
				mean := sum / count
				dm, dv = max(dm, math.Abs(mean)), max(dv, math.Abs(sq/count-mean*mean-1))
			}
			dMean, dVar = append(dMean, dm), append(dVar, dv)
		}
		return dMean, dVar
	}
	dMean, dVar := worst(overridden{p, stats})
	for k := range dMean {
		if dMean[k] > 1e-4 || dVar[k] > 1e-3 {
			t.Errorf("batch norm %d with population statistics: channel means off by up to %.2g, variances by %.2g", k, dMean[k], dVar[k])
		}
	}
	dMean, dVar = worst(p)
	for k := range dMean {
		if dMean[k] < 0.05 && dVar[k] < 0.05 {
			t.Errorf("batch norm %d normalises well with the old running statistics too (%.2g, %.2g): the test cannot tell", k, dMean[k], dVar[k])
		}
	}

	mlp := model.DefaultConfig(model.KindGAN)
	mlp.ImageRows, mlp.ImageCols, mlp.LatentDim, mlp.Hidden = 8, 8, 5, []int{7, 9}
	if got := PopulationStatistics(mlp, randomWeights(t, mlp), 10, 1); len(got) != 0 {
		t.Fatalf("an MLP generator got statistics %v", got)
	}
}

// BenchmarkPopulationStatistics times one recalibration of the DCGAN's
// generator as training does it (256 draws).
func BenchmarkPopulationStatistics(b *testing.B) {
	c := model.DefaultConfig(model.KindGAN).WithArch(model.ArchConv)
	p := randomWeights(b, c)
	for b.Loop() {
		PopulationStatistics(c, p, 256, 1)
	}
}
