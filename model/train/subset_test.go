package train

import (
	"slices"
	"testing"

	"latentlab/model"
)

// A training-set size draws the same images for the same seed, others for
// another seed, in the data's order; a trainer learns from exactly that
// many; more than there are, or fewer than none, is refused.
func TestTrainingSubset_SeededAndReproducible(t *testing.T) {
	all := mnist(t).Train.Head(2000)
	a, b, c := TrainingSubset(all, 300, 7), TrainingSubset(all, 300, 7), TrainingSubset(all, 300, 8)
	if a.Len() != 300 || !slices.Equal(a.Pixels, b.Pixels) || !slices.Equal(a.Labels, b.Labels) {
		t.Fatal("the same seed drew different images")
	}
	if slices.Equal(a.Pixels, c.Pixels) {
		t.Fatal("another seed drew the same images")
	}
	if TrainingSubset(all, 0, 7) != all || TrainingSubset(all, 2000, 7) != all {
		t.Fatal("a size of 0, or of the whole set, is not the whole set")
	}
	cfg := model.DefaultConfig(model.KindAE)
	cfg.Hidden, cfg.TrainSize = []int{32}, 300
	tr, err := NewTrainer(cfg, all, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if n := tr.Progress().TrainSamples; n != 300 {
		t.Fatalf("the trainer learns from %d images", n)
	}
	for _, size := range []int{2001, -1} {
		cfg.TrainSize = size
		if _, err := NewTrainer(cfg, all, nil); err == nil {
			t.Fatalf("train_size %d: no error", size)
		}
	}
}
