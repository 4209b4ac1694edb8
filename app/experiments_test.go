package app

import (
	"context"
	"math"
	"strings"
	"testing"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/train"
)

// curves runs the experiment e on the AE with MNIST and returns its mean
// training loss and its validation loss per epoch, and how the run ended.
func curves(t *testing.T, e Experiment, m *dataset.MNIST) (trainLoss, valLoss []float64, end train.EventKind) {
	t.Helper()
	cfg := e.Apply(model.DefaultConfig(model.KindAE), m.Train.Len())
	tr, err := train.NewTrainer(cfg, m.Train, m.Test.Head(1000))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var sum float64
	var n int
	tr.Train(context.Background(), func(ev train.Event) {
		switch ev.Kind {
		case train.EventStep:
			sum, n = sum+ev.Loss, n+1
		case train.EventEpoch:
			trainLoss = append(trainLoss, sum/float64(n))
			valLoss = append(valLoss, ev.Validation.Total)
			sum, n = 0, 0
		case train.EventDone, train.EventEarlyStop:
			end = ev.Kind
		}
	})
	return trainLoss, valLoss, end
}

// "Overfit on purpose" overfits: the validation loss rises well above its
// lowest while the training loss goes on falling. "Cure it" stops early,
// near the lowest validation loss.
func TestExperiments_OverfitAndCure(t *testing.T) {
	m := embeddedMNIST(t)
	trainLoss, valLoss, _ := curves(t, Experiments[0], m)
	best, at := math.Inf(1), 0
	for i, v := range valLoss {
		if v < best {
			best, at = v, i
		}
	}
	last := len(valLoss) - 1
	t.Logf("overfit: validation lowest %.1f at epoch %d, last %.1f; training %.1f at that epoch, last %.1f", best, at+1, valLoss[last], trainLoss[at], trainLoss[last])
	if valLoss[last] < best*1.03 || trainLoss[last] > trainLoss[at]*0.95 || at > last-10 {
		t.Fatalf("no overfitting: validation %.1f at its lowest (epoch %d), %.1f last; training %.1f then, %.1f last", best, at+1, valLoss[last], trainLoss[at], trainLoss[last])
	}
	_, cured, end := curves(t, Experiments[1], m)
	cbest := math.Inf(1)
	for _, v := range cured {
		cbest = math.Min(cbest, v)
	}
	t.Logf("cured: stopped after %d epochs (%v), validation lowest %.1f", len(cured), end, cbest)
	if end != train.EventEarlyStop || len(cured) >= len(valLoss) || cbest > valLoss[last] {
		t.Fatalf("the cure did not stop early below the overfit run's last validation loss: %d epochs, %v, lowest %.1f", len(cured), end, cbest)
	}
}

// experiment returns the experiment named name.
func experiment(t *testing.T, name string) Experiment {
	t.Helper()
	for _, e := range Experiments {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no experiment %q", name)
	return Experiment{}
}

// trainedBy trains kind's default model with the named experiment's
// settings for one epoch on the first images of m's training set; the
// trainer closes with the test.
func trainedBy(t *testing.T, m *dataset.MNIST, name string, kind model.Kind, images int) (*train.Trainer, model.Config) {
	t.Helper()
	cfg := experiment(t, name).Apply(model.DefaultConfig(kind), m.Train.Len())
	cfg.Epochs = 1
	tr, err := train.NewTrainer(cfg, m.Train.Head(images), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	if err := tr.Train(context.Background(), func(train.Event) {}); err != nil {
		t.Fatal(err)
	}
	return tr, cfg
}

// "Posterior collapse" collapses the VAE within an epoch: its KL falls
// below the alarm's threshold and the alarm fires.
func TestExperiments_PosteriorCollapseFiresTheAlarm(t *testing.T) {
	m := embeddedMNIST(t)
	tr, cfg := trainedBy(t, m, "Posterior collapse", model.KindVAE, 10000)
	mon := monitorOf(t, m)
	q, kl, err := mon.Check(tr.Snapshot(), 500, 1)
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, v := range kl.PerDim {
		total += v
	}
	msg := alarm(model.KindVAE, q, kl, 0)
	t.Logf("after an epoch at β = %g: KL %.4f nats; alarm %q", cfg.Beta, total, msg)
	if !strings.Contains(msg, "Posterior collapse") {
		t.Fatalf("no collapse alarm: KL %.4f nats, %d active", total, kl.Active)
	}
}

// "Learning rate too high" diverges: the run stops on a failed step,
// saying so, within a few hundred steps.
func TestExperiments_TooHighALearningRateDiverges(t *testing.T) {
	m := embeddedMNIST(t)
	for _, k := range []model.Kind{model.KindAE, model.KindGAN} {
		cfg := experiment(t, "Learning rate too high").Apply(model.DefaultConfig(k), m.Train.Len())
		tr, err := train.NewTrainer(cfg, m.Train.Head(5000), nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var failed *train.Event
		steps := 0
		tr.Train(ctx, func(ev train.Event) {
			if ev.Kind == train.EventStep {
				if steps++; steps > 2000 {
					cancel()
				}
			}
			if ev.Kind == train.EventFailed {
				failed = &ev
			}
		})
		cancel()
		tr.Close()
		if failed == nil || failed.Err == nil {
			t.Fatalf("%s: no failed step in %d steps", k, steps)
		}
		t.Logf("%s: stopped at step %d: %v", k, failed.Step, failed.Err)
	}
}

// "Mode collapse" collapses the GAN within its epochs: its samples cover
// fewer classes than the alarm's threshold and the alarm fires.
func TestExperiments_ModeCollapseFiresTheAlarm(t *testing.T) {
	m := embeddedMNIST(t)
	tr, cfg := trainedBy(t, m, "Mode collapse", model.KindGAN, 20000)
	mon := monitorOf(t, m)
	q, err := mon.Samples(tr.Snapshot(), 2000, 1)
	if err != nil {
		t.Fatal(err)
	}
	msg := alarm(model.KindGAN, q, nil, 1)
	t.Logf("after %d epochs: %d classes covered, FD %.1f; alarm %q", cfg.Epochs, q.Covered, q.Frechet, msg)
	if !strings.Contains(msg, "Mode collapse") {
		t.Fatalf("no mode-collapse alarm: %d classes covered (histogram %.3f)", q.Covered, q.Histogram)
	}
}
