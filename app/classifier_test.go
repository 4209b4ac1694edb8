package app

import (
	"testing"

	"latentlab/assets"
	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/measure"
)

// The shipped classifier must reach at least 98% on the MNIST test set: the
// sample-quality metrics are only as good as it is.
func TestShippedClassifier_AccuracyOnTheTestSet(t *testing.T) {
	m, err := dataset.Load(assets.MNIST())
	if err != nil {
		t.Fatal(err)
	}
	mon, err := NewMonitor(m.Test, m.Source)
	if err != nil {
		t.Fatal(err)
	}
	c := mon.Classifier()
	if c.Kind() != model.KindClassifier {
		t.Fatalf("shipped weights are a %s", c.Kind())
	}
	_, acc, err := measure.EvaluateClassifier(c, m.Test)
	if err != nil {
		t.Fatal(err)
	}
	if acc < 0.98 {
		t.Fatalf("test accuracy %.4f, want at least 0.98", acc)
	}
	t.Logf("shipped classifier: %.2f%% on the 10,000 test digits", 100*acc)
}
