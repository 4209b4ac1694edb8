package infer

import (
	"testing"

	"latentlab/model"
)

// BenchmarkSnapshot_DecodeBatch decodes a pad's 20x20 manifold, 400 points
// of the prior, for each conv model at the app's sizes: the pass a pad's
// background and the traversal views repeat as a model trains.
func BenchmarkSnapshot_DecodeBatch(b *testing.B) {
	for _, kind := range []model.Kind{model.KindVAE, model.KindGAN} {
		c := model.DefaultConfig(kind).WithArch(model.ArchConv)
		s := New(c, randomWeights(b, c), 1, 0)
		z := SamplePrior(400, c.LatentDim, 1)
		b.Run(string(kind), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.DecodeBatch(z); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/400, "µs/image")
		})
	}
}
