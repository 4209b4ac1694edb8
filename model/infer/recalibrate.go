package infer

import (
	"slices"

	"latentlab/model"
	"latentlab/model/nn"
)

// PopulationStatistics returns the running statistics of the decoder's
// normalising layers (batch norm, nn.Recalibrator) recomputed over the
// decoder's own pass of n draws from the prior N(0, I), seeded by seed:
// the statistics of the weights p themselves. Each layer's are computed
// with the layers before it already recalibrated. A generator whose
// weights are averaged over training needs them (see nn.Recalibrator). The
// map holds the layers' buffers by parameter name; it is empty for a
// decoder without such layers.
func PopulationStatistics(c model.Config, p Weights, n int, seed uint64) map[string][]float32 {
	stages := bind(model.ArchitectureOf(c).Decoder, p)
	out := map[string][]float32{}
	if !slices.ContainsFunc(stages, func(st stage) bool { _, ok := st.layer.(nn.Recalibrator); return ok }) {
		return out
	}
	z := SamplePrior(n, c.LatentDim, seed).RawMatrix()
	sc := forwardPool.Get().(*forwardScratch)
	defer forwardPool.Put(sc)
	for k, st := range stages {
		r, ok := st.layer.(nn.Recalibrator)
		if !ok {
			continue
		}
		m := r.NewMoments()
		chunk := chunkRows(stages[:k+1])
		for r0 := 0; r0 < n; r0 += chunk {
			rows := min(chunk, n-r0)
			rowsF32(sc, z, r0, rows, false)
			r.AddMoments(m, hidden(sc, rows, stages[:k]), rows)
		}
		r.SetStatistics(st.w, m)
		for i, prm := range st.layer.Params() {
			if prm.Buffer {
				out[prm.Name] = st.w[i]
			}
		}
	}
	return out
}
