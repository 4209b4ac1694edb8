package train

import (
	"context"
	"testing"

	"latentlab/model"
)

// BenchmarkTrainer_ConvSteps measures the convolutional models' training
// steps (DCGAN, conv VAE) on batches of the default size.
func BenchmarkTrainer_ConvSteps(b *testing.B) {
	m := mnist(b)
	for _, kind := range []model.Kind{model.KindGAN, model.KindVAE} {
		b.Run(string(kind), func(b *testing.B) {
			cfg := model.DefaultConfig(kind).WithArch(model.ArchConv)
			cfg.Epochs = 1000
			tr, err := NewTrainer(cfg, m.Train.Head(6400), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer tr.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			steps := 0
			b.ResetTimer()
			err = tr.Train(ctx, func(e Event) {
				if e.Kind == EventStep {
					if steps++; steps >= b.N {
						cancel()
					}
				}
			})
			b.StopTimer()
			if err != nil && ctx.Err() == nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(steps*cfg.BatchSize)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
