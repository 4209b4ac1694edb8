package measure_test

import (
	"context"
	"latentlab/model"
	"latentlab/model/internal/testkit"
	"latentlab/model/measure"
	"latentlab/model/train"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func randomDense(n, d int, seed uint64, shift float64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 3))
	m := mat.NewDense(n, d, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = rng.NormFloat64() + shift
	}
	return m
}

func TestFrechetDistance_KnownAnswers(t *testing.T) {
	a := randomDense(500, 6, 1, 0)
	if fd, err := measure.FrechetDistance(a, a); err != nil || fd > 1e-8 {
		t.Fatalf("identical sets: FD = %v, %v; want ~0", fd, err)
	}
	// Same covariance, means 2 apart in each of 6 dimensions: FD = 6*4 = 24.
	b := mat.DenseCopyOf(a)
	for i := range b.RawMatrix().Data {
		b.RawMatrix().Data[i] += 2
	}
	if fd, _ := measure.FrechetDistance(a, b); math.Abs(fd-24) > 1e-6 {
		t.Fatalf("shifted by 2: FD = %v, want 24", fd)
	}
	// Independent unit Gaussians against ones scaled by 3: per dimension
	// 1 + 9 - 2*3 = 4, so about 24 again (sampling noise allowed).
	c := randomDense(20000, 6, 2, 0)
	e := randomDense(20000, 6, 3, 0)
	e.Scale(3, e)
	if fd, _ := measure.FrechetDistance(c, e); math.Abs(fd-24) > 1.5 {
		t.Fatalf("scaled by 3: FD = %v, want about 24", fd)
	}
	if _, err := measure.FrechetDistance(a, randomDense(10, 5, 1, 0)); err == nil {
		t.Fatal("no error for 6 against 5 features")
	}
}

func oneHotProbs(labels []int) *mat.Dense {
	m := mat.NewDense(len(labels), model.Classes, nil)
	for i, l := range labels {
		m.Set(i, l, 1)
	}
	return m
}

func TestClassHistogram_KnownAnswers(t *testing.T) {
	one := oneHotProbs([]int{3, 3, 3, 3})
	hist, entropy, covered := measure.ClassHistogram(one)
	if covered != 1 || entropy != 0 || hist[3] != 1 {
		t.Fatalf("one-class set: covered %d, entropy %v, hist %v", covered, entropy, hist)
	}
	var labels []int
	for i := 0; i < 1000; i++ {
		labels = append(labels, i%model.Classes)
	}
	uniform := oneHotProbs(labels)
	_, entropy, covered = measure.ClassHistogram(uniform)
	if covered != 10 || math.Abs(entropy-math.Log(10)) > 1e-12 {
		t.Fatalf("uniform set: covered %d, entropy %v, want 10 and log 10", covered, entropy)
	}
	// Confident and even: the score reaches its maximum, 10. One class: 1.
	if s := measure.MNISTScore(uniform); math.Abs(s-10) > 1e-9 {
		t.Fatalf("MNIST score of a confident uniform set = %v, want 10", s)
	}
	if s := measure.MNISTScore(one); math.Abs(s-1) > 1e-9 {
		t.Fatalf("MNIST score of a one-class set = %v, want 1", s)
	}
}

func TestImportanceWeightedNLL_TighterThanELBO(t *testing.T) {
	m := testkit.MNIST(t)
	cfg := model.DefaultConfig(model.KindVAE)
	cfg.Hidden, cfg.Epochs = []int{64}, 1
	tr, err := train.NewTrainer(cfg, m.Train.Head(2000), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	s := tr.Snapshot()
	test := m.Test.Head(200)
	elbo, err := measure.Evaluate(s, test, 1)
	if err != nil {
		t.Fatal(err)
	}
	iw, err := measure.ImportanceWeightedNLL(s, test, 50, 1)
	if err != nil {
		t.Fatal(err)
	}
	// With 50 samples the estimate is below the negative ELBO; with one it
	// is the negative ELBO's own estimator (the same value up to sampling
	// noise); averaged over 20 seeds each, they agree within 0.5%.
	var one, neg float64
	for seed := uint64(10); seed < 30; seed++ {
		v, _ := measure.ImportanceWeightedNLL(s, test, 1, seed)
		e, _ := measure.Evaluate(s, test, seed)
		one, neg = one+v/20, neg+e.Total/20
	}
	if math.Abs(one-neg) > 0.005*neg {
		t.Fatalf("importance-weighted NLL with k=1: %.2f, negative ELBO %.2f", one, neg)
	}
	if iw >= elbo.Total {
		t.Fatalf("importance-weighted NLL %.2f with k=50, negative ELBO %.2f", iw, elbo.Total)
	}
	again, _ := measure.ImportanceWeightedNLL(s, test, 50, 1)
	if again != iw {
		t.Fatal("same seed, different estimate")
	}
	kl, err := measure.KLPerDimension(s, test)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, v := range kl.PerDim {
		sum += v
	}
	// The per-dimension KLs add up to the analytic KL of the ELBO.
	if math.Abs(sum-elbo.KL) > 1e-9 || kl.Active < 1 {
		t.Fatalf("KL per dimension %v (sum %.4f, ELBO's KL %.4f), %d active", kl.PerDim, sum, elbo.KL, kl.Active)
	}
}
