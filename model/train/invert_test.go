package train

import (
	"context"
	"testing"

	"gonum.org/v1/gonum/floats"

	"latentlab/model"
	"latentlab/model/infer"
)

// Inverting a GAN's generator on its own samples finds points whose images
// are much nearer the samples than those of random points; an image of the
// wrong size is refused.
func TestSnapshot_InvertRecoversGeneratorSamples(t *testing.T) {
	cfg := model.DefaultConfig(model.KindGAN)
	cfg.Hidden = []int{64, 128}
	cfg.LatentDim = 8
	cfg.Epochs = 1000
	tr, err := NewTrainer(cfg, mnist(t).Train.Head(4096), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	ctx, cancel := context.WithCancel(context.Background())
	steps := 0
	tr.Train(ctx, func(e Event) {
		if e.Kind == EventStep {
			if steps++; steps >= 150 {
				cancel()
			}
		}
	})
	s := tr.Snapshot()
	zs := infer.SamplePrior(6, cfg.LatentDim, 3)
	targets, _ := s.DecodeBatch(zs)
	random, _ := s.DecodeBatch(infer.SamplePrior(6, cfg.LatentDim, 4))
	var found, chance float64
	for i := range 6 {
		target := targets.RawRowView(i)
		inv, err := s.Invert(target, infer.InvertOptions{Seed: uint64(i)})
		if err != nil {
			t.Fatal(err)
		}
		img, _ := s.Decode(inv.Z)
		if d := floats.Distance(img, target, 2); d > inv.Distance+1e-4 { // Decode and DecodeBatch round differently
			t.Fatalf("sample %d: the point found decodes %v from the target, Invert says %v", i, d, inv.Distance)
		}
		found += inv.Distance
		chance += floats.Distance(random.RawRowView(i), target, 2)
	}
	t.Logf("mean distance to the generator's own samples: inverted %.3f, random z %.3f", found/6, chance/6)
	if found > chance/4 {
		t.Fatalf("inverted points are %.3f from their samples on average, random ones %.3f", found/6, chance/6)
	}
	if _, err := s.Invert(make([]float64, 10), infer.InvertOptions{}); err == nil {
		t.Fatal("a 10-pixel image: no error")
	}
}
