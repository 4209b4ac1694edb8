package train

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/nn"
)

// The generator's average is the exponential moving average of its weights
// after each generator step, with the warm-up's smaller decay at first; the
// snapshot decodes with it and the checkpoint's parameters hold it, while
// the weights training goes on from are saved beside them; turned off, the
// snapshot decodes with the weights again.
func TestGeneratorAverage_IsTheMovingAverageOfTheWeights(t *testing.T) {
	const decay = 0.6
	cfg := smallConfig(model.KindGAN, 4, 4)
	cfg.Epochs = 2
	cfg.GeneratorAverage = decay
	cfg.LearningRate = 1e-2 // weights that move well away from their average in 20 steps
	tr, err := NewTrainer(cfg, dataset.Noise(40, 4, 4, 6), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()

	generator := map[string]bool{}
	for _, p := range tr.params.Specs() {
		generator[p.Name] = strings.HasPrefix(p.Name, "generator.") && !p.Buffer
	}
	want := map[string][]float64{}
	for name, w := range weightsOf(tr) {
		if generator[name] {
			want[name] = w
		}
	}
	updates := 0
	err = tr.Train(context.Background(), func(e Event) {
		if e.Kind != EventStep {
			return
		}
		d := math.Min(decay, float64(1+updates)/float64(10+updates))
		for name, w := range weightsOf(tr) {
			for i, v := range want[name] {
				want[name][i] = d*v + (1-d)*w[i]
			}
		}
		updates++
	})
	if err != nil {
		t.Fatal(err)
	}
	if updates < 15 {
		t.Fatalf("only %d steps", updates)
	}
	raw := weightsOf(tr)
	_, st, saved := tr.Save()
	if st.AverageUpdates != int64(updates) {
		t.Fatalf("state counts %d updates, want %d", st.AverageUpdates, updates)
	}
	byName := map[string]Tensor{}
	for _, s := range saved {
		byName[s.Name] = s
	}
	farthest := 0.0
	for name, avg := range want {
		got, behind := byName[name].Data, byName[WeightsPrefix+name].Data
		if len(got) != len(avg) || len(behind) != len(avg) {
			t.Fatalf("%s: saved %d and %d values, want %d", name, len(got), len(behind), len(avg))
		}
		for i := range avg {
			if math.Abs(float64(got[i])-avg[i]) > 1e-5*(1+math.Abs(avg[i])) {
				t.Fatalf("%s[%d]: saved average %v, want %v", name, i, got[i], avg[i])
			}
			if float64(behind[i]) != raw[name][i] {
				t.Fatalf("%s[%d]: saved weight %v, the trainer's %v", name, i, behind[i], raw[name][i])
			}
			farthest = math.Max(farthest, math.Abs(avg[i]-raw[name][i]))
		}
	}
	if farthest < 1e-3 {
		t.Fatalf("the average is within %v of the weights: the test cannot tell them apart", farthest)
	}

	// The snapshot decodes with the average, not with the weights.
	z := mat.NewDense(3, cfg.LatentDim, nil)
	for i := range 3 * cfg.LatentDim {
		z.RawMatrix().Data[i] = math.Sin(float64(i))
	}
	decodeWith := func(values map[string][]float64) *mat.Dense {
		f32 := map[string][]float32{}
		for name, w := range raw {
			if v, ok := values[name]; ok {
				w = v
			}
			f32[name] = make([]float32, len(w))
			for i, x := range w {
				f32[name][i] = float32(x)
			}
		}
		p, err := nn.ParamSetOf(model.ArchitectureOf(tr.Config()).Layers(), tensor.Float32, f32)
		if err != nil {
			t.Fatal(err)
		}
		return mustDecode(t, infer.New(tr.Config(), p, 0, 0), z)
	}
	snap := mustDecode(t, tr.Snapshot(), z)
	if !mat.EqualApprox(snap, decodeWith(want), 1e-4) {
		t.Fatal("the snapshot does not decode with the averaged generator")
	}
	if mat.EqualApprox(snap, decodeWith(nil), 1e-4) {
		t.Fatal("the snapshot decodes as the last weights do")
	}

	// Turned off, the snapshot is the weights' and nothing is saved behind them.
	cfg.GeneratorAverage, cfg.Epochs = 0, 3
	if err := tr.UpdateSettings(cfg); err != nil {
		t.Fatal(err)
	}
	if err := tr.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	raw = weightsOf(tr)
	if !mat.EqualApprox(mustDecode(t, tr.Snapshot(), z), decodeWith(nil), 1e-6) {
		t.Fatal("with the average off, the snapshot does not decode with the weights")
	}
	_, _, saved = tr.Save()
	for _, s := range saved {
		if strings.HasPrefix(s.Name, WeightsPrefix) {
			t.Fatalf("with the average off, %s is still saved", s.Name)
		}
	}
}

// A DCGAN's averaged generator gets batch norm statistics of its own: what
// the checkpoint and the snapshot hold are the statistics of the averaged
// weights over draws from the prior (within sampling error, 10%, of
// another, larger sample's), not the running ones training keeps for the last
// weights, which are saved behind them.
func TestGeneratorAverage_HasItsOwnBatchNormStatistics(t *testing.T) {
	cfg := smallConfig(model.KindGAN, 8, 8).WithArch(model.ArchConv)
	cfg.Epochs = 2
	cfg.GeneratorAverage = 0.6
	cfg.LearningRate = 1e-2
	tr, err := NewTrainer(cfg, dataset.Noise(40, 8, 8, 6), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	_, _, saved := tr.Save()
	byName := map[string][]float32{}
	for _, s := range saved {
		byName[s.Name] = s.Data
	}
	averaged := averagedWeights{tr.params, &average{values: tr.avg.values}}
	want := infer.PopulationStatistics(cfg, averaged, 20000, 99)
	if len(want) != 4 || len(tr.avg.buffers) != 4 {
		t.Fatalf("statistics of %d buffers, the average keeps %v", len(want), tr.avg.buffers)
	}
	snap := tr.Snapshot()
	z := []float64{0.5, -0.7}
	got, _ := snap.Decode(z)
	withSaved, err := nn.ParamSetOf(model.ArchitectureOf(cfg).Layers(), tensor.Float32, byName)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := infer.New(cfg, withSaved, 0, 0).Decode(z); !slices.Equal(got, again) {
		t.Fatal("the snapshot decodes otherwise than the saved parameters")
	}
	farthest := 0.0
	for name, w := range want {
		raw := tr.params.Float32s(name)
		if !slices.Equal(byName[WeightsPrefix+name], raw) {
			t.Fatalf("%s: the running statistics are not saved behind the average's", name)
		}
		for i := range w {
			if d := math.Abs(float64(byName[name][i] - w[i])); d > 0.1*(1+math.Abs(float64(w[i]))) {
				t.Errorf("%s[%d]: saved %v, the average's statistics are %v", name, i, byName[name][i], w[i])
			}
			farthest = max(farthest, math.Abs(float64(raw[i]-w[i]))/(1+math.Abs(float64(w[i]))))
		}
	}
	if farthest < 0.2 {
		t.Fatalf("the running statistics are within %.2g of the average's: the test cannot tell them apart", farthest)
	}
}
