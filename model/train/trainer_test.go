package train

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/kernel"
	"latentlab/model/measure"
	"latentlab/model/nn"
)

// collect trains tr to the end and returns its step events.
func collect(t *testing.T, tr *Trainer) []Event {
	t.Helper()
	var evs []Event
	if err := tr.Train(context.Background(), func(e Event) {
		if e.Kind == EventStep {
			evs = append(evs, e)
		}
	}); err != nil {
		t.Fatal(err)
	}
	return evs
}

func weightsOf(tr *Trainer) map[string][]float64 {
	out := map[string][]float64{}
	for _, p := range tr.params.Specs() {
		out[p.Name] = nn.Float64s(tr.params.Tensor(p.Name))
	}
	return out
}

func sameWeights(t *testing.T, a, b map[string][]float64) {
	t.Helper()
	for name, wa := range a {
		wb := b[name]
		for i := range wa {
			if wa[i] != wb[i] {
				t.Fatalf("%s[%d] differs: %v vs %v", name, i, wa[i], wb[i])
			}
		}
	}
}

func TestTrainer_TrainingLowersValidationLoss(t *testing.T) {
	m := mnist(t)
	for _, name := range []string{"ae", "vae", "conv vae"} {
		t.Run(name, func(t *testing.T) {
			kind, conv := model.Kind(strings.TrimPrefix(name, "conv ")), strings.HasPrefix(name, "conv")
			cfg := model.DefaultConfig(kind)
			cfg.Epochs = 2
			cfg.Hidden = []int{64}
			if conv {
				cfg = cfg.WithArch(model.ArchConv)
				cfg.Hidden = []int{4, 8}
			}
			tr, err := NewTrainer(cfg, m.Train.Head(3000), m.Test.Head(500))
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			before, err := measure.Evaluate(tr.Snapshot(), m.Test.Head(500), 1)
			if err != nil {
				t.Fatal(err)
			}
			var vals []float64
			if err := tr.Train(context.Background(), func(e Event) {
				if e.Kind == EventEpoch && e.HasValidation {
					vals = append(vals, e.Validation.Total)
				}
			}); err != nil {
				t.Fatal(err)
			}
			// An untrained decoder outputs ~0.5 everywhere: 784*ln 2 = 543 nats.
			// Two short epochs must bring it down steadily, well under 300.
			if len(vals) != 2 || vals[1] >= vals[0] || vals[0] >= before.Total || vals[1] > 300 {
				t.Fatalf("validation loss %v, before training %.1f: want a steady fall below 300", vals, before.Total)
			}
		})
	}
}

func TestTrainer_GANDiscriminatorLearns(t *testing.T) {
	m := mnist(t)
	cfg := model.DefaultConfig(model.KindGAN)
	cfg.Hidden = []int{32, 64}
	cfg.Epochs = 1
	tr, err := NewTrainer(cfg, m.Train.Head(2000), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	before, err := measure.EvaluateGAN(tr.Snapshot(), m.Test.Head(500), 1)
	if err != nil {
		t.Fatal(err)
	}
	evs := collect(t, tr)
	after, err := measure.EvaluateGAN(tr.Snapshot(), m.Test.Head(500), 1)
	if err != nil {
		t.Fatal(err)
	}
	// At the start D cannot tell (D(x) ~ D(G(z)) ~ 0.5, loss 2 ln 2); after an
	// epoch it must separate real from generated digits.
	if after.DReal-after.DFake < 0.1 || after.DLoss >= before.DLoss {
		t.Fatalf("D(x) %.3f, D(G(z)) %.3f, D loss %.3f (before %.3f): discriminator did not learn", after.DReal, after.DFake, after.DLoss, before.DLoss)
	}
	if len(evs) != 32 { // ceil(2000/64)
		t.Fatalf("%d steps, want 32 (the last partial batch is used)", len(evs))
	}
}

func TestTrainer_SameSeedSameRun(t *testing.T) {
	data := dataset.Noise(50, 4, 4, 2)
	for _, kind := range []model.Kind{model.KindAE, model.KindVAE, model.KindGAN} {
		t.Run(string(kind), func(t *testing.T) {
			run := func(seed uint64) ([]Event, map[string][]float64) {
				cfg := smallConfig(kind, 4, 4)
				cfg.Seed, cfg.Epochs, cfg.Dropout = seed, 2, 0.2
				tr, err := NewTrainer(cfg, data, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer tr.Close()
				return collect(t, tr), weightsOf(tr)
			}
			a, wa := run(5)
			b, wb := run(5)
			c, _ := run(6)
			for i := range a {
				if a[i].Loss != b[i].Loss || a[i].GLoss != b[i].GLoss {
					t.Fatalf("step %d: losses %v and %v with the same seed", i+1, a[i].Loss, b[i].Loss)
				}
			}
			sameWeights(t, wa, wb)
			if a[0].Loss == c[0].Loss {
				t.Fatal("a different seed gave the same first loss")
			}
		})
	}
}

func TestTrainer_PauseAndResumeEqualsUninterrupted(t *testing.T) {
	data := dataset.Noise(40, 4, 4, 3)
	for _, kind := range []model.Kind{model.KindVAE, model.KindGAN} {
		t.Run(string(kind), func(t *testing.T) {
			cfg := smallConfig(kind, 4, 4)
			cfg.Epochs = 3
			whole, err := NewTrainer(cfg, data, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer whole.Close()
			want := collect(t, whole)

			paused, err := NewTrainer(cfg, data, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer paused.Close()
			var got []Event
			for pauses := 0; ; pauses++ {
				ctx, cancel := context.WithCancel(context.Background())
				n := 0
				err := paused.Train(ctx, func(e Event) {
					if e.Kind == EventStep {
						got = append(got, e)
						if n++; n == 7 { // pause mid-epoch
							cancel()
						}
					}
				})
				cancel()
				if err == nil {
					break
				}
				if !errors.Is(err, context.Canceled) {
					t.Fatal(err)
				}
				if pauses > 10 {
					t.Fatal("never finished")
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%d steps with pauses, %d without", len(got), len(want))
			}
			for i := range want {
				if got[i].Loss != want[i].Loss {
					t.Fatalf("step %d: loss %v after pauses, %v without", i+1, got[i].Loss, want[i].Loss)
				}
			}
			sameWeights(t, weightsOf(whole), weightsOf(paused))
		})
	}
}

func TestTrainer_SaveRestoreResumesExactly(t *testing.T) {
	data := dataset.Noise(40, 4, 4, 4)
	for _, name := range []string{"ae", "vae", "gan", "gan-averaged", "gan-averaged-conv", "gan-averaged-transposed"} {
		t.Run(name, func(t *testing.T) {
			kind, variant, _ := strings.Cut(name, "-")
			cfg := smallConfig(model.Kind(kind), 4, 4)
			cfg.Epochs = 2
			averaged := strings.HasPrefix(variant, "averaged")
			if averaged {
				cfg.GeneratorAverage = 0.9
			}
			if strings.HasSuffix(variant, "conv") || strings.HasSuffix(variant, "transposed") {
				cfg = cfg.WithArch(model.ArchConv) // batch norm: the average has statistics of its own
			}
			if strings.HasSuffix(variant, "transposed") {
				cfg.Upsample = model.UpsampleTransposed
			}
			whole, err := NewTrainer(cfg, data, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer whole.Close()
			want := collect(t, whole)

			// Train one epoch and 3 steps, save, load into a new trainer, finish.
			first, err := NewTrainer(cfg, data, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer first.Close()
			ctx, cancel := context.WithCancel(context.Background())
			steps := 0
			_ = first.Train(ctx, func(e Event) {
				if e.Kind == EventStep {
					if steps++; steps == 13 {
						cancel()
					}
				}
			})
			cancel()
			cfgSaved, st, saved := first.Save()
			byName := map[string]Tensor{}
			for _, s := range saved {
				byName[s.Name] = s
			}
			if st.Step != 13 || cfgSaved.Kind != model.Kind(kind) {
				t.Fatalf("saved step %d kind %s", st.Step, cfgSaved.Kind)
			}
			resumed, err := Restore(cfgSaved, st, byName, data, nil, false)
			if err != nil {
				t.Fatal(err)
			}
			// Weights survive exactly (they are float32 on both sides).
			sameWeights(t, weightsOf(first), weightsOf(resumed))
			defer resumed.Close()
			rest := collect(t, resumed)
			if len(rest) != len(want)-13 {
				t.Fatalf("%d steps after resuming, want %d", len(rest), len(want)-13)
			}
			for i, e := range rest {
				if e.Loss != want[13+i].Loss {
					t.Fatalf("step %d: loss %v after checkpoint, %v without", 14+i, e.Loss, want[13+i].Loss)
				}
			}
			sameWeights(t, weightsOf(whole), weightsOf(resumed))
			if averaged {
				sameWeights(t, averageOf(whole), averageOf(resumed))
				z := []float64{0.3, -1.2}
				a, _ := whole.Snapshot().Decode(z)
				b, _ := resumed.Snapshot().Decode(z)
				if !slices.Equal(a, b) {
					t.Fatal("the resumed run's snapshot decodes otherwise than the whole run's")
				}
			}
		})
	}
}

// averageOf returns a trainer's averaged generator weights.
func averageOf(tr *Trainer) map[string][]float64 {
	out := map[string][]float64{}
	for name, v := range tr.avg.values {
		out[name] = make([]float64, len(v))
		for i, x := range v {
			out[name][i] = float64(x)
		}
	}
	return out
}

// The snapshot's float32 forward pass computes what the training graphs
// compute, in float64 (the gradient checks' dtype) and in float32 (the
// app's), for batches and for the one-vector path of Decode.
// TestSnapshot_DecodeEqualsGraphForward checks the snapshot's forward
// passes against the training graphs' on the same weights and inputs: the
// GAN's D(G(z)) and D(x), the AE's reconstruction loss and the VAE's
// reconstruction and KL terms (with the graph's own eps), through
// DecodeBatch and through Decode one row at a time.
func TestSnapshot_DecodeEqualsGraphForward(t *testing.T) {
	data := dataset.Noise(16, 4, 4, 5)
	type variant struct {
		kind model.Kind
		arch model.Arch
		up   model.Upsample
	}
	// The conv GAN is left out: its batch norm trains on the batch's
	// statistics and infers with the running ones (nn's tests check both).
	variants := []variant{{model.KindAE, model.ArchMLP, ""}, {model.KindVAE, model.ArchMLP, ""}, {model.KindGAN, model.ArchMLP, ""},
		{model.KindAE, model.ArchConv, ""}, {model.KindVAE, model.ArchConv, ""},
		{model.KindAE, model.ArchConv, model.UpsampleTransposed}, {model.KindVAE, model.ArchConv, model.UpsampleTransposed}}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, v := range variants {
			kind := v.kind
			t.Run(dt.String()+"/"+string(v.arch)+string(v.up)+"/"+string(kind), func(t *testing.T) {
				cfg := smallConfig(kind, 4, 4)
				if v.arch == model.ArchConv {
					cfg = cfg.WithArch(model.ArchConv)
					cfg.Hidden, cfg.Upsample = []int{2, 3}, v.up
				}
				cfg.Epochs = 1
				cfg.Dropout = 0 // the snapshot's forward pass has no dropout
				tr, err := newTrainer(cfg, data, nil, dt)
				if err != nil {
					t.Fatal(err)
				}
				defer tr.Close()
				collect(t, tr) // move the weights away from their initial values
				tr.publish()
				snap := tr.Snapshot()
				s := tr.auto
				if kind == model.KindGAN {
					s = tr.disc
				}
				fillAll(s, rand4())
				if err := s.run(); err != nil {
					t.Fatal(err)
				}
				defer s.reset()
				if kind == model.KindGAN {
					z := mat.NewDense(4, 2, nn.Float64s(s.buffer(inZ)))
					for _, fake := range []*mat.Dense{mustDecode(t, snap, z), decodeEach(t, snap, z)} {
						logits, err := snap.Discriminate(fake)
						compareTo(t, mat.NewDense(4, 1, logits), err, s.values(outFakeLogit))
					}
					centred := mat.NewDense(4, 16, uncentred(nn.Float64s(s.buffer(inXCentred))))
					logits, err := snap.Discriminate(centred)
					compareTo(t, mat.NewDense(4, 1, logits), err, s.values(outRealLogit))
					return
				}
				x := mat.NewDense(4, 16, nn.Float64s(s.buffer(inX)))
				w := nn.Float64s(s.buffer(inW))
				mean, logVar, err := snap.EncodeBatch(x)
				if err != nil {
					t.Fatal(err)
				}
				if kind == model.KindVAE {
					eps := nn.Float64s(s.buffer(inEps))
					raw, lv := mean.RawMatrix().Data, logVar.RawMatrix().Data
					kl := 0.0
					for i := range raw {
						kl += w[i/2] * (raw[i]*raw[i] + math.Exp(lv[i]) - lv[i] - 1) / 2
						raw[i] += math.Exp(lv[i]/2) * eps[i]
					}
					compareTo(t, mat.NewDense(1, 1, []float64{kl}), nil, []float64{s.scalar(outKL)})
				}
				logits, err := snap.DecodeLogits(mean)
				compareTo(t, mat.NewDense(1, 1, []float64{recon(logits, x, w)}), err, []float64{s.scalar(outRecon)})
				pixels := decodeEach(t, snap, mean)
				compareTo(t, pixels, nil, sigmoids(logits))
			})
		}
	}
}

// recon is sum_i w_i sum_j BCE(x_ij, sigmoid(l_ij)), the graphs'
// reconstruction term.
func recon(logits, x *mat.Dense, w []float64) float64 {
	sum := 0.0
	for i := range w {
		xr := x.RawRowView(i)
		for j, l := range logits.RawRowView(i) {
			sum += w[i] * (nn.Softplus(l) - xr[j]*l)
		}
	}
	return sum
}

// sigmoids returns the sigmoid of every element of m.
func sigmoids(m *mat.Dense) []float64 {
	out := slices.Clone(m.RawMatrix().Data)
	for i, l := range out {
		out[i] = nn.Sigmoid(l)
	}
	return out
}

// mustDecode decodes the rows of z with DecodeBatch.
func mustDecode(t *testing.T, s *infer.Snapshot, z *mat.Dense) *mat.Dense {
	t.Helper()
	out, err := s.DecodeBatch(z)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// decodeEach decodes the rows of z one at a time with Decode.
func decodeEach(t *testing.T, s *infer.Snapshot, z *mat.Dense) *mat.Dense {
	t.Helper()
	n, _ := z.Dims()
	out := mat.NewDense(n, s.Pixels(), nil)
	for i := 0; i < n; i++ {
		img, err := s.Decode(z.RawRowView(i))
		if err != nil {
			t.Fatal(err)
		}
		out.SetRow(i, img)
	}
	return out
}

// snapshotTol bounds the difference between the snapshot's float32 forward
// pass and a training graph's, relative to max(1, |value|). The snapshot
// rounds float64 weights and inputs to float32 (a relative 6e-8 each) and
// both sum in float32 in different orders, which moves values by a few
// parts in 1e7 for these layers; a wrong weight, bias or activation moves
// them by 1e-3 or more.
const snapshotTol = 1e-5

func compareTo(t *testing.T, got *mat.Dense, err error, want []float64) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	raw := got.RawMatrix().Data
	if len(raw) != len(want) {
		t.Fatalf("%d values, graph has %d", len(raw), len(want))
	}
	for i := range raw {
		if math.Abs(raw[i]-want[i]) > snapshotTol*math.Max(1, math.Abs(want[i])) {
			t.Fatalf("value %d: snapshot %v, graph %v", i, raw[i], want[i])
		}
	}
}

func TestTrainer_DivergenceStopsWithError(t *testing.T) {
	m := mnist(t)
	cfg := model.DefaultConfig(model.KindAE)
	cfg.Hidden = []int{32}
	cfg.Optimizer, cfg.LearningRate, cfg.Beta1 = model.SGD, 10, 0.9
	tr, err := NewTrainer(cfg, m.Train.Head(2000), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var failed Event
	err = tr.Train(context.Background(), func(e Event) {
		if e.Kind == EventFailed {
			failed = e
		}
	})
	if err == nil || !strings.Contains(err.Error(), "step") || failed.Err == nil {
		t.Fatalf("err = %v, failure event %+v: want an error naming the step", err, failed)
	}
	// The last published snapshot still decodes to finite pixels.
	img, derr := tr.Snapshot().Decode([]float64{0.5, -0.5})
	if derr != nil {
		t.Fatal(derr)
	}
	for i, v := range img {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("pixel %d of the last good snapshot is %v", i, v)
		}
	}
	if again := tr.Train(context.Background(), nil); again == nil {
		t.Fatal("a failed trainer trained again")
	}
}

func TestSnapshot_DecodeChangesWithZAndRejectsBadInput(t *testing.T) {
	tr, err := NewTrainer(smallConfig(model.KindVAE, 4, 4), dataset.Noise(8, 4, 4, 6), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	s := tr.Snapshot()
	a, err := s.Decode([]float64{0, 0})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Decode([]float64{2, -1})
	diff := 0.0
	for i := range a {
		diff += math.Abs(a[i] - b[i])
	}
	if diff == 0 {
		t.Fatal("moving z did not change the image")
	}
	for _, z := range [][]float64{{1}, {1, 2, 3}, {math.NaN(), 0}, {math.Inf(1), 0}} {
		if _, err := s.Decode(z); err == nil {
			t.Errorf("Decode(%v) gave no error", z)
		}
	}
	if _, _, err := s.Encode(make([]float64, 3)); err == nil {
		t.Error("Encode of a 3-pixel image gave no error")
	}
}

func rand4() *rand.Rand { return rand.New(rand.NewPCG(4, 4)) }

// Reading the settings must never wait for a training step: the UI reads
// them every frame.
func TestTrainer_ConfigDoesNotWaitForAStep(t *testing.T) {
	tr, err := NewTrainer(smallConfig(model.KindAE, 4, 4), dataset.Noise(8, 4, 4, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	tr.mu.Lock() // as a training step does
	defer tr.mu.Unlock()
	done := make(chan model.Config)
	go func() { done <- tr.Config() }()
	select {
	case c := <-done:
		if c.Kind != model.KindAE {
			t.Fatalf("config kind %s", c.Kind)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("model.Config blocked while a step held the trainer")
	}
	upd := tr.Config()
	upd.LearningRate = 0.01
	go func() {
		if err := tr.UpdateSettings(upd); err != nil {
			t.Error(err)
		}
		done <- tr.Config()
	}()
	select {
	case c := <-done:
		if c.LearningRate != 0.01 {
			t.Fatalf("pending learning rate %v", c.LearningRate)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("UpdateSettings blocked while a step held the trainer")
	}
}

// The one-vector decode path must agree with the batched one: bit for bit
// with a batch of that one row (the same loops run), and within float32
// rounding with a row of a larger batch (which goes through sgemm).
func TestSnapshot_DecodeMatchesDecodeBatch(t *testing.T) {
	for _, kind := range []model.Kind{model.KindVAE, model.KindGAN} {
		cfg := smallConfig(kind, 28, 28)
		cfg.Hidden = []int{37, 70} // vector tails in every layer
		tr, err := NewTrainer(cfg, dataset.Noise(8, 28, 28, 1), nil)
		if err != nil {
			t.Fatal(err)
		}
		collect(t, tr)
		tr.publish()
		s := tr.Snapshot()
		zs := [][]float64{{0.7, -1.3}, {0, 0}, {-2.5, 2.5}, {40, -40}}
		batch, err := s.DecodeBatch(mat.NewDense(len(zs), 2, slices.Concat(zs...)))
		if err != nil {
			t.Fatal(err)
		}
		for i, z := range zs {
			one, err := s.Decode(z)
			if err != nil {
				t.Fatal(err)
			}
			single, err := s.DecodeBatch(mat.NewDense(1, 2, z))
			if err != nil {
				t.Fatal(err)
			}
			for j, v := range single.RawRowView(0) {
				if math.Float64bits(v) != math.Float64bits(one[j]) {
					t.Fatalf("%s z=%v pixel %d: Decode %v, one-row DecodeBatch %v", kind, z, j, one[j], v)
				}
			}
			for j, v := range batch.RawRowView(i) {
				if v < 0 || v > 1 || math.Abs(v-one[j]) > 1e-6 {
					t.Fatalf("%s z=%v pixel %d: Decode %v, row %d of DecodeBatch %v", kind, z, j, one[j], i, v)
				}
			}
		}
		tr.Close()
	}
}

// Trainers may be built from several goroutines at once (the app resets
// one model while another loads); under -race this shows gorgonia's
// unguarded construction state is kept to one builder at a time.
func TestNewTrainer_ConcurrentBuildsAreSafe(t *testing.T) {
	done := make(chan error, 6)
	for i := 0; i < 6; i++ {
		go func(i int) {
			kind := []model.Kind{model.KindAE, model.KindVAE, model.KindGAN}[i%3]
			tr, err := NewTrainer(smallConfig(kind, 4, 4), dataset.Noise(8, 4, 4, 1), nil)
			if err == nil {
				tr.Close()
			}
			done <- err
		}(i)
	}
	for i := 0; i < 6; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// Every step event names its values, so that views chart and print them
// without knowing the model family.
func TestTrainer_EventsNameTheirLosses(t *testing.T) {
	want := map[model.Kind][]string{
		model.KindAE:  {LossTrain},
		model.KindVAE: {LossTrain, LossRecon, LossKL, LossKLWeight},
		model.KindGAN: {LossD, LossG, LossDReal, LossDFake},
	}
	for kind, names := range want {
		tr, err := NewTrainer(smallConfig(kind, 4, 4), dataset.Noise(8, 4, 4, 1), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range collect(t, tr) {
			var got []string
			for _, v := range e.Losses {
				got = append(got, v.Name)
			}
			if !slices.Equal(got, names) {
				t.Fatalf("%s step %d names %q, want %q", kind, e.Step, got, names)
			}
			if e.Losses[0].Value != e.Loss || !kernel.IsFinite(e.Loss) {
				t.Fatalf("%s step %d: first value %v, loss %v", kind, e.Step, e.Losses[0].Value, e.Loss)
			}
		}
		tr.Close()
	}
}
