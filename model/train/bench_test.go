package train

import (
	"context"
	"testing"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
)

// benchSnapshot is a default-sized model (784-512-256-z) for kind.
func benchSnapshot(b *testing.B, kind model.Kind, latent int) *infer.Snapshot {
	return benchSnapshotOf(b, model.DefaultConfig(kind), latent)
}

// benchSnapshotOf is a snapshot of a new model configured by cfg, with
// latent dimensions.
func benchSnapshotOf(b *testing.B, cfg model.Config, latent int) *infer.Snapshot {
	b.Helper()
	cfg.LatentDim = latent
	tr, err := NewTrainer(cfg, dataset.Noise(cfg.BatchSize, 28, 28, 1), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(tr.Close)
	return tr.Snapshot()
}

func BenchmarkSnapshot_Decode(b *testing.B) {
	for _, kind := range []model.Kind{model.KindVAE, model.KindGAN} {
		b.Run(string(kind), func(b *testing.B) {
			s := benchSnapshot(b, kind, 2)
			z := []float64{0.5, -1}
			for b.Loop() {
				if _, err := s.Decode(z); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSnapshot_Preview times the half-precision decode a drag shows.
func BenchmarkSnapshot_Preview(b *testing.B) {
	for _, kind := range []model.Kind{model.KindVAE, model.KindGAN} {
		b.Run(string(kind), func(b *testing.B) {
			s := benchSnapshot(b, kind, 2)
			z := []float64{0.5, -1}
			for b.Loop() {
				if _, err := s.Preview(z); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSnapshot_Take times taking a snapshot of default-sized weights,
// which a trainer does at most every 50 ms: copying the weights and making
// the decoder's half-precision copy.
func BenchmarkSnapshot_Take(b *testing.B) {
	for _, kind := range []model.Kind{model.KindVAE, model.KindGAN} {
		b.Run(string(kind), func(b *testing.B) {
			cfg := model.DefaultConfig(kind)
			tr, err := NewTrainer(cfg, dataset.Noise(cfg.BatchSize, 28, 28, 1), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer tr.Close()
			for b.Loop() {
				infer.New(tr.cfg, tr.params, 0, 0)
			}
		})
	}
}

// BenchmarkSnapshot_Conv times what the pads ask of the convolutional
// models (the app's conv defaults, DCGAN and conv VAE): one z for the
// screen, in float32 (a conv decoder has no half-precision pass) and the
// 20x20 manifold behind a pad.
func BenchmarkSnapshot_Conv(b *testing.B) {
	for _, kind := range []model.Kind{model.KindVAE, model.KindGAN} {
		cfg := model.DefaultConfig(kind).WithArch(model.ArchConv)
		b.Run(string(kind)+"/preview", func(b *testing.B) {
			s := benchSnapshotOf(b, cfg, 2)
			for b.Loop() {
				if _, err := s.Preview([]float64{0.5, -1}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(string(kind)+"/manifold20x20", func(b *testing.B) {
			s := benchSnapshotOf(b, cfg, 2)
			plane := infer.PriorPlane(2, 0, 1)
			for b.Loop() {
				if _, err := s.Manifold(plane, 20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSnapshot_Manifold20x20(b *testing.B) {
	s := benchSnapshot(b, model.KindVAE, 2)
	plane := infer.PriorPlane(2, 0, 1)
	for b.Loop() {
		if _, err := s.Manifold(plane, 20); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrainer_Steps measures training throughput per model on batches
// of the default size; b.N steps, reported as images per second.
func BenchmarkTrainer_Steps(b *testing.B) {
	for _, kind := range []model.Kind{model.KindAE, model.KindVAE, model.KindGAN} {
		b.Run(string(kind), func(b *testing.B) { benchSteps(b, model.DefaultConfig(kind)) })
	}
}

// BenchmarkTrainer_ConvSteps measures the convolutional models' training
// steps (DCGAN, conv VAE) on batches of the default size, up-sampling by
// resizing (the default) and by transposed convolutions.
func BenchmarkTrainer_ConvSteps(b *testing.B) {
	for _, kind := range []model.Kind{model.KindGAN, model.KindVAE} {
		b.Run(string(kind), func(b *testing.B) { benchSteps(b, model.DefaultConfig(kind).WithArch(model.ArchConv)) })
		cfg := model.DefaultConfig(kind).WithArch(model.ArchConv)
		cfg.Upsample = model.UpsampleTransposed
		b.Run(string(kind)+"/transposed", func(b *testing.B) { benchSteps(b, cfg) })
	}
}

// benchSteps trains cfg for b.N steps on 6,400 MNIST digits and reports
// images per second.
func benchSteps(b *testing.B, cfg model.Config) {
	cfg.Epochs = 1000
	tr, err := NewTrainer(cfg, mnist(b).Train.Head(6400), nil)
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
}
