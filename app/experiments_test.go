package app

import (
	"context"
	"math"
	"testing"

	"latentlab/assets"
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
	m, err := dataset.Load(assets.MNIST())
	if err != nil {
		t.Fatal(err)
	}
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
