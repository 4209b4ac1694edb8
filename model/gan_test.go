package model

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"
)

// Both GAN graphs must see every update of the weights they share: the
// discriminator step's generator and the generator step's discriminator.
func TestGAN_GraphsShareTheirWeights(t *testing.T) {
	cfg := smallConfig(KindGAN, 4, 4)
	cfg.Epochs = 2
	cfg.Dropout = 0 // the snapshot's forward pass has no dropout
	tr, err := newTrainer(cfg, syntheticSet(16, 4, 4, 5), nil, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	collect(t, tr)
	tr.publish()
	snap := tr.Snapshot()

	// The discriminator step's fakes come from the trained generator.
	d := tr.disc
	fillAll(d, rand4())
	if err := d.run(); err != nil {
		t.Fatal(err)
	}
	want, err := snap.DecodeBatch(mat.NewDense(4, 2, toFloat64s(d.buffer("z"))))
	compareTo(t, want, err, d.values("fake"))
	d.reset()

	// The generator step's discriminator is the trained one.
	g := tr.gen
	fillAll(g, rand4())
	if err := g.run(); err != nil {
		t.Fatal(err)
	}
	fake := mat.NewDense(4, 16, g.values("fake"))
	logits, err := snap.Discriminate(fake)
	if err != nil {
		t.Fatal(err)
	}
	got := g.values("fake_logit")
	g.reset()
	for i := range logits {
		if math.Abs(logits[i]-got[i]) > 1e-9 {
			t.Fatalf("generator step's D(G(z))[%d] = %v, trained discriminator says %v", i, got[i], logits[i])
		}
	}
}
