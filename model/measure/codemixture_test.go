package measure_test

import (
	"strings"
	"testing"

	"latentlab/model"
	"latentlab/model/internal/testkit"
	"latentlab/model/measure"
	"latentlab/model/train"
)

// A code mixture on fewer training digits than its ten components fits one
// component less than their number, and says what is missing when there
// is only one.
func TestCodeMixture_FewTrainingDigits(t *testing.T) {
	m := testkit.MNIST(t)
	cfg := model.DefaultConfig(model.KindAE)
	cfg.Hidden, cfg.LatentDim = []int{16}, 3
	tr, err := train.NewTrainer(cfg, m.Train.Head(64), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	s := tr.Snapshot()
	mix, fitted, err := measure.CodeMixture(s, m.Train.Head(4), 10000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if mix.Components() != 3 || fitted != 4 || mix.Dim() != 3 {
		t.Fatalf("4 digits: %d components of %d dimensions fitted to %d codes, want 3 of 3 to 4", mix.Components(), mix.Dim(), fitted)
	}
	if _, _, err := measure.CodeMixture(s, m.Train.Head(1), 10000, 1); err == nil || !strings.Contains(err.Error(), "1 training digits") {
		t.Fatalf("1 digit: %v", err)
	}
	_, fitted, err = measure.CodeMixture(s, m.Train.Head(500), 200, 1)
	if err != nil || fitted != 200 {
		t.Fatalf("up to 200 of 500 digits: fitted to %d, %v", fitted, err)
	}
}
