package train

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/nn"
)

// Both GAN graphs must see every update of the weights they share: the
// discriminator step's generator and the generator step's discriminator.
func TestGAN_GraphsShareTheirWeights(t *testing.T) {
	cfg := smallConfig(model.KindGAN, 4, 4)
	cfg.Epochs = 2
	cfg.Dropout = 0 // the snapshot's forward pass has no dropout
	tr, err := newTrainer(cfg, dataset.Noise(16, 4, 4, 5), nil, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	collect(t, tr)
	tr.publish()
	snap := tr.Snapshot()

	// The discriminator step's fakes come from the trained generator (and
	// its discriminator is the trained one): D(G(z)) agrees with the
	// snapshot's.
	d := tr.disc
	fillAll(d, rand4())
	if err := d.run(); err != nil {
		t.Fatal(err)
	}
	fake, err := snap.DecodeBatch(mat.NewDense(4, 2, nn.Float64s(d.buffer(inZ))))
	if err != nil {
		t.Fatal(err)
	}
	want, err := snap.Discriminate(fake)
	if err != nil {
		t.Fatal(err)
	}
	compareTo(t, mat.NewDense(4, 1, want), nil, d.values(outFakeLogit))
	d.reset()

	// The generator step's discriminator is the trained one: its loss,
	// sum_i w_i softplus(-D(G(z_i))), agrees with the snapshot's.
	g := tr.gen
	fillAll(g, rand4())
	if err := g.run(); err != nil {
		t.Fatal(err)
	}
	fake, err = snap.DecodeBatch(mat.NewDense(4, 2, nn.Float64s(g.buffer(inZ))))
	if err != nil {
		t.Fatal(err)
	}
	logits, err := snap.Discriminate(fake)
	if err != nil {
		t.Fatal(err)
	}
	w := nn.Float64s(g.buffer(inW))
	loss := 0.0
	for i, l := range logits {
		loss += w[i] * nn.Softplus(-l)
	}
	got := g.scalar(outLoss)
	g.reset()
	if math.Abs(loss-got) > snapshotTol*math.Max(1, math.Abs(got)) {
		t.Fatalf("generator step's loss %v, with the trained discriminator %v", got, loss)
	}
}

func TestFillDropout_DropsTheConfiguredFraction(t *testing.T) {
	cfg := smallConfig(model.KindGAN, 4, 4)
	cfg.Hidden = []int{300, 500}
	cfg.BatchSize = 64
	cfg.Dropout = 0.3
	tr, err := newTrainer(cfg, dataset.Noise(64, 4, 4, 1), nil, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	fillDropout(tr.disc, cfg.Dropout, rand.New(rand.NewPCG(1, 2)))
	zeros, total := 0, 0
	for _, name := range tr.disc.inputOrder {
		if !strings.HasPrefix(string(name), maskPrefix) {
			continue
		}
		for _, v := range tr.disc.buffers[name].Data().([]float32) {
			switch {
			case v == 0:
				zeros++
			case math.Abs(float64(v)-1/0.7) > 1e-6:
				t.Fatalf("%s holds %v, want 0 or 1/0.7", name, v)
			}
			total++
		}
	}
	// 64 x (500+300) x 2 masks = 102,400 entries: the standard error of the fraction is 0.0014.
	if frac := float64(zeros) / float64(total); total < 100000 || math.Abs(frac-0.3) > 0.01 {
		t.Errorf("dropped %d of %d entries (%.4f), want 0.3", zeros, total, frac)
	}
}

// With DLearningRate set, the discriminator steps at its own rate and the
// generator at LearningRate (Heusel et al. 2017's two time-scale updates).
// Adam's first step moves every weight with a gradient by the learning
// rate times g/(|g|+eps), so the largest move of each network's weights is
// its learning rate.
func TestGAN_DiscriminatorLearnsAtItsOwnRate(t *testing.T) {
	cfg := smallConfig(model.KindGAN, 4, 4)
	cfg.Dropout, cfg.LearningRate, cfg.DLearningRate = 0, 1e-4, 4e-4
	tr, err := newTrainer(cfg, dataset.Noise(16, 4, 4, 5), nil, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	snapshot := func(names []string) map[string][]float64 {
		out := map[string][]float64{}
		for _, name := range names {
			out[name] = slices.Clone(nn.Float64s(tr.params.Tensor(name)))
		}
		return out
	}
	largestMove := func(before map[string][]float64) float64 {
		most := 0.0
		for name, w := range before {
			for i, v := range nn.Float64s(tr.params.Tensor(name)) {
				most = math.Max(most, math.Abs(v-w[i]))
			}
		}
		return most
	}
	d, g := snapshot(tr.disc.names), snapshot(tr.gen.names)
	tr.mu.Lock()
	_, err = tr.trainStep()
	tr.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if got := largestMove(d); math.Abs(got-4e-4) > 4e-6 {
		t.Errorf("the discriminator's weights moved by up to %.3g, want its rate 4e-4", got)
	}
	if got := largestMove(g); math.Abs(got-1e-4) > 1e-6 {
		t.Errorf("the generator's weights moved by up to %.3g, want the learning rate 1e-4", got)
	}

	cfg.DLearningRate = -1
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "d_learning_rate") {
		t.Errorf("a negative discriminator rate: %v", err)
	}
	cfg.DLearningRate, cfg.Schedule = 4e-4, model.ScheduleExp
	if got, want := cfg.DLearningRateAt(2), 4*cfg.LearningRateAt(2); math.Abs(got-want) > 1e-18 {
		t.Errorf("after two epochs of decay the discriminator's rate is %v, want %v", got, want)
	}
}
